"""/api/v1/ui/models/<code>/impact: the draft as sent (or as saved), per criterion, every changed measure."""

from services.test_impact_preview import set_threshold, threshold_portfolio, with_threshold
from value.helpers import new_measure

URL = "/api/v1/ui/models/doi-default/impact"


def test_raised_threshold_in_the_sent_draft_names_every_changed_measure(api, portfolio):
    published = with_threshold(portfolio)
    code = threshold_portfolio(portfolio)
    # more changed measures than a page of the editor shows: the response lists them all
    extra = [new_measure(portfolio, f"Also 250k {i}", potential=250000, controller=None) for i in range(30)]

    r = api.post(URL, json={"definition": set_threshold(published, 300000), "doi": 1})

    body = r.get_json()
    assert r.status_code == 200, body
    assert body["checked"] == 4 + len(extra)
    assert {code["Mid 200k"], code["Ready 200k"]} <= {m["code"] for m in body["changed"]}
    assert len(body["changed"]) == 2 + len(extra)
    crit = next(c for c in body["criteria"] if c["criterion"] == "potential_estimated")
    assert crit["now"] == {"pass": 33, "fail": 1} and crit["draft"] == {"pass": 1, "fail": 33}
    assert crit["to_fail"] == 32
    # the published gate is what measures face now: previewing it unchanged changes nothing
    same = api.post(URL, json={"definition": published, "doi": 1}).get_json()
    assert same["changed"] == [] and all(c["to_fail"] == c["to_pass"] == 0 for c in same["criteria"])


def test_without_a_definition_the_saved_draft_is_previewed(api, portfolio):
    published = with_threshold(portfolio)
    code = threshold_portfolio(portfolio)
    r = api.put("/api/v1/ui/models/doi-default/draft", json={"definition": set_threshold(published, 300000)})
    assert r.status_code == 200, r.get_json()
    body = api.post(URL, json={"doi": 1}).get_json()
    assert {m["code"] for m in body["changed"]} == {code["Mid 200k"], code["Ready 200k"]}


def test_a_draft_that_does_not_validate_is_refused(api, portfolio):
    published = with_threshold(portfolio)
    bad = set_threshold(published, 300000)
    bad["gates"][0]["must_meet"][0]["rule"] = {"frobnicate": []}
    r = api.post(URL, json={"definition": bad, "doi": 1})
    assert r.status_code == 422 and "frobnicate" in r.get_json()["message"]

"""Pages name facts by their label: the builder's catalogue, the checklist's "value missing" text."""

from steerco import rules
from steerco.services.configuration import drafts
from steerco.services.governance import checklist, measures


def test_the_catalogue_labels_and_types_every_fact(portfolio):
    cat = portfolio.run("admin", lambda uow: drafts.catalogue(
        uow, "doi-default", uow.latest_model_version("doi-default").definition), readonly=True)
    by_path = {f["path"]: f for f in cat}
    assert by_path["value.plan_periods"] == {"path": "value.plan_periods", "label": "Periods with a planned value",
                                             "kind": "number", "choices": []}
    assert by_path["fields.one_time_cost"]["label"] == "One-time cost (Cost measure)"
    assert by_path["evidence.business_case.files"]["label"] == "Files attached for 'Business case'"
    # every value and custom-field fact the shipped model's criteria read has its own label
    model = portfolio.run("admin", lambda uow: uow.latest_model_version("doi-default").definition, readonly=True)
    read = {p for g in model["gates"] for c in g.get("must_meet", []) + g.get("should_meet", [])
            for p in rules.compile_rule(c["rule"]).reads if p.startswith(("value.", "fields."))}
    assert "value.plan_periods" in read and "fields.achieved_value" in read
    assert read <= set(by_path)


def test_the_checklist_says_what_is_missing_in_words(portfolio):
    mid = portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Words", "node": "PA", "type": "cost",
                                                                   "potential": "100"}).id)
    out = portfolio.run("alice", lambda uow: checklist.checklist(uow, mid), readonly=True)
    rows = {r["criterion"]: r for r in out["results"]}
    assert rows["field:owner"]["label"] == "Owner filled in" and rows["field:owner"]["passed"]
    assert rows["sponsor_named"]["explanation"].endswith("(value missing: Sponsor)")
    assert rows["baseline_and_target"]["explanation"].endswith("(value missing: Baseline, Target)")

"""Each starter pack's demo script plays into an empty instance through the services: its people log in,
and its measures stand where the script's decisions leave them (DoI, open reviews, holds and kills)."""


import pytest
import yaml
from steerco.demo.packs import PACKS, load_pack_demo, pack_names
from steerco.domain.errors import ValidationFailed


def _expected(play: dict) -> tuple[int, str | None]:
    """The DoI a script leaves a measure at, and the decision that stopped it (None: no review open)."""
    doi = 0
    for work in play.get("gates", []):
        decision = work.get("decision", "go")
        if decision in ("go", "conditional_go"):
            doi += 1
            continue
        return (doi + 1 if decision == "conditional_go" else doi), decision
    return doi, None


def test_every_pack_but_the_default_model_has_a_demo():
    packs = {p.stem for p in PACKS.glob("*.yaml")} - {"cost-programme"}
    assert set(pack_names()) == packs


@pytest.mark.parametrize("pack", pack_names())
def test_a_packs_demo_leaves_each_measure_where_its_script_says(store, pack, tmp_path):
    logins = []
    out = load_pack_demo(store, pack, lambda *a, **kw: logins.append(a[0]), tmp_path, progress=lambda _m: None)
    script = yaml.safe_load((PACKS / "demo" / f"{pack}.yaml").read_text(encoding="utf-8"))
    assert [u for u, _p, _r in out] == logins == [p["username"] for p in script["people"]]

    def state(uow):
        rows = {}
        for m in uow.measures(limit=100)[1]:
            last = max(m.reviews, key=lambda r: r.id) if m.reviews else None
            rows[m.title] = (m.doi, last.pending if last else None, last.decision if last else None)
        return rows

    rows = store.run("admin", state, readonly=True)
    assert set(rows) == {p["title"] for p in script["measures"]}
    for play in script["measures"]:
        doi, stop = _expected(play)
        got_doi, pending, decision = rows[play["title"]]
        assert got_doi == doi, (play["title"], rows[play["title"]])
        if stop == "pending":
            assert pending is True, play["title"]
        elif stop is not None:
            assert (pending, decision) == (False, stop), play["title"]
    assert any(_expected(p)[0] >= 2 for p in script["measures"]), "a demo shows measures past their second gate"


def test_an_unknown_pack_is_refused_with_the_packs_there_are(store, tmp_path):
    with pytest.raises(ValidationFailed) as e:
        load_pack_demo(store, "launch-rocket", lambda *a, **kw: None, tmp_path, progress=lambda _m: None)
    assert "launch-rocket" in str(e.value.errors["pack"]) and "product-launch" in str(e.value.errors["pack"])

"""Pages name facts by their label: the builder's catalogue, the checklist's "value missing" text."""

import pytest

from steerco import rules
from steerco.domain.errors import ValidationFailed
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


def test_a_type_built_on_a_draft_model_is_offered_in_its_builder_at_once(portfolio):
    portfolio.run("admin", lambda uow: drafts.start_model(uow, "lean", "Lean model"))
    portfolio.run("admin", lambda uow: drafts.save_measure_type(
        uow, "lean_idea", "Lean idea", "lean", [{"key": "annual_saving", "label": "Annual saving", "type": "money"}]))
    cat = portfolio.run("admin", lambda uow: drafts.catalogue(uow, "lean"), readonly=True)
    assert {"path": "fields.annual_saving", "label": "Annual saving (Lean idea)", "kind": "number",
            "choices": []} in cat
    # until the model is published, no measure of the type can be created, and the form says why
    with pytest.raises(ValidationFailed) as e:
        portfolio.run("alice", lambda uow: measures.create(uow, {"title": "Early", "node": "PA", "type": "lean_idea"}))
    assert "no published governance model" in str(e.value.errors["type"])
    with pytest.raises(ValidationFailed, match="unknown governance model 'nowhere'"):
        portfolio.run("admin", lambda uow: drafts.save_measure_type(uow, "x", "X", "nowhere", []))

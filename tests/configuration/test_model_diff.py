"""The publish page's diff of a model draft: defaults written out are no change; steps, quorum and
required fields read in words."""

import copy

import yaml
from conftest import CONFIG
from steerco.domain.governance import DECISIONS
from steerco.services.configuration.model_diff import model_diff

LABELS = {"potential": "Potential", "owner": "Owner", "sponsor": "Sponsor", "fields.go_live_date": "Go-live date"}


def _model() -> dict:
    return next(m for m in yaml.safe_load(CONFIG.read_text())["governance_models"] if m["code"] == "doi-default")


def _texts(before, after) -> set[tuple[str, str, str]]:
    return {(d["where"], d["change"], d["what"]) for d in model_diff(before, after, LABELS)}


def test_defaults_written_out_are_no_change():
    before = _model()
    after = copy.deepcopy(before)
    for g in after["gates"]:
        # what the editor writes for settings the YAML leaves to their defaults
        g.setdefault("decisions", list(DECISIONS))
        g.setdefault("required_fields", [])
        g.setdefault("evidence", [])
        g.setdefault("should_meet", [])
        g.setdefault("min_score", 0)
        for s in g["approval"]["steps"]:
            s.setdefault("mode", "any")
        for e in g["evidence"]:
            e.setdefault("kind", "any")
    after["levels"][2]["risk_weight"] = 25.0
    assert model_diff(before, after, LABELS) == []


def test_steps_quorum_routing_and_required_fields_in_words():
    before = _model()
    after = copy.deepcopy(before)
    decided = after["gates"][2]
    decided["approval"]["steps"][1]["quorum"] = 3
    decided["approval"]["steps"][2]["condition"] = {">": [{"var": "potential"}, 10000000]}
    decided["approval"]["steps"].append({"name": "PMO sign-off", "roles": ["pmo"], "mode": "all"})
    after["gates"][0]["required_fields"] = ["owner", "sponsor"]
    after["gates"][1]["approval"]["steps"].pop(1)
    after["gates"][4]["sla"]["escalate_to"] = "steering_committee"
    after["gates"][4]["decisions"] = ["go", "hold", "kill"]
    assert _texts(before, after) == {
        ("gate 'Decided'", "changed", "approval step 'Steering committee': quorum 2 → quorum 3"),
        ("gate 'Decided'", "changed", "approval step 'CFO approval': only when Potential is greater than 5,000,000 → "
                                      "only when Potential is greater than 10,000,000"),
        ("gate 'Decided'", "added", "approval step 'PMO sign-off': pmo, all approve, always"),
        ("gate 'Identified'", "added", "required field Sponsor"),
        ("gate 'Detailed'", "removed", "approval step 'Controller plausibility check'"),
        ("gate 'Closed'", "changed", "sla: reminder after 5 days, escalation after 10 days, escalated to pmo → "
                                     "reminder after 5 days, escalation after 10 days, escalated to steering committee"),
        ("gate 'Closed'", "removed", "decision recycle"),
    }


def test_a_renamed_step_is_one_change_and_a_reordered_one_says_so():
    before = _model()
    after = copy.deepcopy(before)
    steps = after["gates"][2]["approval"]["steps"]
    steps[0]["name"] = "Sponsor decision"
    assert _texts(before, after) == {
        ("gate 'Decided'", "changed", "approval step 'Sponsor approval': renamed 'Sponsor decision'")}
    after = copy.deepcopy(before)
    steps = after["gates"][1]["approval"]["steps"]
    steps.reverse()
    assert _texts(before, after) == {
        ("gate 'Detailed'", "changed", "order of approval steps: Sponsor approval › Controller plausibility check → "
                                       "Controller plausibility check › Sponsor approval")}

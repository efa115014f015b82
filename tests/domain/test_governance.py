import copy

import pytest

from steerco.domain.errors import ConfigError
from steerco.domain.governance import parse_model

from .factories import default_config, default_model


def definition():
    return copy.deepcopy(default_config()["governance_models"][0])


def test_default_model_has_six_levels_and_five_gates():
    model = default_model()
    assert [lvl.name for lvl in model.levels] == ["Defined", "Identified", "Detailed", "Decided", "Implemented", "Closed"]
    assert [g.doi for g in model.gates] == [1, 2, 3, 4, 5]
    assert [lvl.risk_weight for lvl in model.levels] == [0, 10, 25, 50, 90, 100]
    assert model.gate_for(5).policy.distinct == (("controller", "owner"),)


def test_bad_rule_names_model_gate_and_criterion():
    d = definition()
    d["gates"][2]["must_meet"][0]["rule"] = {"frobnicate": [1]}
    with pytest.raises(ConfigError) as e:
        parse_model(d)
    msg = str(e.value)
    assert "doi-default" in msg and "Decided" in msg and "high_risks_mitigated" in msg and "frobnicate" in msg


def test_duplicate_criterion_code_is_refused():
    d = definition()
    d["gates"][0]["must_meet"].append(dict(d["gates"][0]["must_meet"][0]))
    with pytest.raises(ConfigError, match="used twice"):
        parse_model(d)


def test_gate_missing_for_a_level_is_refused():
    d = definition()
    del d["gates"][3]
    with pytest.raises(ConfigError, match="no gate leads to DoI 4"):
        parse_model(d)


def test_quorum_needs_a_number():
    d = definition()
    d["gates"][0]["approval"]["steps"][0] = {"name": "Committee", "roles": ["pmo"], "mode": "quorum"}
    with pytest.raises(ConfigError, match="quorum"):
        parse_model(d)


def test_unknown_decision_is_refused():
    d = definition()
    d["gates"][0]["decisions"] = ["go", "maybe"]
    with pytest.raises(ConfigError, match="unknown decision 'maybe'"):
        parse_model(d)


def test_relevant_paths_cover_what_the_gate_reads():
    gate = default_model().gate_for(1)
    paths = gate.relevant_paths()
    assert {"sponsor", "controller", "potential", "baseline", "target", "owner", "evidence"} <= paths


def test_value_rules_default_to_what_the_default_model_does():
    model = default_model()
    assert model.baseline_gate == 3 and model.closed_doi == 5
    assert (model.closure.share_of_plan, model.closure.periods) == (90, 12)
    d = definition()
    del d["baseline_gate"], d["closure"]
    bare = parse_model(d)
    assert (bare.baseline_gate, bare.closure) == (model.baseline_gate, model.closure)


def test_a_model_names_its_own_baseline_gate_and_closure_rule():
    d = definition()
    d.update(baseline_gate=2, closure={"share_of_plan": 100, "periods": 6})
    model = parse_model(d)
    assert (model.baseline_gate, model.closure.share_of_plan, model.closure.periods) == (2, 100, 6)
    d["baseline_gate"] = None           # a model may never freeze a baseline
    assert parse_model(d).baseline_gate is None


def test_a_short_model_without_a_third_gate_freezes_no_baseline_by_default():
    d = {"code": "short", "levels": [{"doi": 0, "name": "Idea"}, {"doi": 1, "name": "Done"}],
         "gates": [{"doi": 1, "name": "Done"}]}
    model = parse_model(d)
    assert model.baseline_gate is None and model.closed_doi == 1   # no closure gate: the last level closes


def test_baseline_gate_must_be_a_gate_of_the_model():
    d = definition()
    d["baseline_gate"] = 7
    with pytest.raises(ConfigError) as e:
        parse_model(d)
    assert "doi-default" in str(e.value) and "baseline_gate" in str(e.value) and "1 to 5" in str(e.value)
    d["baseline_gate"] = 0
    with pytest.raises(ConfigError, match="baseline_gate"):
        parse_model(d)


def test_closure_rule_is_checked():
    d = definition()
    d["closure"] = {"share_of_plan": "most"}
    with pytest.raises(ConfigError, match="closure share_of_plan"):
        parse_model(d)
    d["closure"] = {"gate": 4}
    with pytest.raises(ConfigError, match="unknown setting"):
        parse_model(d)


def test_global_baseline_gate_is_refused_with_where_it_moved():
    from steerco.domain.value import parse_settings

    with pytest.raises(ConfigError) as e:
        parse_settings({"baseline_gate": 3})
    assert "governance model" in str(e.value) and "baseline_gate" in str(e.value)
    with pytest.raises(ConfigError, match="governance model"):
        parse_settings({"closure": {"share_of_plan": 90}})

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

"""Every criterion shipped under config/ fails, with its explanation, for a measure lacking what it reads.

The facts of a measure always carry keys such as ``baseline`` and ``target``
(null when unset), so a criterion that only asks whether a key exists would
pass for a measure that has nothing: each criterion is run on a measure with
everything set, then on the same measure with each value it reads null,
empty or absent.
"""

from datetime import date
from pathlib import Path

import pytest
import yaml

from steerco import rules
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.domain.measure import Milestone, Risk

from .factories import measure, tree, user

CONFIG = Path(__file__).resolve().parents[2] / "config"
TODAY = date(2026, 11, 2)
SAMPLES = {"text": "Shared services", "long_text": "Scope", "number": 12, "money": "25000.00",
           "date": "2027-03-01", "choice": None, "multi_choice": None, "user": "bob", "link": "https://x.example/",
           "yes_no": True, "boolean": True}
# Lists a criterion walks with `none` ("no risk is high and unmitigated"): a measure with
# none of them has nothing to fail, so an empty or absent list passes; their items are checked instead.
NOTHING_TO_CHECK_WHEN_EMPTY = {"risks", "dependencies"}


def shipped_models():
    out = []
    for path in sorted(CONFIG.rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        types = doc.get("measure_types") or []
        for definition in doc.get("governance_models") or []:
            fields = {f["key"]: f for t in types if t.get("model") == definition["code"] for f in t.get("fields") or []}
            fields = list(fields.values())  # one type carrying every field the model's types have
            out.append(pytest.param(path, definition, fields, id=f"{path.relative_to(CONFIG)}:{definition['code']}"))
    return out


def complete_facts(definition, fields):
    _, node, _ = tree()
    m = measure(node, user("alice"), definition, fields)
    m.sponsor, m.controller = user("bob"), user("carol")
    m.description = "Consolidate the supplier base"
    values = {}
    for f in fields:
        sample = SAMPLES.get(f["type"], "x")
        if f["type"] in ("choice", "multi_choice"):
            sample = f["choices"][0] if f["type"] == "choice" else [f["choices"][0]]
        values[f["key"]] = sample
    people = {"bob": user("bob")}
    m.apply_changes({"potential": "250000", "baseline": 1000000, "target": 750000, "fields": values}, people)
    done = Milestone("Roll-out", date(2027, 1, 1))
    done.done_on = date(2026, 10, 1)
    risk = Risk("Supplier exit", 4, 5, mitigation="Second source qualified")
    value = {"plan": 300000.0, "forecast": 280000.0, "actual": 120000.0, "plan_periods": 12,
             "forecast_periods": 12, "actual_periods": 4, "closure_share": 100.0, "closure_required": 90.0}
    return m.facts(TODAY, milestones=[done], risks=[risk], value=value,
                   dependencies=[{"code": "M-0002", "doi": 4, "blocking": False}])


def without(facts, path, how):
    """A copy of ``facts`` whose ``path`` is null, empty text or absent."""
    copy = rules.PlatformFacts(facts)
    *parents, last = path.split(".")
    node = copy
    for p in parents:
        node[p] = dict(node[p]) if isinstance(node.get(p), dict) else {}
        node = node[p]
    if how == "absent":
        node.pop(last, None)
    else:
        node[last] = None if how == "null" else ""
    return copy


def criteria_of(definition):
    model = parse_model(definition)
    for gate in model.gates:
        for c in (*gate.must_meet, *gate.should_meet):
            yield gate, c


@pytest.mark.parametrize("path, definition, fields", shipped_models())
def test_every_criterion_fails_for_a_measure_lacking_what_it_reads(path, definition, fields):
    facts = complete_facts(definition, fields)
    checked = 0
    for gate, criterion in criteria_of(definition):
        result = {r.code: r for r in check_gate(gate, facts).results}[criterion.code]
        assert result.passed, f"{gate.name}/{criterion.code} should pass on a complete measure: {result}"
        for read in criterion.compiled.reads:
            if read in NOTHING_TO_CHECK_WHEN_EMPTY:
                continue
            for how in ("null", "empty", "absent"):
                lacking = without(facts, read, how)
                result = {r.code: r for r in check_gate(gate, lacking).results}[criterion.code]
                where = f"{gate.name}/{criterion.code} with {read} {how}"
                assert not result.passed, f"{where} passed"
                assert read in result.missing, f"{where}: missing lists {result.missing}"
                assert result.explanation.startswith(criterion.explanation), where
                assert "value missing: " in result.explanation and read in result.explanation, where
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("path, definition, fields", shipped_models())
def test_criteria_over_lists_fail_for_an_item_lacking_what_they_read(path, definition, fields):
    facts = complete_facts(definition, fields)
    risky = dict(facts["risks"][0], score=20, mitigation=None)
    blocked = dict(facts["dependencies"][0], blocking=True)
    walked = 0
    for gate, criterion in criteria_of(definition):
        for read, item in (("risks", risky), ("dependencies", blocked)):
            if f'{{"none":[{{"var":"{read}"}}' not in criterion.compiled.text:
                continue
            lacking = rules.PlatformFacts({**facts, read: [*facts[read], item]})
            result = {r.code: r for r in check_gate(gate, lacking).results}[criterion.code]
            assert not result.passed, f"{gate.name}/{criterion.code} passed with {item}"
            walked += 1
    assert walked or not any(r in c.compiled.text for _, c in criteria_of(definition) for r in ('"none"',))


def test_the_default_gate_1_needs_baseline_and_target():
    """The case that let a measure through: facts always carry baseline and target, null when unset."""
    definition = yaml.safe_load((CONFIG / "governance" / "default.yaml").read_text())["governance_models"][0]
    _, node, _ = tree()
    m = measure(node, user("alice"), definition)
    facts = m.facts(TODAY)
    assert "baseline" in facts and facts["baseline"] is None
    gate = parse_model(definition).gate_for(1)
    result = {r.code: r for r in check_gate(gate, facts).results}["baseline_and_target"]
    assert not result.passed and result.missing == ("baseline", "target")

"""Checking a measure's facts against a gate: criteria, score, fields, evidence.

Runs once per submission and, for an impact preview, once per measure of the
portfolio: the facts are parsed once and every compiled rule reads the handle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from steerco import rules
from steerco.domain.errors import FailedCriterion
from steerco.domain.governance import Gate

ROLE_LABEL = {"owner": "owner", "sponsor": "sponsor", "controller": "controller"}


class CriterionResult(NamedTuple):
    # A NamedTuple, not a frozen dataclass: an impact preview builds ten of
    # these per measure for the whole portfolio, and construction cost shows.
    code: str
    label: str
    kind: str
    passed: bool
    explanation: str = ""
    missing: tuple[str, ...] = ()
    weight: float | None = None

    def as_dict(self) -> dict:
        return {"criterion": self.code, "label": self.label, "kind": self.kind, "passed": self.passed,
                "explanation": self.explanation, "missing": list(self.missing), "weight": self.weight}

    def as_failure(self) -> FailedCriterion:
        return FailedCriterion(self.code, self.label, self.explanation, self.kind, self.missing)


@dataclass(frozen=True)
class GateCheck:
    gate: str
    doi: int
    results: tuple[CriterionResult, ...]
    score: float | None
    min_score: float
    passed: bool

    @property
    def failed(self) -> list[FailedCriterion]:
        out = [r.as_failure() for r in self.results if not r.passed and r.kind != "should_meet"]
        if self.score is not None and self.score < self.min_score:
            out.append(FailedCriterion(
                "min_score", "Minimum score",
                f"should-meet score {self.score:.0f}% is below the minimum of {self.min_score:.0f}%", "score"))
        return out


def check_gate(gate: Gate, facts: dict, *, handle=None) -> GateCheck:
    """Evaluate every requirement of ``gate`` against ``facts``.

    :param handle: the facts already parsed by :func:`steerco.rules.facts_handle`.
    """
    handle = handle if handle is not None else rules.facts_handle(facts)
    results: list[CriterionResult] = []
    ok = True
    for path in gate.required_fields:
        value = lookup(facts, path)
        passed = value not in (None, "", [], {})
        ok &= passed
        results.append(CriterionResult(
            f"field:{path}", f"{path} filled in", "required_field", passed,
            "" if passed else f"the field '{path}' is required at gate '{gate.name}' (value missing: {path})",
            () if passed else (path,)))
    for c in gate.must_meet:
        res = c.compiled.check_handle(handle)
        ok &= res.passed
        results.append(CriterionResult(c.code, c.label, "must_meet", res.passed,
                                       "" if res.passed else _explain(c.explanation, res.missing), res.missing))
    score = None
    if gate.should_meet:
        total = got = 0.0
        for c in gate.should_meet:
            res = c.compiled.check_handle(handle)
            total += c.weight
            got += c.weight if res.passed else 0.0
            results.append(CriterionResult(c.code, c.label, "should_meet", res.passed,
                                           "" if res.passed else _explain(c.explanation, res.missing),
                                           res.missing, c.weight))
        score = round(100.0 * got / total, 2)
        ok &= score >= gate.min_score
    supplied = facts.get("evidence") or {}
    for req in gate.evidence:
        slot = supplied.get(req.code) or {}
        have = {"file": slot.get("files", 0), "link": slot.get("links", 0)}
        passed = bool(slot.get("waived")) or (have.get(req.kind, 0) if req.kind != "any" else sum(have.values())) > 0
        ok &= passed
        what = {"file": "a file", "link": "a link", "any": "a file or a link"}[req.kind]
        results.append(CriterionResult(f"evidence:{req.code}", req.label, "evidence", passed,
                                       "" if passed else f"evidence '{req.label}' is missing: attach {what} or have an approver waive it"))
    if facts.get("conditions_open"):
        ok = False
        results.append(CriterionResult(
            "conditions_cleared", "Conditions cleared", "conditions", False,
            f"{facts['conditions_open']} condition(s) of an earlier Conditional Go are not cleared yet"))
    for a, b in gate.policy.distinct:
        pa, pb = facts.get(a), facts.get(b)
        passed = not (pa and pb and pa == pb)
        ok &= passed
        results.append(CriterionResult(
            f"distinct:{a}:{b}", f"{a.capitalize()} is not the {b}", "segregation", passed,
            "" if passed else f"segregation of duties: the {a} must be someone other than the {b} ({pa})"))
    return GateCheck(gate.name, gate.doi, tuple(results), score, gate.min_score, ok)


def lookup(facts: dict, path: str):
    node = facts
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _explain(text: str, missing: tuple[str, ...]) -> str:
    return f"{text} (value missing: {', '.join(missing)})" if missing else text


def project(facts: dict, paths) -> dict:
    """The part of ``facts`` that ``paths`` reach; compared to detect stale votes."""
    return {p: lookup(facts, p) for p in sorted(paths)}

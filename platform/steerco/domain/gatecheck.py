"""Checking a measure's facts against a gate: criteria, score, fields, evidence.

Runs once per submission and, for an impact preview, once per measure of the
portfolio: the facts are parsed once and every compiled rule reads the handle.
"""

from __future__ import annotations

from typing import NamedTuple

from steerco import rules
from steerco.domain.errors import FailedCriterion
from steerco.domain.governance import Gate

ROLE_LABEL = {"owner": "owner", "sponsor": "sponsor", "controller": "controller"}
_MEMO_SIZE = 256  # distinct failure results remembered per criterion
_OUTCOMES_SIZE = 1024  # distinct engine answers remembered per gate
_PLAN = "_steerco_check_plan"


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


class GateCheck(NamedTuple):
    # A NamedTuple like CriterionResult, not a frozen dataclass: built once per measure
    # of an impact preview, where a frozen dataclass's __init__ cost 5% of the check.
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

    :param facts: the measure's facts (:meth:`Measure.facts` builds them as
        :class:`steerco.rules.PlatformFacts`, which skip the depth scan).
    :param handle: the facts already parsed by :func:`steerco.rules.facts_handle`.
    :raises FactsError: ``facts`` over a cap (too deep, too large, not JSON).
    A criterion whose rule exceeds its work budget on these facts is not met, and says so.
    """
    handle = handle if handle is not None else rules.facts_handle(facts)
    plan = _plan(gate)
    results: list[CriterionResult] = []
    add = results.append
    ok = True
    for path in gate.required_fields:
        value = lookup(facts, path)
        passed = value not in (None, "", [], {})
        ok &= passed
        add(CriterionResult(
            f"field:{path}", f"{path} filled in", "required_field", passed,
            "" if passed else f"the field '{path}' is required at gate '{gate.name}' (value missing: {path})",
            () if passed else (path,)))
    criteria, score, met = plan.criteria(handle)
    results.extend(criteria)
    ok = ok and met
    supplied = facts.get("evidence") or {}
    for req in gate.evidence:
        slot = supplied.get(req.code) or {}
        have = {"file": slot.get("files", 0), "link": slot.get("links", 0)}
        passed = bool(slot.get("waived")) or (have.get(req.kind, 0) if req.kind != "any" else sum(have.values())) > 0
        ok &= passed
        what = {"file": "a file", "link": "a link", "any": "a file or a link"}[req.kind]
        why = "" if passed else f"evidence '{req.label}' is missing: attach {what} or have an approver waive it"
        if not passed and slot.get("unreadable"):
            why += "; Steerco cannot read " + ", ".join(slot["unreadable"])
        results.append(CriterionResult(f"evidence:{req.code}", req.label, "evidence", passed, why))
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


class _Checked:
    """One criterion ready to check, with its results built once and shared (they are immutable).

    An impact preview checks a gate for a whole portfolio, where the same few
    outcomes (met, or not met with the same values missing) repeat.
    """

    __slots__ = ("weight", "met", "failures", "_criterion", "_kind")

    def __init__(self, c, kind: str):
        self.weight = c.weight
        weight = c.weight if kind == "should_meet" else None
        self.met = CriterionResult(c.code, c.label, kind, True, "", (), weight)
        self.failures: dict[tuple[str, ...], CriterionResult] = {}
        self._criterion = c
        self._kind = kind

    def not_met(self, missing: tuple[str, ...]) -> CriterionResult:
        c, kind = self._criterion, self._kind
        result = CriterionResult(c.code, c.label, kind, False, _explain(c.explanation, missing), missing,
                                 c.weight if kind == "should_meet" else None)
        if len(self.failures) < _MEMO_SIZE:  # a plain dict: get/set are atomic, safe across threads
            self.failures[missing] = result
        return result


    def not_checked(self, reason: str) -> CriterionResult:
        c, kind = self._criterion, self._kind
        return CriterionResult(c.code, c.label, kind, False, f"{c.explanation} (not checked: the {reason})", (),
                               c.weight if kind == "should_meet" else None)


class _Plan:
    """A gate's criteria ready to check: one engine call for all of them, and the
    outcome of each distinct engine answer remembered (a portfolio repeats a few)."""

    __slots__ = ("must_meet", "should_meet", "min_score", "source", "_total", "_batch", "_outcomes")

    def __init__(self, gate: Gate):
        self.source = (gate.must_meet, gate.should_meet)
        self.must_meet = tuple(_Checked(c, "must_meet") for c in gate.must_meet)
        self.should_meet = tuple(_Checked(c, "should_meet") for c in gate.should_meet)
        self.min_score = gate.min_score
        total = 0.0
        for c in gate.should_meet:
            total += c.weight
        self._total = total
        self._batch = rules.CheckBatch(c.compiled for c in gate.must_meet + gate.should_meet)
        self._outcomes: dict[tuple, tuple] = {}

    def criteria(self, handle) -> tuple[tuple[CriterionResult, ...], float | None, bool]:
        """``(results, score, met)`` of the must- and should-meet criteria on ``handle``."""
        try:
            answer = key = self._batch.answer(handle)
        except rules.RuleError:
            return self._outcome(self._one_by_one(handle))
        if answer is not None:
            try:
                outcome = self._outcomes.get(answer)
            except TypeError:  # a rule returned a list or an object: decoded, not remembered
                key = None
            else:
                if outcome is not None:
                    return outcome
        outcome = self._outcome(self._batch.checks(answer, handle))
        if key is not None and len(self._outcomes) < _OUTCOMES_SIZE:  # a plain dict: safe across threads
            self._outcomes[key] = outcome
        return outcome

    def _one_by_one(self, handle) -> list:
        """Each rule's check, or for a rule over its work budget (on these facts) why it was not checked:
        that criterion is not met, and the others are judged as usual."""
        checks = []
        for rule in self._batch.rules:
            try:
                checks.append(rule.check_handle(handle))
            except rules.RuleError as e:
                checks.append(_NotChecked(e.problem))
        return checks

    def _outcome(self, checks) -> tuple[tuple[CriterionResult, ...], float | None, bool]:
        results = []
        add = results.append
        ok = True
        for crit, res in zip(self.must_meet, checks):
            if res.passed:
                add(crit.met)
            else:
                ok = False
                add(_failure(crit, res))
        score = None
        if self.should_meet:
            got = 0.0
            for crit, res in zip(self.should_meet, checks[len(self.must_meet):]):
                if res.passed:
                    got += crit.weight
                    add(crit.met)
                else:
                    add(_failure(crit, res))
            score = round(100.0 * got / self._total, 2)
            ok = ok and score >= self.min_score
        return tuple(results), score, ok


class _NotChecked(NamedTuple):
    """A rule that could not be evaluated on these facts (over its work budget)."""

    reason: str
    passed: bool = False
    missing: tuple[str, ...] = ()


def _failure(crit: _Checked, res) -> CriterionResult:
    if isinstance(res, _NotChecked):
        return crit.not_checked(res.reason)
    return crit.failures.get(res.missing) or crit.not_met(res.missing)


def _plan(gate: Gate) -> _Plan:
    """The gate's plan, built on first use and kept on the (immutable) gate."""
    plan = gate.__dict__.get(_PLAN)
    if plan is None or plan.source[0] is not gate.must_meet or plan.source[1] is not gate.should_meet:
        plan = _Plan(gate)
        gate.__dict__[_PLAN] = plan  # not a dataclass field: equality, repr and replace() ignore it
    return plan


def project(facts: dict, paths) -> dict:
    """The part of ``facts`` that ``paths`` reach; compared to detect stale votes."""
    return {p: lookup(facts, p) for p in sorted(paths)}

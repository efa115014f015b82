"""Governance models: gates, criteria, evidence and approval policies as data.

A model is parsed from a plain mapping (YAML in ``config/``, or the admin UI)
into frozen objects. Parsing validates everything an admin can get wrong and
says where ("model 'doi-default' gate 'Decided' criterion 'npv': ...").
Versions are immutable: a measure stays on the version it started with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from steerco import rules
from steerco.domain.cycle import MonthlyCycle, parse_cycle
from steerco.domain.errors import ConfigError

DECISIONS = ("go", "conditional_go", "hold", "recycle", "kill")
APPROVING = frozenset({"go", "conditional_go"})
GATE_TYPES = ("go_no_go", "implementation_readiness", "budget", "change", "closure")
STEP_MODES = ("any", "all", "quorum")
EVIDENCE_KINDS = ("file", "link", "any")
DEFAULT_RISK_WEIGHTS = (0, 10, 25, 50, 90, 100)
# A model that names no baseline gate freezes at DoI 3 when it has that gate, as the default model
# (Decided) always has; versions published before models named their own gate rely on it.
DEFAULT_BASELINE_GATE = 3


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    rule: Any
    explanation: str
    weight: float = 1.0
    compiled: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class EvidenceRequirement:
    code: str
    label: str
    kind: str = "any"


@dataclass(frozen=True)
class ApprovalStep:
    name: str
    roles: tuple[str, ...]
    mode: str = "any"
    quorum: int | None = None
    condition: Any = None
    compiled_condition: Any = field(default=None, compare=False, repr=False)
    # Runs at the same time as the step before it (issue 3); a stage is a run of such steps.
    parallel: bool = False

    def as_dict(self) -> dict:
        return {"name": self.name, "roles": list(self.roles), "mode": self.mode, "quorum": self.quorum,
                "parallel": self.parallel}


@dataclass(frozen=True)
class ApprovalPolicy:
    steps: tuple[ApprovalStep, ...] = ()
    allow_self_approval: bool = False
    # Pairs of measure roles that must be held by different people at this gate.
    distinct: tuple[tuple[str, str], ...] = ()
    # An approval given in an earlier step counts again in a later step the same person may approve (issue 3).
    skip_counted: bool = False


@dataclass(frozen=True)
class Sla:
    reminder_days: int | None = None
    escalation_days: int | None = None
    escalate_to: str | None = None


@dataclass(frozen=True)
class Gate:
    doi: int
    name: str
    gate_type: str
    must_meet: tuple[Criterion, ...] = ()
    should_meet: tuple[Criterion, ...] = ()
    min_score: float = 0.0
    evidence: tuple[EvidenceRequirement, ...] = ()
    required_fields: tuple[str, ...] = ()
    policy: ApprovalPolicy = ApprovalPolicy()
    decisions: tuple[str, ...] = DECISIONS
    sla: Sla = Sla()

    def route(self, handle) -> list[ApprovalStep]:
        """The approval steps whose routing condition holds for the facts behind ``handle``."""
        return [s for s in self.policy.steps
                if s.compiled_condition is None or s.compiled_condition.check_handle(handle).passed]

    def relevant_paths(self) -> frozenset[str]:
        """Fact paths whose change makes a pending review's votes stale."""
        paths: set[str] = set(self.required_fields)
        for c in self.must_meet + self.should_meet:
            paths.update(c.compiled.reads)
        for s in self.policy.steps:
            if s.compiled_condition is not None:
                paths.update(s.compiled_condition.reads)
        for a, b in self.policy.distinct:
            paths.update((a, b))
        paths.add("evidence")
        return frozenset(paths)


@dataclass(frozen=True)
class Level:
    doi: int
    name: str
    risk_weight: float


@dataclass(frozen=True)
class ClosureRule:
    """What the closure gate reads: actuals over the first ``periods`` planned periods, as a share of plan."""

    share_of_plan: float = 90.0
    periods: int = 12


@dataclass(frozen=True)
class GovernanceModel:
    code: str
    name: str
    levels: tuple[Level, ...]
    gates: tuple[Gate, ...]
    # The gate whose approval freezes the plan as baseline; from it on, the plan counts as committed.
    # None: this model never freezes a baseline.
    baseline_gate: int | None = DEFAULT_BASELINE_GATE
    closure: ClosureRule = ClosureRule()
    # The monthly steering cycle (steerco.domain.cycle); None: the defaults apply.
    cycle: MonthlyCycle | None = None

    def gate_for(self, doi: int) -> Gate | None:
        for gate in self.gates:
            if gate.doi == doi:
                return gate
        return None

    def level_name(self, doi: int) -> str:
        for level in self.levels:
            if level.doi == doi:
                return level.name
        return f"DoI {doi}"

    @property
    def final_doi(self) -> int:
        return max(level.doi for level in self.levels)

    @property
    def closure_gate(self) -> Gate | None:
        """The gate that confirms the achieved value and makes it read-only (its type is ``closure``)."""
        return next((g for g in self.gates if g.gate_type == "closure"), None)

    @property
    def closed_doi(self) -> int:
        """The DoI at which a measure counts as closed and its actuals as realized value.

        The closure gate's DoI; a model without a closure gate closes at its last level.
        """
        gate = self.closure_gate
        return gate.doi if gate is not None else self.final_doi


def parse_model(data: Any, operators=None) -> GovernanceModel:
    """Build a model from its mapping form, validating every rule.

    :raises ConfigError: naming the model, gate and item that is wrong.
    """
    where = "governance model"
    m = _mapping(data, where)
    code = _text(m, "code", where)
    where = f"governance model '{code}'"
    name = str(m.get("name") or code)
    levels = _parse_levels(m.get("levels"), where)
    known = {lvl.doi for lvl in levels}
    gates = []
    for i, g in enumerate(_list(m.get("gates", []), f"{where} gates")):
        gate = _parse_gate(g, f"{where} gate #{i + 1}", operators)
        if gate.doi not in known or gate.doi == min(known):
            raise ConfigError(f"{where} gate '{gate.name}'", f"DoI {gate.doi} is not a level that can be reached")
        if any(x.doi == gate.doi for x in gates):
            raise ConfigError(f"{where} gate '{gate.name}'", f"a second gate leads to DoI {gate.doi}")
        gates.append(gate)
    missing = sorted(known - {g.doi for g in gates} - {min(known)})
    if missing:
        raise ConfigError(where, f"no gate leads to DoI {', '.join(map(str, missing))}")
    return GovernanceModel(code=code, name=name, levels=levels, gates=tuple(sorted(gates, key=lambda g: g.doi)),
                           baseline_gate=_parse_baseline_gate(m, levels, where),
                           closure=_parse_closure(m.get("closure"), where),
                           cycle=parse_cycle(m.get("cycle"), where))


def _parse_baseline_gate(m, levels, where) -> int | None:
    last = levels[-1].doi
    if "baseline_gate" not in m:
        return DEFAULT_BASELINE_GATE if DEFAULT_BASELINE_GATE <= last else None
    doi = m["baseline_gate"]
    if doi is None:
        return None
    if not isinstance(doi, int) or isinstance(doi, bool) or not 1 <= doi <= last:
        raise ConfigError(f"{where} baseline_gate",
                          f"the DoI of one of the model's gates (1 to {last}), or null to freeze no baseline")
    return doi


def _parse_closure(raw, where) -> ClosureRule:
    where = f"{where} closure"
    m = _mapping(raw if raw is not None else {}, where)
    unknown = sorted(set(m) - {"share_of_plan", "periods"})
    if unknown:
        raise ConfigError(where, f"unknown setting(s) {', '.join(unknown)}; known: periods, share_of_plan "
                                 "(the closure gate is the gate of type closure)")
    share = m.get("share_of_plan", ClosureRule.share_of_plan)
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1000:
        raise ConfigError(f"{where} share_of_plan", "a percentage such as 90")
    periods = m.get("periods", ClosureRule.periods)
    if not isinstance(periods, int) or isinstance(periods, bool) or periods < 0:
        raise ConfigError(f"{where} periods", "a whole number of 0 or more")
    return ClosureRule(float(share), periods)


def _parse_levels(raw, where) -> tuple[Level, ...]:
    if raw is None:
        names = ("Defined", "Identified", "Detailed", "Decided", "Implemented", "Closed")
        return tuple(Level(i, n, w) for i, (n, w) in enumerate(zip(names, DEFAULT_RISK_WEIGHTS)))
    levels = []
    for i, item in enumerate(_list(raw, f"{where} levels")):
        lw = f"{where} level #{i + 1}"
        m = _mapping(item, lw)
        doi = _int(m, "doi", lw)
        if doi != i:
            raise ConfigError(lw, f"levels must be numbered 0, 1, 2... in order; found DoI {doi} at position {i}")
        weight = m.get("risk_weight", 0)
        if not isinstance(weight, (int, float)) or not 0 <= weight <= 100:
            raise ConfigError(lw, "risk_weight must be a percentage between 0 and 100")
        levels.append(Level(doi, _text(m, "name", lw), float(weight)))
    if len(levels) < 2:
        raise ConfigError(where, "a model needs at least two levels")
    return tuple(levels)


def _parse_gate(raw, where, operators) -> Gate:
    m = _mapping(raw, where)
    name = _text(m, "name", where)
    where = where.rsplit(" gate ", 1)[0] + f" gate '{name}'"
    doi = _int(m, "doi", where)
    gate_type = m.get("type", "go_no_go")
    if gate_type not in GATE_TYPES:
        raise ConfigError(where, f"type must be one of {', '.join(GATE_TYPES)}, not '{gate_type}'")
    must = tuple(_parse_criterion(c, where, "must_meet", operators) for c in _list(m.get("must_meet", []), where))
    should = tuple(_parse_criterion(c, where, "should_meet", operators) for c in _list(m.get("should_meet", []), where))
    _unique([c.code for c in must + should], f"{where} criteria")
    min_score = m.get("min_score", 0)
    if not isinstance(min_score, (int, float)) or not 0 <= min_score <= 100:
        raise ConfigError(where, "min_score must be a percentage between 0 and 100")
    evidence = tuple(_parse_evidence(e, where) for e in _list(m.get("evidence", []), where))
    _unique([e.code for e in evidence], f"{where} evidence")
    fields = tuple(str(f) for f in _list(m.get("required_fields", []), where))
    decisions = tuple(_list(m.get("decisions", list(DECISIONS)), where))
    for d in decisions:
        if d not in DECISIONS:
            raise ConfigError(where, f"unknown decision '{d}'; allowed: {', '.join(DECISIONS)}")
    if "go" not in decisions:
        raise ConfigError(where, "the decisions must include 'go'")
    return Gate(
        doi=doi,
        name=name,
        gate_type=gate_type,
        must_meet=must,
        should_meet=should,
        min_score=float(min_score),
        evidence=evidence,
        required_fields=fields,
        policy=_parse_policy(m.get("approval", {}), where, operators),
        decisions=decisions,
        sla=_parse_sla(m.get("sla", {}), where),
    )


def _parse_criterion(raw, where, kind, operators) -> Criterion:
    m = _mapping(raw, f"{where} {kind}")
    code = _text(m, "code", f"{where} {kind}")
    cw = f"{where} criterion '{code}'"
    if "rule" not in m:
        raise ConfigError(cw, "a rule is required")
    compiled = _compile(m["rule"], cw, operators)
    weight = m.get("weight", 1)
    if kind == "should_meet" and (not isinstance(weight, (int, float)) or weight <= 0):
        raise ConfigError(cw, "weight must be a positive number")
    return Criterion(
        code=code,
        label=str(m.get("label") or code),
        rule=compiled.source,
        explanation=str(m.get("explanation") or m.get("label") or code),
        weight=float(weight),
        compiled=compiled,
    )


def _parse_evidence(raw, where) -> EvidenceRequirement:
    m = _mapping(raw, f"{where} evidence")
    code = _text(m, "code", f"{where} evidence")
    kind = m.get("kind", "any")
    if kind not in EVIDENCE_KINDS:
        raise ConfigError(f"{where} evidence '{code}'", f"kind must be one of {', '.join(EVIDENCE_KINDS)}")
    return EvidenceRequirement(code=code, label=str(m.get("label") or code), kind=kind)


def _parse_policy(raw, where, operators) -> ApprovalPolicy:
    m = _mapping(raw or {}, f"{where} approval")
    steps = []
    for i, s in enumerate(_list(m.get("steps", []), f"{where} approval steps")):
        sw = f"{where} approval step #{i + 1}"
        sm = _mapping(s, sw)
        roles = tuple(str(r) for r in _list(sm.get("roles", []), sw))
        if not roles:
            raise ConfigError(sw, "name at least one approver role")
        mode = sm.get("mode", "any")
        if mode not in STEP_MODES:
            raise ConfigError(sw, f"mode must be one of {', '.join(STEP_MODES)}, not '{mode}'")
        quorum = sm.get("quorum")
        if mode == "quorum" and (not isinstance(quorum, int) or quorum < 1):
            raise ConfigError(sw, "quorum mode needs 'quorum', a whole number of at least 1")
        condition = sm.get("condition")
        compiled = _compile(condition, f"{sw} condition", operators) if condition is not None else None
        parallel = sm.get("parallel", False)
        if not isinstance(parallel, bool):
            raise ConfigError(sw, "parallel must be true or false")
        steps.append(ApprovalStep(str(sm.get("name") or f"Step {i + 1}"), roles, mode, quorum, condition, compiled,
                                  parallel))
    distinct = []
    for pair in _list(m.get("distinct", []), f"{where} approval distinct"):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise ConfigError(f"{where} approval distinct", "each entry is a pair of roles, e.g. [controller, owner]")
        distinct.append((str(pair[0]), str(pair[1])))
    skip = m.get("skip_counted", False)
    if not isinstance(skip, bool):
        raise ConfigError(f"{where} approval", "skip_counted must be true or false")
    return ApprovalPolicy(tuple(steps), bool(m.get("allow_self_approval", False)), tuple(distinct), skip)


def _parse_sla(raw, where) -> Sla:
    m = _mapping(raw or {}, f"{where} sla")
    for key in ("reminder_days", "escalation_days"):
        v = m.get(key)
        if v is not None and (not isinstance(v, int) or v < 0):
            raise ConfigError(f"{where} sla", f"{key} must be a whole number of days")
    return Sla(m.get("reminder_days"), m.get("escalation_days"), m.get("escalate_to"))


def _compile(rule, where, operators):
    try:
        compiled = rules.compile_rule(rule, operators=operators)
        # Once on facts with no values: work a rule does on its own literals (a map over a long literal
        # array) is the same for every measure, and over budget it would fail every check of the gate.
        compiled.check(rules.PlatformFacts({}))
    except rules.RuleError as e:
        raise ConfigError(where, str(e)) from None
    return compiled


def _mapping(v, where) -> dict:
    if not isinstance(v, dict):
        raise ConfigError(where, f"expected a mapping, got {type(v).__name__}")
    return v


def _list(v, where) -> list:
    if not isinstance(v, list):
        raise ConfigError(where, f"expected a list, got {type(v).__name__}")
    return v


def _text(m, key, where) -> str:
    v = m.get(key)
    if not isinstance(v, str) or not v.strip():
        raise ConfigError(where, f"'{key}' is required text")
    return v.strip()


def _int(m, key, where) -> int:
    v = m.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise ConfigError(where, f"'{key}' must be a whole number")
    return v


def _unique(codes, where):
    seen = set()
    for c in codes:
        if c in seen:
            raise ConfigError(where, f"code '{c}' is used twice")
        seen.add(c)

"""What criteria may read: the facts the platform builds for every measure, and the custom
fields of the measure types on the criterion's model.

A rule reading a path no measure can have is not wrong JSONLogic, so compiling it
succeeds; it just never sees a value (and under ``!`` always passes). The rule:

- a path whose first part is not one of :data:`~steerco.domain.measure.FACT_ROOTS`
  is an **error** wherever the rule is written;
- ``fields.X`` is an **error** when the model has measure types and none of them
  has field X, and a **warning** while the model has no measure type yet (the
  type added later must have X). Which types count is the caller's to say: at
  ``config apply``, the types as they will be once the file is applied; in the
  editor, the types stored now;
- a var path computed from the facts cannot be checked: a **warning**.

Approval-step conditions and required fields are judged the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches

from steerco import rules
from steerco.domain.measure import FACT_ROOTS

ERROR = "error"
WARNING = "warning"
_LISTED = 12  # field keys named in a message before "..."


@dataclass(frozen=True)
class PathFinding:
    """One path a rule reads that no measure has (an error) or may not have (a warning)."""

    severity: str
    location: str
    path: str
    problem: str
    doi: int | None = None
    criterion: str | None = None

    def as_dict(self) -> dict:
        return {"severity": self.severity, "location": self.location, "doi": self.doi,
                "criterion": self.criterion, "path": self.path, "problem": self.problem,
                "message": f"{self.location}: {self.problem}"}


@dataclass(frozen=True)
class ModelFields:
    """The custom fields the measures of one governance model can have.

    :ivar types: field keys by measure type code; empty while the model has no type.
    """

    model: str
    types: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset().union(*self.types.values())


def path_findings(path: str, fields: ModelFields | None, location: str, *, doi: int | None = None,
                  criterion: str | None = None) -> list[PathFinding]:
    """What is wrong with reading ``path``.

    :param fields: the model's measure types; None: unknown, ``fields.*`` is not judged.
    """
    root, _, rest = path.partition(".")

    def found(severity, problem):
        return [PathFinding(severity, location, path, problem, doi, criterion)]

    if root not in FACT_ROOTS:
        return found(ERROR, f"reads '{path}', but a measure has no fact '{root}'{_hint(root, FACT_ROOTS)}")
    if root != "fields" or not rest or fields is None:
        return []
    key = rest.split(".", 1)[0]
    if key in fields.keys:
        return []
    if not fields.types:
        return found(WARNING, f"reads '{path}', but model '{fields.model}' has no measure type yet: "
                              f"the type you add for it needs a field '{key}'")
    known = sorted(fields.keys)
    listed = ", ".join(known[:_LISTED]) + (", ..." if len(known) > _LISTED else "") if known else "none"
    hint = _hint(key, known) or f" (their fields: {listed})"
    return found(ERROR, f"reads '{path}', but no measure type of model '{fields.model}' "
                        f"({', '.join(sorted(fields.types))}) has a field '{key}'{hint}")


def rule_findings(compiled, fields: ModelFields | None, location: str, *, doi: int | None = None,
                  criterion: str | None = None) -> list[PathFinding]:
    """:func:`path_findings` for every path a compiled rule reads."""
    out = []
    for path in compiled.reads:
        out.extend(path_findings(path, fields, location, doi=doi, criterion=criterion))
    if not compiled.reads_complete:
        out.append(PathFinding(WARNING, location, "", "reads a var path computed from the facts, which cannot "
                                                      "be checked against the facts a measure has", doi, criterion))
    return out


def definition_findings(definition, fields: ModelFields | None) -> list[PathFinding]:
    """Findings for every criterion, required field and approval condition of a model's mapping form.

    Works on drafts that do not validate yet: what cannot be read (a rule that does not
    compile, a gate that is not a mapping) is left to the model's own validation.
    """
    if not isinstance(definition, dict):
        return []
    where = f"governance model '{definition.get('code')}'"
    out: list[PathFinding] = []
    for gate in definition.get("gates") or []:
        if not isinstance(gate, dict):
            continue
        doi = gate.get("doi") if isinstance(gate.get("doi"), int) else None
        gw = f"{where} gate '{gate.get('name')}'"
        for kind in ("must_meet", "should_meet"):
            for c in _list(gate.get(kind)):
                if isinstance(c, dict) and "rule" in c:
                    code = str(c.get("code"))
                    out.extend(_compiled_findings(c["rule"], fields, f"{gw} criterion '{code}'", doi, code))
        for path in _list(gate.get("required_fields")):
            if isinstance(path, str):
                out.extend(path_findings(path, fields, f"{gw} required field", doi=doi))
        approval = gate.get("approval") if isinstance(gate.get("approval"), dict) else {}
        for i, step in enumerate(_list(approval.get("steps"))):
            if isinstance(step, dict) and step.get("condition") is not None:
                name = f"'{step['name']}'" if step.get("name") else f"#{i + 1}"
                out.extend(_compiled_findings(step["condition"], fields, f"{gw} approval step {name} condition",
                                              doi, None))
    return out


def _compiled_findings(rule, fields, location, doi, criterion) -> list[PathFinding]:
    try:
        compiled = rules.compile_rule(rule)
    except rules.RuleError:
        return []
    findings = rule_findings(compiled, fields, location, doi=doi, criterion=criterion)
    try:
        # Work on its own literals costs the same on every measure's facts: over budget, the gate could
        # never be checked.
        compiled.check(rules.PlatformFacts({}))
    except rules.RuleError as e:
        findings.insert(0, PathFinding(ERROR, location, "", str(e), doi, criterion))
    return findings


def _hint(name: str, known) -> str:
    close = get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _list(v) -> list:
    return v if isinstance(v, list) else []

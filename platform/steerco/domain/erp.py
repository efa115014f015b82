"""Mapping ERP keys to measures and value lines, shared by the ERP connectors (SAP, Oracle...).

An ERP answers amounts per *keys*: the values of the dimensions a connector
asked for (company code, cost centre, G/L account, WBS element, project,
order, profit centre, a text field holding a measure code). The mapping turns
one record's keys into what the actuals import reads: a measure code and
category, or a cost centre (and account) or WBS element that a value line
carries. Records it cannot place are *unmapped*: listed with their keys,
never dropped.

Resolution order: the rules in their order (first match wins), then a
measure code found in the measure-code field, then the value lines' own
cost centre / account / WBS element (when ``line_mapping`` is on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from steerco.domain.errors import ValidationFailed
from steerco.domain.hierarchy import check_code

ROLES = ("company_code", "cost_centre", "account", "wbs", "project", "order", "profit_centre", "measure_code")
"""The ERP keys a rule may match, one word each (a connector names the field behind each one)."""
LINE_ROLES = ("cost_centre", "account", "wbs")
MAX_RULES = 5000
MAX_VALUE = 64


@dataclass(frozen=True)
class Rule:
    """Records whose keys match every ``match`` entry book to ``measure`` (and ``category``).

    A value ending in ``*`` matches keys starting with the rest (``0061*``: every account from 0061).
    """

    match: tuple[tuple[str, str], ...]
    measure: str
    category: str = ""

    def matches(self, keys: dict) -> bool:
        for role, value in self.match:
            key = keys.get(role) or ""
            if value.endswith("*"):
                if not key.startswith(value[:-1]):
                    return False
            elif key != value:
                return False
        return True

    def as_dict(self) -> dict:
        return {**dict(self.match), "measure": self.measure, **({"category": self.category} if self.category else {})}


class Mapping:
    """The mapping of one ERP connector configuration (see the module docstring for the order)."""

    def __init__(self, rules: tuple[Rule, ...] = (), *, measure_code_pattern: str | None = None,
                 line_mapping: bool = True, has_measure_code: bool = False):
        self.rules = rules
        self.line_mapping = line_mapping
        self.has_measure_code = has_measure_code
        self.pattern = re.compile(measure_code_pattern) if measure_code_pattern else None
        # rules of one exact key each resolve by lookup: thousands of rules cost no more than one
        self._exact: dict[tuple[str, str], int] = {}
        for i, r in enumerate(rules):
            if len(r.match) == 1 and not r.match[0][1].endswith("*"):
                self._exact.setdefault(r.match[0], i)
        self._scan = [i for i, r in enumerate(rules) if not (len(r.match) == 1 and not r.match[0][1].endswith("*"))]

    @property
    def roles(self) -> list[str]:
        """The key roles a connector must read for this mapping, in :data:`ROLES` order."""
        used = {role for r in self.rules for role, _v in r.match}
        if self.has_measure_code:
            used.add("measure_code")
        if self.line_mapping:
            used.update(LINE_ROLES)
        return [r for r in ROLES if r in used]

    def resolve(self, keys: dict) -> tuple[str, str, str, str, str] | None:
        """``(measure, category, cost_centre, account, wbs)`` as the actuals import reads them, or None."""
        rule = self._rule(keys)
        if rule is not None:
            return rule.measure, rule.category, "", "", ""
        if self.has_measure_code:
            code = self.measure_code(keys.get("measure_code") or "")
            if code:
                return code, "", "", "", ""
        if self.line_mapping and (keys.get("cost_centre") or keys.get("wbs")):
            return "", "", keys.get("cost_centre") or "", keys.get("account") or "", keys.get("wbs") or ""
        return None

    def measure_code(self, text: str) -> str:
        text = text.strip()
        if not text or self.pattern is None:
            return text
        m = self.pattern.search(text)
        return (m.group(1) if m.groups() else m.group(0)) if m else ""

    def _rule(self, keys: dict) -> Rule | None:
        best = None
        for role, value in keys.items():
            i = self._exact.get((role, value or ""))
            if i is not None and (best is None or i < best):
                best = i
        for i in self._scan:
            if best is not None and i > best:
                break
            if self.rules[i].matches(keys):
                best = i
                break
        return self.rules[best] if best is not None else None


def parse_rules(raw) -> tuple[Rule, ...]:
    """Mapping rules from settings: ``[{"cost_centre": "10101101", "account": "0061*", "measure": "M-0001",
    "category": "savings"}, ...]``.

    :raises ValidationFailed: naming the rule (``mapping[i]``) and what is wrong with it.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValidationFailed({"mapping": ["a list of rules such as {\"cost_centre\": \"10101101\", "
                                            "\"measure\": \"M-0001\"}"]})
    if len(raw) > MAX_RULES:
        raise ValidationFailed({"mapping": [f"at most {MAX_RULES} rules"]})
    errors: dict[str, list[str]] = {}
    rules = []
    for i, r in enumerate(raw):
        where = f"mapping[{i}]"
        if not isinstance(r, dict):
            errors[where] = ["a rule: ERP keys to match, a measure and optionally a category"]
            continue
        unknown = sorted(set(r) - set(ROLES) - {"measure", "category"})
        if unknown:
            errors[where] = [f"unknown key(s) {', '.join(unknown)}; keys: {', '.join(ROLES)}"]
            continue
        match = tuple((role, str(r[role]).strip()) for role in ROLES if role in r)
        if not match or any(not v or len(v) > MAX_VALUE for _role, v in match):
            errors[where] = [f"match at least one key, each a value of 1-{MAX_VALUE} characters"]
            continue
        try:
            measure = check_code(str(r.get("measure") or "").strip())
        except ValidationFailed:
            errors[f"{where}.measure"] = ["a measure code such as M-0042"]
            continue
        rules.append(Rule(match, measure, str(r.get("category") or "").strip()))
    if errors:
        raise ValidationFailed(errors)
    return tuple(rules)


def check_pattern(pattern: str | None) -> str | None:
    """:raises ValidationFailed: the measure-code pattern is not a regular expression with at most one group."""
    if not pattern:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error as e:
        raise ValidationFailed({"measure_code_pattern": [f"not a regular expression: {e}"]}) from None
    if compiled.groups > 1:
        raise ValidationFailed({"measure_code_pattern": ["at most one group: the measure code"]})
    return pattern

"""Previews of a configuration change before it is published: the diff of a
draft against the current version, a rule tested on one measure, and the
impact of a changed gate on the portfolio (which measures would pass or fail).
"""

from __future__ import annotations

from sqlalchemy import false, or_, select

from steerco import rules
from steerco.domain import rights
from steerco.domain.errors import ConfigError, ValidationFailed
from steerco.domain.fact_paths import ERROR, rule_findings
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.domain.impact import ImpactTally
from steerco.domain.measure import Measure
from steerco.services.access import visible_measure
from steerco.services.configuration.drafts import draft, require_configurer
from steerco.services.configuration.rule_checks import stored_fields
from steerco.services.governance.facts import facts_for, facts_for_many
from steerco.services.models import model_of
from steerco.store import tables as t

# Measures checked per preview: every one facing a gate of a 50,000-measure portfolio (about 8,300);
# the answer says when more exist.
IMPACT_LIMIT = 10_000
IMPACT_CHUNK = 500  # measures whose facts are loaded together (a bounded number of queries per chunk)
GATE_KEYS = ("name", "type", "min_score", "required_fields", "decisions", "sla", "approval")
MODEL_KEYS = ("baseline_gate", "closure")  # the model's value rules; absent means the default


def model_diff(before: dict | None, after: dict) -> list[dict]:
    """What publishing ``after`` changes compared to ``before``, one line per change.

    :returns: ``[{"where", "change": added|removed|changed, "what"}]`` in model order.
    """
    before = before or {}
    out: list[dict] = []
    if before.get("name") != after.get("name"):
        out.append({"where": "model", "change": "changed", "what": f"name: {before.get('name')} → {after.get('name')}"})
    for key in MODEL_KEYS:
        # compared as values: a mapping read back from YAML may list its keys in another order
        if (key in before, before.get(key)) != (key in after, after.get(key)):
            out.append({"where": "model", "change": "changed", "what": f"{key.replace('_', ' ')}: "
                        f"{_setting(before, key)} → {_setting(after, key)}"})
    old_levels = {lv.get("doi"): lv for lv in before.get("levels") or []}
    for lv in after.get("levels") or []:
        prev = old_levels.pop(lv.get("doi"), None)
        if prev is None:
            out.append({"where": f"DoI {lv.get('doi')}", "change": "added", "what": f"level {lv.get('name')}"})
        elif prev != lv:
            out.append({"where": f"DoI {lv.get('doi')}", "change": "changed",
                        "what": f"level {prev.get('name')} ({prev.get('risk_weight')}%) → {lv.get('name')} "
                                f"({lv.get('risk_weight')}%)"})
    for doi, lv in old_levels.items():
        out.append({"where": f"DoI {doi}", "change": "removed", "what": f"level {lv.get('name')}"})
    old_gates = {g.get("doi"): g for g in before.get("gates") or []}
    for g in after.get("gates") or []:
        prev = old_gates.pop(g.get("doi"), None)
        where = f"gate '{g.get('name')}'"
        if prev is None:
            out.append({"where": where, "change": "added", "what": f"gate to DoI {g.get('doi')}"})
            prev = {}
        for key in GATE_KEYS:
            if prev and prev.get(key) != g.get(key):
                out.append({"where": where, "change": "changed", "what": f"{key.replace('_', ' ')}: "
                            f"{_short(prev.get(key))} → {_short(g.get(key))}"})
        for kind in ("must_meet", "should_meet", "evidence"):
            out.extend(_items_diff(prev.get(kind) or [], g.get(kind) or [], where, kind.replace("_", "-")))
    for g in old_gates.values():
        out.append({"where": f"gate '{g.get('name')}'", "change": "removed", "what": f"gate to DoI {g.get('doi')}"})
    return out


def _items_diff(old: list, new: list, where: str, kind: str) -> list[dict]:
    out = []
    by_code = {i.get("code"): i for i in old}
    for item in new:
        prev = by_code.pop(item.get("code"), None)
        label = item.get("label") or item.get("code")
        if prev is None:
            out.append({"where": where, "change": "added", "what": f"{kind} '{label}'"})
        elif prev != item:
            fields = [k for k in sorted(set(prev) | set(item)) if prev.get(k) != item.get(k)]
            out.append({"where": where, "change": "changed", "what": f"{kind} '{label}': {', '.join(fields)}"})
    for item in by_code.values():
        out.append({"where": where, "change": "removed", "what": f"{kind} '{item.get('label') or item.get('code')}'"})
    return out


def _setting(definition: dict, key: str) -> str:
    if key not in definition:
        return "default"
    return "none" if definition[key] is None else _short(definition[key])


def _short(v) -> str:
    text = str(v)
    return text if len(text) <= 80 else text[:77] + "..."


def test_rule(uow, rule, measure_code: str) -> dict:
    """Check one rule against one measure the actor may see.

    :returns: ``passed``, the values ``missing``, and ``warnings`` about fields the measure types
        of the measure's model do not have yet.
    :raises ValidationFailed: ``rule`` is not a valid rule, or reads what no measure of the measure's
        model can have (it would fail for a reason the measure cannot fix); ``measure`` is unknown.
    """
    compiled = _compile(rule)
    measure = uow.measure_by_code(measure_code or "")
    if measure is None:
        raise ValidationFailed({"measure": [f"no measure '{measure_code}'"]})
    visible_measure(uow, measure.id)
    found = rule_findings(compiled, stored_fields(uow, measure.model_version.model_code), "rule")
    errors = [f.problem for f in found if f.severity == ERROR]
    if errors:
        raise ValidationFailed({"rule": errors})
    res = compiled.check(facts_for(uow, measure))
    return {"measure": measure.code, "title": measure.title, "passed": res.passed, "missing": list(res.missing),
            "warnings": [f.as_dict() for f in found if f.severity != ERROR]}


def impact(uow, code: str, definition: dict | None, doi: int) -> dict:
    """How the draft's gate to ``doi`` would judge the measures that face it next.

    Measures of model ``code`` at DoI ``doi - 1`` (not killed, visible to the actor) are checked
    against the gate they face now (their version's) and the drafted gate, criterion by criterion.

    :param definition: the model as drafted (the editor sends it as edited, saved or not);
        None: the saved draft, or the latest version when no draft is open.
    :returns: ``checked``, ``more`` (more measures face the gate than :data:`IMPACT_LIMIT`),
        gate pass/fail counts ``now`` and with the ``draft``, per-criterion counts and changes
        (``criteria``), and every measure whose gate result or any criterion result changes (``changed``).
    :raises ValidationFailed: the draft does not validate, or has no gate to ``doi``.
    :raises NotFound: no definition given and no such model.
    """
    actor = require_configurer(uow)
    if definition is None:
        definition = draft(uow, code)["definition"]
    if not isinstance(definition, dict):
        raise ValidationFailed({"definition": ["expected the model as an object"]})
    try:
        draft_gate = parse_model({**definition, "code": code}).gate_for(doi)
    except ConfigError as e:
        raise ValidationFailed({"definition": [f"{e.location}: {e.problem}"]}) from None
    if draft_gate is None:
        raise ValidationFailed({"doi": [f"the draft has no gate to DoI {doi}"]})
    tally = ImpactTally()
    rows = _facing(uow, actor, code, doi)
    more = len(rows) > IMPACT_LIMIT
    rows = rows[:IMPACT_LIMIT]
    for start in range(0, len(rows), IMPACT_CHUNK):
        chunk = rows[start:start + IMPACT_CHUNK]
        facts_of = facts_for_many(uow, chunk)
        for m in chunk:
            facts = facts_of[m.id]
            handle = rules.facts_handle(facts)
            current_gate = model_of(m.model_version).gate_for(doi)
            before = check_gate(current_gate, facts, handle=handle) if current_gate else None
            tally.add({"code": m.code, "id": m.id, "title": m.title}, before,
                      check_gate(draft_gate, facts, handle=handle))
    return {"checked": len(rows), "more": more, "now": tally.now, "draft": tally.draft,
            "criteria": tally.criteria(), "changed": tally.changed}


def _facing(uow, actor, code: str, doi: int) -> list:
    """Measures of model ``code`` the actor may see that face the gate to ``doi`` next (one more than the limit)."""
    versions = [v.id for v in uow.model_versions() if v.model_code == code]
    if not versions:
        return []
    q = (select(Measure).join(t.nodes, t.nodes.c.id == t.measures.c.node_id)
         .where(t.measures.c.model_version_id.in_(versions), t.measures.c.doi == doi - 1,
                t.measures.c.cancelled.is_(False)).order_by(t.measures.c.code).limit(IMPACT_LIMIT + 1))
    scopes = rights.visible_scopes(actor)
    if scopes is not None:
        paths = [t.nodes.c.path.startswith(s, autoescape=True) for s in scopes]
        q = q.where(or_(*paths) if paths else false())
    return list(uow.session.scalars(q))


def _compile(rule):
    try:
        return rules.compile_rule(rule)
    except rules.RuleError as e:
        raise ValidationFailed({"rule": [str(e)]}) from None


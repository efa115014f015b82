"""Previews of a configuration change before it is published: a rule tested
on one measure, and the impact of a changed gate on the portfolio (which measures would pass or fail).
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


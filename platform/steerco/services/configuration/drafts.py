"""Editing configuration in the web app: governance model drafts, their diff and
publication, and measure types with their custom form.

A draft is free to be incomplete while an admin works on it; publishing runs
the same validation as ``steerco config apply`` and creates a new immutable
version (measures stay on theirs).
"""

from __future__ import annotations

import copy
import re

from sqlalchemy import delete, func, select

from steerco.domain import rights
from steerco.domain.errors import ConfigError, NotFound, ValidationFailed
from steerco.domain.fact_paths import definition_findings
from steerco.domain.governance import DECISIONS, parse_model
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import rule_checks
from steerco.store import tables as t
from steerco.store.tables_ui import model_drafts as d

_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def require_configurer(uow):
    actor = uow.require_user(uow.actor)
    rights.require(rights.can_configure(actor), f"{actor.username} may not change the configuration "
                                                "(admins and consultants do)")
    return actor


def overview(uow) -> list[dict]:
    """Every governance model: latest version, whether a draft is open, its measure types and measures."""
    latest: dict[str, object] = {}
    for v in uow.model_versions():
        latest[v.model_code] = v
    drafts = {r.model_code: r for r in uow.session.execute(select(d.c.model_code, d.c.updated_at, d.c.updated_by))}
    counts = dict(uow.session.execute(
        select(t.model_versions.c.model_code, func.count()).select_from(
            t.measures.join(t.model_versions, t.model_versions.c.id == t.measures.c.model_version_id))
        .group_by(t.model_versions.c.model_code)).all())
    types = uow.measure_types()
    out = []
    for code in sorted(set(latest) | set(drafts)):
        v = latest.get(code)
        dr = drafts.get(code)
        out.append({"code": code, "name": (v.definition.get("name") if v else None) or code,
                    "version": v.version if v else None, "published_at": v.created_at.isoformat() if v else None,
                    "draft": {"updated_at": dr.updated_at.isoformat(), "by": dr.updated_by} if dr else None,
                    "types": [mt.name for mt in types if mt.model_code == code], "measures": counts.get(code, 0)})
    return out


def draft(uow, code: str) -> dict:
    """The draft of ``code``, or a copy of its latest version when none is open.

    :raises NotFound: no such model and no draft.
    """
    row = uow.session.execute(select(d).where(d.c.model_code == code)).first()
    latest = uow.latest_model_version(code)
    if row is not None:
        return {"code": code, "definition": row.definition, "base_version": row.base_version, "open": True,
                "latest_version": latest.version if latest else None}
    if latest is None:
        raise NotFound(f"governance model: no model '{code}'")
    return {"code": code, "definition": copy.deepcopy(latest.definition), "base_version": latest.version,
            "open": False, "latest_version": latest.version}


def save_draft(uow, code: str, definition: dict) -> dict:
    """Store the draft, which may be incomplete but may not read what no measure can have.

    :returns: ``problem``: the first thing that would stop publication (None when it would publish
        cleanly); ``warnings``: paths measures of this model may not have yet.
    :raises ConfigProblems: criteria read paths no measure can have (nothing is saved).
    """
    require_configurer(uow)
    if not isinstance(definition, dict):
        raise ValidationFailed({"definition": ["expected the model as an object"]})
    definition = {**definition, "code": code}
    warnings = rule_checks.judge(definition_findings(definition, rule_checks.stored_fields(uow, code)))
    latest = uow.latest_model_version(code)
    values = {"definition": definition, "updated_at": uow.now, "updated_by": uow.actor}
    exists = uow.session.scalar(select(d.c.id).where(d.c.model_code == code))
    if exists:
        uow.session.execute(d.update().where(d.c.id == exists).values(**values))
    else:
        uow.session.execute(d.insert().values(model_code=code, base_version=latest.version if latest else None,
                                              **values))
    uow.record("model.draft_saved", "governance_model", code, after={"gates": len(definition.get("gates") or [])})
    return {"problem": problem_of(definition), "warnings": warnings}


def start_model(uow, code: str, name: str, copy_from: str | None = None) -> str:
    """Open a draft for a new model: a copy of ``copy_from``, or three gates ready to fill in."""
    require_configurer(uow)
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValidationFailed({"code": ["use lower-case letters, digits, '.', '_' or '-' (e.g. 'it-projects')"]})
    if not (name or "").strip():
        raise ValidationFailed({"name": ["required"]})
    if uow.latest_model_version(code) or uow.session.scalar(select(d.c.id).where(d.c.model_code == code)):
        raise ValidationFailed({"code": [f"a model '{code}' already exists"]})
    if copy_from:
        source = uow.latest_model_version(copy_from)
        if source is None:
            raise ValidationFailed({"copy_from": [f"no model '{copy_from}'"]})
        definition = {**copy.deepcopy(source.definition), "code": code, "name": name.strip()}
    else:
        definition = skeleton(code, name.strip())
    save_draft(uow, code, definition)
    return code


def skeleton(code: str, name: str, gates: int = 3) -> dict:
    names = ["Idea", "Scoped", "Approved", "Delivered", "Closed", "Confirmed"]
    levels = [{"doi": i, "name": names[i], "risk_weight": round(100 * i / gates)} for i in range(gates + 1)]
    # the plan is frozen when the measure is approved ("Approved"), not at the model's last gate
    return {"code": code, "name": name, "levels": levels, "baseline_gate": min(2, gates),
            "gates": [{"doi": i, "name": names[i], "type": "go_no_go", "must_meet": [], "should_meet": [],
                       "min_score": 0, "evidence": [], "required_fields": [],
                       "approval": {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"], "mode": "any"}]},
                       "decisions": list(DECISIONS), "sla": {"reminder_days": 5, "escalation_days": 10}}
                      for i in range(1, gates + 1)]}


def problem_of(definition: dict) -> dict | None:
    """The first thing that would stop publication, as ``{location, problem}``."""
    try:
        configuration.validate({"governance_models": [definition]})
        parse_model(definition)
    except ConfigError as e:
        return {"location": e.location, "problem": e.problem}
    return None


def discard(uow, code: str) -> None:
    require_configurer(uow)
    uow.session.execute(delete(d).where(d.c.model_code == code))
    uow.record("model.draft_discarded", "governance_model", code)


def publish(uow, code: str) -> dict:
    """Publish the open draft of ``code`` as its next version.

    :raises ConfigError: the draft does not validate, or (:class:`ConfigProblems`) reads paths no
        measure can have, judged by the measure types stored now (nothing is written).
    :raises NotFound: no draft is open.
    """
    require_configurer(uow)
    row = uow.session.execute(select(d).where(d.c.model_code == code)).first()
    if row is None:
        raise NotFound(f"draft: no open draft of model '{code}'")
    report = configuration.apply(uow, {"governance_models": [row.definition]})
    uow.session.execute(delete(d).where(d.c.model_code == code))
    latest = uow.latest_model_version(code)
    return {"version": latest.version, "changed": report.changed, "warnings": report.warnings}


def save_measure_type(uow, code: str, name: str, model_code: str, fields: list) -> None:
    """Create or change a measure type and its form (custom fields), validated like a config file."""
    require_configurer(uow)
    try:
        configuration.apply(uow, {"measure_types": [{"code": code, "name": name, "model": model_code,
                                                     "fields": fields}]})
    except ConfigError as e:
        key = "fields" if "field" in e.location else ("model" if "model" in e.problem else "code")
        raise ValidationFailed({key: [f"{e.location}: {e.problem}"]}) from None


BASE_FACTS = (
    ("title", "Title", "text"), ("description", "Description", "text"), ("owner", "Owner", "user"),
    ("sponsor", "Sponsor", "user"), ("controller", "Controller", "user"), ("currency", "Currency", "text"),
    ("potential", "Potential", "money"), ("baseline", "Baseline", "money"), ("target", "Target", "money"),
    ("milestones", "Milestones", "count"), ("risks", "Risks", "count"),
    ("milestones_open", "Open milestones", "number"), ("conditions_open", "Open conditions", "number"),
    ("value.reconciled", "Actuals reconciled with the ERP", "boolean"),
)
KINDS = {"text": "text", "long_text": "text", "user": "text", "link": "text", "number": "number", "money": "number",
         "date": "date", "choice": "choice", "multi_choice": "multi", "boolean": "boolean", "count": "count"}


def catalogue(uow, code: str, definition: dict | None = None) -> list[dict]:
    """What a criterion of model ``code`` can read, for the visual builder.

    :returns: ``[{"path", "label", "kind", "choices"}]``: the measure's own facts, the custom
        fields of every measure type on this model, and the evidence of each requirement.
    """
    out = [{"path": p, "label": label, "kind": KINDS[k], "choices": []} for p, label, k in BASE_FACTS]
    seen = set()
    for mt in uow.measure_types():
        if mt.model_code != code:
            continue
        for f in mt.form:
            if f.key in seen:
                continue
            seen.add(f.key)
            out.append({"path": f"fields.{f.key}", "label": f"{f.label} ({mt.name})", "kind": KINDS[f.type],
                        "choices": list(f.choices)})
    reqs = {}
    for g in (definition or {}).get("gates") or []:
        for e in g.get("evidence") or []:
            if isinstance(e, dict) and e.get("code"):
                reqs[e["code"]] = e.get("label") or e["code"]
    for req, label in reqs.items():
        out.append({"path": f"evidence.{req}.files", "label": f"Files attached for '{label}'", "kind": "number",
                    "choices": []})
        out.append({"path": f"evidence.{req}.links", "label": f"Links attached for '{label}'", "kind": "number",
                    "choices": []})
    return out

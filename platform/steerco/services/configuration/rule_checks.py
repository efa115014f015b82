"""Whether criteria read what measures have, wherever rules are written: the editor's rule check,
draft save, publication and ``steerco config apply`` (the rule is in ``steerco.domain.fact_paths``)."""

from __future__ import annotations

from steerco import rules
from steerco.domain import fact_paths, rights
from steerco.domain.errors import ConfigProblems
from steerco.domain.fact_paths import ERROR, ModelFields
from steerco.domain.forms import parse_fields


def stored_fields(uow, model: str) -> ModelFields:
    """The custom fields of the measure types stored on ``model`` now."""
    return ModelFields(model, {mt.code: frozenset(f.key for f in mt.form) for mt in uow.measure_types()
                               if mt.model_code == model})


def fields_once_applied(uow, data: dict) -> dict[str, ModelFields]:
    """By model code: the measure types' fields as they will be once configuration ``data`` is applied.

    A type in ``data`` replaces the stored type of the same code (it may move it to another model).
    ``data`` has been validated (``configuration.validate``).
    """
    types = {mt.code: (mt.model_code, frozenset(f.key for f in mt.form)) for mt in uow.measure_types()}
    for mt in data.get("measure_types") or []:
        form = parse_fields(mt.get("fields"), f"measure type '{mt['code']}'")
        types[mt["code"]] = (mt["model"], frozenset(f.key for f in form))
    out: dict[str, ModelFields] = {}
    for m in data.get("governance_models") or []:
        out[m["code"]] = ModelFields(m["code"], {code: keys for code, (model, keys) in types.items()
                                                 if model == m["code"]})
    return out


def judge(findings) -> list[dict]:
    """The warnings among ``findings``, as dicts.

    :raises ConfigProblems: listing every error among them.
    """
    errors = [f.as_dict() for f in findings if f.severity == ERROR]
    if errors:
        raise ConfigProblems(errors)
    return [f.as_dict() for f in findings if f.severity != ERROR]


def draft_findings(uow, code: str, definition) -> list[dict]:
    """Errors and warnings of a model's draft against the measure types stored now."""
    return [f.as_dict() for f in fact_paths.definition_findings(definition, stored_fields(uow, code))]


def check_rule(uow, rule, model: str | None = None, gate: str | None = None, criterion: str | None = None) -> dict:
    """The editor's check of one rule: does it compile, and does it read what measures of ``model`` have?

    :param model: the governance model the rule is for; None: custom fields are not judged.
    :param gate: :param criterion: name where the rule sits, for the messages.
    :returns: ``ok`` (compiles and no error), ``reads``, ``problem`` (the first reason it is
        refused, or None), ``errors`` and ``warnings`` (:class:`~steerco.domain.fact_paths.PathFinding` dicts).
    :raises PermissionDenied: not a configurer (it tells what measure types hold, for the model editor).
    """
    actor = uow.require_user(uow.actor)
    rights.require(rights.can_configure(actor), f"{actor.username} may not check governance rules "
                                                "(admins and consultants edit models)")
    try:
        compiled = rules.compile_rule(rule)
    except rules.RuleError as e:
        return {"ok": False, "reads": [], "problem": str(e), "errors": [], "warnings": []}
    location = " ".join(part for part in (
        f"governance model '{model}'" if model else "", f"gate '{gate}'" if gate else "",
        f"criterion '{criterion}'" if criterion else "") if part) or "rule"
    fields = stored_fields(uow, model) if model else None
    found = [f.as_dict() for f in fact_paths.rule_findings(compiled, fields, location, criterion=criterion)]
    errors = [f for f in found if f["severity"] == ERROR]
    return {"ok": not errors, "reads": list(compiled.reads), "problem": errors[0]["problem"] if errors else None,
            "errors": errors, "warnings": [f for f in found if f["severity"] != ERROR]}

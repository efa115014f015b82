"""Exporting the whole configuration as one YAML bundle a consultant can read, diff and apply elsewhere.

The bundle is the format ``steerco config apply`` reads. Everything in it is
named by code, never by database id, and written with sorted keys and lists in
a fixed order, so two exports of the same configuration are byte-identical and
a change shows up as a small text change. Secrets are never stored, so they
cannot be exported: connector settings and trigger sources hold only the names
of the environment variables that carry them.
"""

from __future__ import annotations

import json
from decimal import Decimal

import yaml
from sqlalchemy import select

from steerco.domain.people import BUILTIN_ROLES
from steerco.store import tables_connectors as tc
from steerco.store import tables_value as v

FORMAT = 1


def export(uow, *, with_nodes: bool = False, with_people: bool = False) -> dict:
    """The configuration of the instance ``uow`` works on, as a bundle (plain data).

    :param with_nodes: include the hierarchy's nodes (client data rather than configuration, so optional).
    :param with_people: include the people and the roles each holds, globally or on a node (no passwords:
        a login stays with its instance).
    """
    data: dict = {"bundle": FORMAT}
    roles = _roles(uow)
    if roles:
        data["roles"] = roles
    hierarchy = _hierarchy(uow, with_nodes)
    if hierarchy:
        data["hierarchy"] = hierarchy
    versions = uow.model_versions()
    latest: dict[str, object] = {}
    for mv in versions:
        latest[mv.model_code] = mv
    if latest:
        data["governance_models"] = [latest[code].definition for code in sorted(latest)]
    history = [{"code": mv.model_code, "version": mv.version, "definition": mv.definition}
               for mv in versions if mv is not latest[mv.model_code]]
    if history:
        data["model_history"] = history
    types = [{"code": mt.code, "name": mt.name, "model": mt.model_code, "fields": mt.fields_json}
             for mt in sorted(uow.measure_types(), key=lambda mt: mt.code)]
    if types:
        data["measure_types"] = types
    value = _value(uow)
    if value is not None:
        data["value"] = value
    triggers = _triggers(uow)
    if triggers:
        data["triggers"] = triggers
    connectors = _connectors(uow)
    if connectors:
        data["connectors"] = connectors
    if with_people:
        people = _people(uow)
        if people:
            data["people"] = people
    return data


def dump(data: dict) -> str:
    """``data`` as YAML: keys sorted, block style, unicode kept, no aliases (a shared list stays two lists)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True, width=110)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


def _roles(uow) -> list[dict]:
    # Built-in roles exist on every instance; only those a client renamed or added belong in its bundle.
    out = []
    for r in uow.roles():
        if r.code in BUILTIN_ROLES and (r.name, r.description) == (r.code.replace("_", " ").capitalize(),
                                                                   BUILTIN_ROLES[r.code]):
            continue
        out.append({"code": r.code, "name": r.name, "description": r.description or ""})
    return out


def _people(uow) -> list[dict]:
    out = []
    for user in uow.users():
        roles = sorted(({"role": a.role, **({"node": a.node.code} if a.node is not None else {})}
                        for a in user.assignments), key=lambda r: (r["role"], r.get("node") or ""))
        out.append({"username": user.username, "name": user.name, "email": user.email or "", "roles": roles})
    return out


def _hierarchy(uow, with_nodes: bool) -> dict:
    out: dict = {}
    levels = [{"code": lvl.code, "name": lvl.name} for lvl in uow.levels()]
    if levels:
        out["levels"] = levels
    if with_nodes:
        # Ordered by path, parents come before their children, as applying requires.
        nodes = [{"code": n.code, "name": n.name, "level": n.level.code, **({"parent": n.parent.code} if n.parent else {})}
                 for n in uow.nodes()]
        if nodes:
            out["nodes"] = nodes
    return out


def _value(uow) -> dict | None:
    s = uow.session
    row = s.execute(select(v.value_settings.c.data).where(v.value_settings.c.id == 1)).first()
    rates: dict[str, dict[str, float]] = {}
    for r in s.execute(select(v.fx_rates.c.currency, v.fx_rates.c.period, v.fx_rates.c.rate)
                       .order_by(v.fx_rates.c.currency, v.fx_rates.c.period)):
        rates.setdefault(r.currency, {})[r.period] = _number(r.rate)
    if row is None and not rates:
        return None
    data = dict(row.data or {}) if row is not None else {}
    # Rates set by controllers since the last apply live in their own table: it is the truth.
    if rates:
        data["fx_rates"] = rates
    else:
        data.pop("fx_rates", None)
    return data


def _number(rate) -> float:
    return float(Decimal(str(rate)).normalize())


def _triggers(uow) -> dict:
    s = uow.session
    src, rule = tc.trigger_sources.c, tc.trigger_rules.c
    sources = [{"code": r.code, "kind": r.kind, "secret_env": r.secret_env, "replay_window": r.replay_window,
                "public_url": r.public_url or "", "enabled": bool(r.enabled)}
               for r in s.execute(select(tc.trigger_sources).order_by(src.code))]
    rules = [{"source": r.source, "name": r.name, "position": r.position, "condition": r.condition,
              "measure_type": r.measure_type, "node": r.node, "owner": _owner(r.owner), "fields": r.fields,
              "enabled": bool(r.enabled)}
             for r in s.execute(select(tc.trigger_rules).order_by(rule.source, rule.position, rule.name))]
    out = {}
    if sources:
        out["sources"] = sources
    if rules:
        out["rules"] = rules
    return out


def _owner(stored: str):
    return json.loads(stored) if stored else ""


def _connectors(uow) -> list[dict]:
    c = tc.connector_configs.c
    return [{"name": r.name, "connector": r.connector, "settings": r.settings or {}, "enabled": bool(r.enabled)}
            for r in uow.session.execute(select(tc.connector_configs).order_by(c.name))]

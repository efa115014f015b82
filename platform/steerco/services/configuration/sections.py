"""Applying the bundle sections beyond models and types: earlier model versions, CRM triggers, connectors,
people and their roles.

Each is idempotent like the rest of the bundle: a row equal to the bundle's
is counted unchanged and not written, so applying an export to the instance
it came from changes nothing.
"""

from __future__ import annotations

import json

from sqlalchemy import insert, select, update

from steerco.domain.errors import ConfigError
from steerco.domain.measure import ModelVersion
from steerco.services.models import checksum
from steerco.services.rights import people as people_service
from steerco.store import tables_connectors as tc


def apply_history(uow, data, report) -> None:
    """Publish the earlier versions of a model the instance does not have yet, oldest first.

    An instance that already has a model keeps its own history: earlier versions
    only matter where the model is new, so that measures moved later find them.
    """
    for h in sorted(data.get("model_history") or [], key=lambda h: (h["code"], h["version"])):
        if uow.latest_model_version(h["code"]) is not None and not _created_here(report, h["code"]):
            report.unchanged += 1
            continue
        latest = uow.latest_model_version(h["code"])
        version = 1 if latest is None else latest.version + 1
        digest = checksum(h["definition"])
        uow.add(ModelVersion(h["code"], version, h["definition"], digest, uow.now))
        uow.flush()
        uow.record("model.published", "governance_model", h["code"],
                   before={"version": latest.version} if latest else None,
                   after={"version": version, "checksum": digest})
        report.created.append(f"governance model {h['code']} v{version}")


def _created_here(report, code: str) -> bool:
    return any(item.startswith(f"governance model {code} v") for item in report.created)


def apply_triggers(uow, triggers, report) -> None:
    s = uow.session
    c = tc.trigger_sources.c
    for src in triggers.get("sources") or []:
        values = {"kind": src["kind"], "secret_env": src["secret_env"], "replay_window": src.get("replay_window", 300),
                  "public_url": src.get("public_url") or "", "enabled": bool(src.get("enabled", True))}
        row = s.execute(select(tc.trigger_sources).where(c.code == src["code"])).first()
        if row is None:
            s.execute(insert(tc.trigger_sources).values(code=src["code"], **values))
            uow.record("trigger_source.created", "trigger_source", src["code"], after=values)
            report.created.append(f"trigger source {src['code']}")
        elif {k: getattr(row, k) for k in values} != values:
            s.execute(update(tc.trigger_sources).where(c.code == src["code"]).values(**values))
            uow.record("trigger_source.updated", "trigger_source", src["code"], after=values)
            report.updated.append(f"trigger source {src['code']}")
        else:
            report.unchanged += 1
    r = tc.trigger_rules.c
    for rule in triggers.get("rules") or []:
        owner = rule.get("owner")
        values = {"condition": rule.get("condition", True), "measure_type": rule["measure_type"], "node": rule["node"],
                  "owner": json.dumps(owner) if owner not in (None, "") else "", "fields": rule["fields"],
                  "position": int(rule.get("position") or 0), "enabled": bool(rule.get("enabled", True))}
        where = f"{rule['source']}/{rule['name']}"
        _check_references(uow, rule, where, {src["code"] for src in triggers.get("sources") or []})
        row = s.execute(select(tc.trigger_rules).where(r.source == rule["source"], r.name == rule["name"])).first()
        if row is None:
            s.execute(insert(tc.trigger_rules).values(source=rule["source"], name=rule["name"], **values))
            report.created.append(f"trigger rule {where}")
        elif {k: getattr(row, k) for k in values} != values:
            s.execute(update(tc.trigger_rules).where(r.id == row.id).values(**values))
            report.updated.append(f"trigger rule {where}")
        else:
            report.unchanged += 1
            continue
        uow.record("trigger_rule.saved", "trigger_rule", where, after={**values, "owner": owner})


def _check_references(uow, rule, where, sources) -> None:
    if rule["source"] not in sources and uow.session.execute(
            select(tc.trigger_sources.c.id).where(tc.trigger_sources.c.code == rule["source"])).first() is None:
        raise ConfigError(f"trigger rule '{where}'", f"unknown source '{rule['source']}'")
    if uow.measure_type(str(rule["measure_type"])) is None:
        raise ConfigError(f"trigger rule '{where}'", f"unknown measure type '{rule['measure_type']}'")
    if uow.node(str(rule["node"])) is None:
        raise ConfigError(f"trigger rule '{where}'", f"unknown node '{rule['node']}'")


def apply_connectors(uow, connectors, report) -> None:
    s = uow.session
    c = tc.connector_configs.c
    for con in connectors or []:
        values = {"connector": con["connector"], "settings": con.get("settings") or {},
                  "enabled": bool(con.get("enabled", True))}
        row = s.execute(select(tc.connector_configs).where(c.name == con["name"])).first()
        if row is not None and {k: getattr(row, k) for k in values} == values:
            report.unchanged += 1
            continue
        if row is None:
            s.execute(insert(tc.connector_configs).values(name=con["name"], updated_at=uow.now, **values))
            uow.record("connector.configured", "connector", con["name"], after=values)
            report.created.append(f"connector {con['name']}")
        else:
            s.execute(update(tc.connector_configs).where(c.name == con["name"]).values(updated_at=uow.now, **values))
            uow.record("connector.reconfigured", "connector", con["name"], before={"settings": row.settings},
                       after=values)
            report.updated.append(f"connector {con['name']}")


def apply_people(uow, people, report) -> None:
    """Each listed person exists with the bundle's name, email and exactly its roles; people the bundle does
    not list are left as they are. A person made here has no password: they sign in through the directory,
    or an admin sets one."""
    for person in people or []:
        username = person["username"]
        name, email = person.get("name") or username, person.get("email") or ""
        wanted = {(r["role"], r.get("node") or None) for r in person.get("roles") or []}
        user = uow.user(username)
        if user is None:
            people_service.add_user(uow, username, name=name, email=email, roles=sorted(wanted, key=_role_key))
            report.created.append(f"person {username}")
            continue
        held = {(a.role, a.node.code if a.node is not None else None) for a in user.assignments}
        if (user.name, user.email or "", held) == (name, email, wanted):
            report.unchanged += 1
            continue
        if (user.name, user.email or "") != (name, email):
            before = {"name": user.name, "email": user.email}
            user.name, user.email = name, email
            uow.record("user.updated", "user", username, before=before, after={"name": name, "email": email})
        for a in [a for a in user.assignments if (a.role, a.node.code if a.node else None) not in wanted]:
            user.assignments.remove(a)
            uow.record("user.role_removed", "user", username,
                       after={"role": a.role, "node": a.node.code if a.node else None})
        for role, node in sorted(wanted - held, key=_role_key):
            people_service.assign(uow, user, role, node)
        report.updated.append(f"person {username}")


def _role_key(pair):
    return pair[0], pair[1] or ""

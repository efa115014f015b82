"""Applying a configuration (hierarchy, roles, measure types, governance models).

Configuration is data a consultant ships per client as YAML. Applying is
all-or-nothing and idempotent: the same file twice changes nothing; a changed
governance model becomes a new version, and measures stay on theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from steerco.domain.errors import ConfigError, ConfigProblems, ValidationFailed
from steerco.domain.forms import parse_fields
from steerco.domain.governance import parse_model
from steerco.domain.hierarchy import HierarchyLevel, Node, check_code
from steerco.domain.measure import MeasureType, ModelVersion
from steerco.domain.people import BUILTIN_ROLES, Role
from steerco.domain.value import parse_settings as parse_value_settings
from steerco.services.configuration import checks, sections
from steerco.services.models import checksum
from steerco.services.value import configure as value_configure

SECTIONS = ("bundle", "roles", "hierarchy", "measure_types", "governance_models", "model_history", "value",
            "triggers", "connectors")


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    # Paths criteria read that measures may not have yet (steerco.domain.fact_paths): applied, but said.
    warnings: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "warnings": self.warnings}


def validate(data) -> None:
    """Check a whole configuration without writing anything.

    :raises ConfigError: at the first problem, naming where it is.
    """
    if not isinstance(data, dict):
        raise ConfigError("configuration", "the file must contain a mapping at the top level")
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError("configuration", f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    for m in _items(data, "governance_models"):
        parse_model(m)
    for i, h in enumerate(_items(data, "model_history")):
        if not isinstance(h, dict) or not isinstance(h.get("version"), int) or not isinstance(h.get("definition"), dict):
            raise ConfigError(f"model_history #{i + 1}", "needs code, version (a whole number) and definition")
        parse_model(h["definition"])
    parse_value_settings(data.get("value"))
    for i, mt in enumerate(_items(data, "measure_types")):
        where = f"measure type #{i + 1}"
        if not isinstance(mt, dict):
            raise ConfigError(where, "expected a mapping")
        _code(mt.get("code"), where)
        where = f"measure type '{mt['code']}'"
        parse_fields(mt.get("fields"), where)
        if not mt.get("model"):
            raise ConfigError(where, "'model' (the governance model code) is required")
    for i, lvl in enumerate(_items(data.get("hierarchy") or {}, "levels")):
        if not isinstance(lvl, dict) or not lvl.get("name"):
            raise ConfigError(f"hierarchy level #{i + 1}", "needs a code and a name")
        _code(lvl.get("code"), f"hierarchy level #{i + 1}")
    for i, r in enumerate(_items(data, "roles")):
        if not isinstance(r, dict):
            raise ConfigError(f"role #{i + 1}", "expected a mapping")
        _code(r.get("code"), f"role #{i + 1}")


def apply(uow, data, progress: Callable[[str], None] = lambda _msg: None, *, source: dict | None = None) -> ApplyReport:
    """Apply ``data`` inside ``uow`` (the caller commits, or rolls back for a dry run).

    :param source: ``{"file", "sha256"}`` of the bundle, recorded in the audit trail with who applied it.
    :raises ConfigProblems: every problem :func:`steerco.services.configuration.checks.check` finds,
        each with its path. Nothing is applied.
    """
    problems, warnings = checks.check(uow, data)
    if problems:
        raise ConfigProblems(problems)
    progress("schema check")
    report = ApplyReport(warnings=warnings)
    _apply_roles(uow, data, report)
    progress("roles")
    _apply_hierarchy(uow, data.get("hierarchy") or {}, report, progress)
    sections.apply_history(uow, data, report)
    _apply_models(uow, data, report)
    progress("governance models")
    _apply_measure_types(uow, data, report)
    progress("measure types")
    if "value" in data:
        value_configure.apply(uow, data["value"], report)
        progress("value settings")
    if data.get("triggers"):
        sections.apply_triggers(uow, data["triggers"], report)
        progress("triggers")
    if data.get("connectors"):
        sections.apply_connectors(uow, data["connectors"], report)
        progress("connectors")
    if data.get("people"):
        sections.apply_people(uow, data["people"], report)
        progress("people")
    if source is not None:
        uow.record("configuration.applied", "configuration_bundle", source.get("sha256", "-"),
                   after={**source, "created": len(report.created), "updated": len(report.updated)})
    return report


def _apply_roles(uow, data, report):
    wanted = [{"code": c, "name": c.replace("_", " ").capitalize(), "description": d} for c, d in BUILTIN_ROLES.items()]
    wanted += list(_items(data, "roles"))
    for r in wanted:
        name, desc = str(r.get("name") or r["code"]), str(r.get("description") or "")
        existing = uow.role(r["code"])
        if existing is None:
            uow.add(Role(r["code"], name, desc))
            uow.record("role.created", "role", r["code"], after={"name": name})
            report.created.append(f"role {r['code']}")
        elif (existing.name, existing.description) != (name, desc) and r in data.get("roles", []):
            before = {"name": existing.name, "description": existing.description}
            existing.name, existing.description = name, desc
            uow.record("role.updated", "role", r["code"], before=before, after={"name": name, "description": desc})
            report.updated.append(f"role {r['code']}")
        else:
            report.unchanged += 1


def _apply_hierarchy(uow, hierarchy, report, progress):
    for rank, lvl in enumerate(_items(hierarchy, "levels")):
        existing = uow.level(lvl["code"])
        if existing is None:
            uow.add(HierarchyLevel(lvl["code"], lvl["name"], rank))
            uow.record("hierarchy_level.created", "hierarchy_level", lvl["code"], after={"name": lvl["name"], "rank": rank})
            report.created.append(f"level {lvl['code']}")
        elif (existing.name, existing.rank) != (lvl["name"], rank):
            before = {"name": existing.name, "rank": existing.rank}
            existing.name, existing.rank = lvl["name"], rank
            uow.record("hierarchy_level.updated", "hierarchy_level", lvl["code"], before=before,
                       after={"name": lvl["name"], "rank": rank})
            report.updated.append(f"level {lvl['code']}")
        else:
            report.unchanged += 1
    uow.flush()
    nodes = list(_items(hierarchy, "nodes"))
    for i, n in enumerate(nodes, 1):
        where = f"hierarchy node #{i}"
        if not isinstance(n, dict):
            raise ConfigError(where, "expected a mapping")
        code = _code(n.get("code"), where)
        level = uow.level(str(n.get("level")))
        if level is None:
            raise ConfigError(f"hierarchy node '{code}'", f"unknown level '{n.get('level')}'")
        parent = uow.node(n.get("parent")) if n.get("parent") else None
        if n.get("parent") and parent is None:
            raise ConfigError(f"hierarchy node '{code}'", f"unknown parent '{n['parent']}' (list parents first)")
        existing = uow.node(code)
        name = str(n.get("name") or code)
        if existing is None:
            uow.add(Node(code, name, level, parent))
            uow.flush()
            uow.record("node.created", "node", code, after={"name": name, "level": level.code,
                                                            "parent": parent.code if parent else None})
            report.created.append(f"node {code}")
        elif existing.name != name:
            before = {"name": existing.name}
            existing.name = name
            uow.record("node.updated", "node", code, before=before, after={"name": name})
            report.updated.append(f"node {code}")
        else:
            report.unchanged += 1
        if i % 100 == 0:
            progress(f"nodes {i}/{len(nodes)}")


def _apply_models(uow, data, report):
    for m in _items(data, "governance_models"):
        digest = checksum(m)
        latest = uow.latest_model_version(m["code"])
        if latest is not None and latest.checksum == digest:
            report.unchanged += 1
            continue
        version = 1 if latest is None else latest.version + 1
        uow.add(ModelVersion(m["code"], version, m, digest, uow.now))
        uow.record("model.published", "governance_model", m["code"],
                   before={"version": latest.version} if latest else None,
                   after={"version": version, "checksum": digest})
        (report.created if latest is None else report.updated).append(f"governance model {m['code']} v{version}")
    uow.flush()


def _apply_measure_types(uow, data, report):
    for mt in _items(data, "measure_types"):
        if not checks.model_known(uow, mt["model"]):
            raise ConfigError(f"measure type '{mt['code']}'", f"unknown governance model '{mt['model']}'")
        fields = mt.get("fields") or []
        existing = uow.measure_type(mt["code"])
        state = {"name": mt.get("name") or mt["code"], "model_code": mt["model"], "fields_json": fields}
        if existing is None:
            uow.add(MeasureType(mt["code"], state["name"], mt["model"], fields))
            uow.record("measure_type.created", "measure_type", mt["code"], after=state)
            report.created.append(f"measure type {mt['code']}")
            continue
        before = {k: getattr(existing, k) for k in state}
        if before == state:
            report.unchanged += 1
            continue
        for k, v in state.items():
            setattr(existing, k, v)
        uow.record("measure_type.updated", "measure_type", mt["code"], before=before, after=state)
        report.updated.append(f"measure type {mt['code']}")


def _items(mapping, key) -> list:
    value = mapping.get(key) or []
    if not isinstance(value, list):
        raise ConfigError(key, "expected a list")
    return value


def _code(value, where) -> str:
    try:
        return check_code(value)
    except ValidationFailed as e:
        raise ConfigError(where, f"code {e.errors['code'][0]}") from None

"""Checking a configuration bundle: every problem at once, each with its path, nothing applied.

Two passes. The shape (marshmallow): unknown fields, wrong types, rules that
are not valid JSONLogic, each at its path such as
``governance_models[0].gates[2].must_meet[1].rule``. Then the meaning, on the
parts whose shape is right: models and forms as the domain parses them,
codes used twice, a hierarchy with a cycle, roles, models, types, levels and
nodes used but defined neither in the bundle nor on the instance, and
criteria reading fields no measure type has. A consultant fixes a bundle in
one round instead of one error per attempt.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError
from sqlalchemy import select

from steerco.domain.errors import ConfigError, ValidationFailed
from steerco.domain.fact_paths import ERROR, definition_findings
from steerco.domain.forms import parse_fields
from steerco.domain.governance import parse_model
from steerco.domain.hierarchy import check_code
from steerco.domain.people import BUILTIN_ROLES
from steerco.domain.value import parse_settings as parse_value_settings
from steerco.plugins.manager import connector_classes
from steerco.services.configuration import rule_checks
from steerco.services.configuration.schema import BundleSchema
from steerco.store.tables_ui import model_drafts


def check(uow, data) -> tuple[list[dict], list[dict]]:
    """Every problem of bundle ``data`` against the instance of ``uow``, and the warnings.

    :returns: ``(problems, warnings)``; each ``{"location", "problem"}`` (path findings carry more keys).
    """
    if not isinstance(data, dict):
        return [_p("(top level)", "the file must contain a mapping at the top level")], []
    try:
        BundleSchema().load(data)
        shape: dict = {}
    except ValidationError as e:
        shape = e.messages
    problems = [_p(path, msg, _in_words(data, path)) for path, msg in _flatten(shape)]
    problems += _Meaning(uow, data, shape).problems()
    if any(p["location"].startswith(("measure_types", "(top")) for p in problems):
        return problems, []
    # Path findings work on models that do not validate yet, so every criterion reading a missing
    # field is listed in the same round as the shape problems.
    models = [m for m in data.get("governance_models") or [] if isinstance(m, dict) and isinstance(m.get("code"), str)]
    findings = _path_findings(uow, {**data, "governance_models": models})
    return (problems + [f for f in findings if f["severity"] == ERROR],
            [f for f in findings if f["severity"] != ERROR])


def _p(location: str, problem: str, words: str = "") -> dict:
    return {"severity": ERROR, "location": f"{location} ({words})" if words else location, "problem": problem}


_NAMED = {"governance_models": ("governance model", "code"), "gates": ("gate", "name"),
          "must_meet": ("criterion", "code"), "should_meet": ("criterion", "code"), "steps": ("step", "name"),
          "measure_types": ("measure type", "code"), "fields": ("field", "key"), "nodes": ("node", "code"),
          "rules": ("trigger rule", "name"), "sources": ("trigger source", "code"),
          "connectors": ("connector", "name")}


def _in_words(data, path: str) -> str:
    """Where ``path`` points, as people name it: ``gate 'Identified' criterion 'sponsor_named'``."""
    words, node = [], data
    for key, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        node = node.get(key) if isinstance(node, dict) else None
        if index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
            if key in _NAMED and isinstance(node, dict) and node.get(_NAMED[key][1]) is not None:
                words.append(f"{_NAMED[key][0]} '{node[_NAMED[key][1]]}'")
    return " ".join(words)


def _flatten(messages, prefix=""):
    if isinstance(messages, dict):
        for key, sub in messages.items():
            if key == "_schema":  # marshmallow's name for the value itself
                yield from _flatten(sub, prefix)
                continue
            part = f"[{key}]" if isinstance(key, int) else (f".{key}" if prefix else str(key))
            yield from _flatten(sub, prefix + part)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for m in messages:
            yield prefix or "(top level)", _MESSAGES.get(m, m.rstrip("."))
    else:
        for i, sub in enumerate(messages):
            yield from _flatten(sub, f"{prefix}[{i}]")


_MESSAGES = {"Unknown field.": "unknown field", "Invalid input type.": "expected a mapping",
             "Missing data for required field.": "required", "Not a valid list.": "expected a list",
             "Not a valid mapping type.": "expected a mapping", "Not a valid string.": "expected text",
             "Not a valid integer.": "expected a whole number", "Not a valid boolean.": "expected true or false"}


def _path_findings(uow, data) -> list[dict]:
    fields_of = rule_checks.fields_once_applied(uow, data)
    return [f.as_dict() for m in data.get("governance_models") or []
            for f in definition_findings(m, fields_of[m["code"]])]


class _Meaning:
    """The checks that need more than one part of the bundle, or the instance."""

    def __init__(self, uow, data: dict, shape: dict):
        self.uow, self.data, self.shape = uow, data, shape
        self.out: list[dict] = []

    def ok(self, section: str) -> bool:
        """Whether a whole section had the right shape, so it can be read safely."""
        return section not in self.shape

    def items(self, section: str, mapping=None, shape=None):
        """The items of a list section that had the right shape (the others were reported already)."""
        mapping, shape = (self.data, self.shape) if mapping is None else (mapping, shape or {})
        bad = shape.get(section)
        if bad is not None and not isinstance(bad, dict):
            return
        for i, item in enumerate(mapping.get(section) or []):
            if isinstance(item, dict) and i not in (bad or {}):
                yield i, item

    def add(self, path: str, problem: str) -> None:
        self.out.append(_p(path, problem, _in_words(self.data, path)))

    def problems(self) -> list[dict]:
        self._models()
        self._types()
        self._hierarchy()
        self._roles()
        self._triggers()
        self._connectors()
        self._people()
        if self.ok("value"):
            self._catch("value", parse_value_settings, self.data.get("value"))
        return self.out

    def _catch(self, where, fn, *args):
        try:
            return fn(*args)
        except ConfigError as e:
            self.out.append(_p(where, e.problem, "" if e.location == where else e.location))

    def _models(self):
        codes = set()
        for i, m in self.items("governance_models"):
            self._catch(f"governance_models[{i}]", parse_model, m)
            if m.get("code") in codes:
                self.add(f"governance_models[{i}].code", f"model '{m['code']}' is defined twice")
            codes.add(m.get("code"))
        for i, h in self.items("model_history"):
            self._catch(f"model_history[{i}]", parse_model, h["definition"])

    def _types(self):
        models = {m.get("code") for m in self.data.get("governance_models") or [] if isinstance(m, dict)}
        for i, mt in self.items("measure_types"):
            where = f"measure_types[{i}]"
            self._code(mt.get("code"), f"{where}.code")
            self._catch(where, parse_fields, mt.get("fields"), f"measure type '{mt.get('code')}'")
            if mt.get("model") not in models and not model_known(self.uow, str(mt.get("model"))):
                self.add(f"{where}.model", f"unknown governance model '{mt.get('model')}' "
                                                     "(neither in the bundle nor on this instance)")

    def _hierarchy(self):
        h, shape = self.data.get("hierarchy") or {}, self.shape.get("hierarchy") or {}
        if not isinstance(h, dict) or not isinstance(shape, dict):
            return
        levels = {lvl["code"] for _, lvl in self.items("levels", h, shape)} | {lvl.code for lvl in self.uow.levels()}
        parents: dict[str, str | None] = {}
        for i, lvl in self.items("levels", h, shape):
            self._code(lvl.get("code"), f"hierarchy.levels[{i}].code")
        for i, n in self.items("nodes", h, shape):
            where = f"hierarchy.nodes[{i}]"
            self._code(n.get("code"), f"{where}.code")
            if n.get("level") not in levels:
                self.add(f"{where}.level", f"unknown level '{n.get('level')}'")
            if n["code"] in parents:
                self.add(f"{where}.code", f"node '{n['code']}' is listed twice")
            parents[n["code"]] = n.get("parent")
        for i, n in self.items("nodes", h, shape):
            parent = n.get("parent")
            if parent and parent not in parents and self.uow.node(parent) is None:
                self.add(f"hierarchy.nodes[{i}].parent", f"unknown parent '{parent}'")
        for cycle in _cycles(parents):
            self.add("hierarchy.nodes", "a cycle in the hierarchy: " + " -> ".join(cycle))

    def _roles(self):
        defined = set(BUILTIN_ROLES) | {r.code for r in self.uow.roles()}
        defined |= {r.get("code") for _, r in self.items("roles")}
        for i, r in self.items("roles"):
            self._code(r.get("code"), f"roles[{i}].code")
        for path, role in self._roles_used():
            if role not in defined:
                self.add(path, f"role '{role}' is used but not defined (add it under roles)")

    def _roles_used(self):
        """Every role named in approval steps, separation pairs, escalations and the change gate, read
        defensively: a model with other problems still has its roles checked."""
        for i, m in enumerate(self.data.get("governance_models") or []):
            for j, g in enumerate(_dicts(m.get("gates") if isinstance(m, dict) else None)):
                where = f"governance_models[{i}].gates[{j}]"
                approval = g.get("approval") if isinstance(g.get("approval"), dict) else {}
                for k, step in enumerate(_dicts(approval.get("steps"))):
                    yield from ((f"{where}.approval.steps[{k}].roles", r) for r in _strings(step.get("roles")))
                for k, pair in enumerate(approval.get("distinct") or []):
                    yield from ((f"{where}.approval.distinct[{k}]", r) for r in _strings(pair))
                sla = g.get("sla") if isinstance(g.get("sla"), dict) else {}
                if isinstance(sla.get("escalate_to"), str):
                    yield f"{where}.sla.escalate_to", sla["escalate_to"]
        value = self.data.get("value") if isinstance(self.data.get("value"), dict) else {}
        change_gate = value.get("change_gate") if isinstance(value.get("change_gate"), dict) else {}
        for k, step in enumerate(_dicts(change_gate.get("steps"))):
            yield from ((f"value.change_gate.steps[{k}].roles", r) for r in _strings(step.get("roles")))

    def _triggers(self):
        t, shape = self.data.get("triggers") or {}, self.shape.get("triggers") or {}
        if not isinstance(t, dict) or not isinstance(shape, dict):
            return
        sources = {s["code"] for _, s in self.items("sources", t, shape)}
        types = {mt.get("code") for mt in self.data.get("measure_types") or [] if isinstance(mt, dict)}
        nodes = {n.get("code") for n in (self.data.get("hierarchy") or {}).get("nodes") or [] if isinstance(n, dict)}
        for i, r in self.items("rules", t, shape):
            where = f"triggers.rules[{i}]"
            if r["source"] not in sources:
                self.add(f"{where}.source", f"unknown trigger source '{r['source']}' (add it under "
                                                      "triggers.sources)")
            if r["measure_type"] not in types and self.uow.measure_type(r["measure_type"]) is None:
                self.add(f"{where}.measure_type", f"unknown measure type '{r['measure_type']}'")
            if r["node"] not in nodes and self.uow.node(r["node"]) is None:
                self.add(f"{where}.node", f"unknown node '{r['node']}'")
            if "title" not in (r.get("fields") or {}):
                self.add(f"{where}.fields", "'title' is required (JSONLogic over the event)")

    def _people(self):
        defined = set(BUILTIN_ROLES) | {r.code for r in self.uow.roles()}
        defined |= {r.get("code") for _, r in self.items("roles")}
        nodes = {n.get("code") for n in (self.data.get("hierarchy") or {}).get("nodes") or [] if isinstance(n, dict)}
        seen: set[str] = set()
        for i, person in self.items("people"):
            if person["username"] in seen:
                self.add(f"people[{i}].username", f"'{person['username']}' is listed twice")
            seen.add(person["username"])
            for j, held in self.items("roles", person, (self.shape.get("people") or {}).get(i) or {}):
                if held["role"] not in defined:
                    self.add(f"people[{i}].roles[{j}].role", f"unknown role '{held['role']}'")
                node = held.get("node")
                if node and node not in nodes and self.uow.node(node) is None:
                    self.add(f"people[{i}].roles[{j}].node", f"unknown node '{node}'")

    def _connectors(self):
        # Known where this runs: the instance's plugins. Without a plugin manager (a bare service
        # call) connectors are stored as given and checked when they first sync.
        pm = getattr(self.uow.store, "plugins", None)
        if pm is None:
            return
        known = connector_classes(pm)
        for i, c in self.items("connectors"):
            if c["connector"] not in known:
                self.add(f"connectors[{i}].connector", f"unknown connector '{c['connector']}'; installed: "
                                                       f"{', '.join(sorted(known)) or 'none'}")

    def _code(self, value, where):
        try:
            check_code(value)
        except ValidationFailed as e:
            self.add(where, f"code {e.errors['code'][0]}")


def _dicts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _cycles(parents: dict[str, str | None]) -> list[list[str]]:
    found, done = [], set()
    for start in sorted(parents):
        seen: list[str] = []
        node = start
        while node in parents and node not in done and node not in seen:
            seen.append(node)
            node = parents[node]
        if node in seen:
            cycle = seen[seen.index(node):] + [node]
            found.append(cycle)
        done.update(seen)
    return found


def model_known(uow, code: str) -> bool:
    """Whether model ``code`` is published or has an open draft: a measure type may be built while its
    model is a draft, so the draft's criteria can read the type's fields before the first publication."""
    if uow.latest_model_version(code) is not None:
        return True
    return uow.session.scalar(select(model_drafts.c.id).where(model_drafts.c.model_code == code)) is not None

"""What differs between two configuration bundles, by object and field, in words.

A consultant compares a client's bundle with the live instance (or two
bundles) before applying it; a text diff of YAML shows moved lines, this
shows changes: ``governance model 'doi-default' gate 'Decided': must-meet
'Business case signed' added``. Governance models are compared with the same
:func:`~steerco.services.configuration.model_diff.model_diff` the editor shows
before publishing, so a change reads the same everywhere.
"""

from __future__ import annotations

from steerco.services.configuration.model_diff import model_diff

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


def bundle_diff(before: dict, after: dict) -> list[dict]:
    """The changes from bundle ``before`` to bundle ``after``.

    :returns: ``[{"object", "where", "change": added|removed|changed, "what"}]``, in bundle order.
    """
    before, after = before or {}, after or {}
    out: list[dict] = []
    out += _keyed("role", before.get("roles"), after.get("roles"), "code")
    hb, ha = before.get("hierarchy") or {}, after.get("hierarchy") or {}
    out += _keyed("hierarchy level", hb.get("levels"), ha.get("levels"), "code")
    old_order = [lvl.get("code") for lvl in hb.get("levels") or []]
    new_order = [lvl.get("code") for lvl in ha.get("levels") or []]
    common = [c for c in new_order if c in old_order]
    if common != [c for c in old_order if c in new_order]:
        out.append(_line("hierarchy", "", CHANGED, f"order of levels: {' › '.join(old_order)} → {' › '.join(new_order)}"))
    out += _keyed("node", hb.get("nodes"), ha.get("nodes"), "code")
    out += _measure_types(before.get("measure_types"), after.get("measure_types"))
    out += _models(before, after)
    out += _value(before.get("value") or {}, after.get("value") or {})
    tb, ta = before.get("triggers") or {}, after.get("triggers") or {}
    out += _keyed("trigger source", tb.get("sources"), ta.get("sources"), "code")
    out += _keyed("trigger rule", _named_rules(tb), _named_rules(ta), "id")
    out += _keyed("connector", before.get("connectors"), after.get("connectors"), "name")
    out += _keyed("person", _people(before), _people(after), "username")
    return out


def what_applying_changes(live: dict, data: dict) -> list[dict]:
    """The changes applying bundle ``data`` makes to an instance whose export is ``live``.

    Applying adds and changes objects, never deletes one: sections the bundle leaves out stay as
    they are, and so do the roles, levels, nodes, types, models, triggers, connectors, people and
    FX rates it does not list. What is removed inside an object it lists (a criterion of a model, a form
    field of a type, a category of the value settings) is removed.
    """
    live = {k: v for k, v in live.items() if k in data}
    if "hierarchy" in live and "nodes" not in (data.get("hierarchy") or {}):
        live["hierarchy"] = {k: v for k, v in live["hierarchy"].items() if k != "nodes"}
    return [line for line in bundle_diff(live, data) if not _kept(line)]


_KEPT = ("role '", "hierarchy level '", "node '", "measure type '", "governance model '", "trigger source '",
         "trigger rule '", "connector '", "person '")


def _kept(line: dict) -> bool:
    if line["change"] != REMOVED:
        return False
    whole = not line["where"] and not line["what"] and line["object"].startswith(_KEPT)
    return whole or line["what"].startswith("FX rate ")


def as_text(line: dict) -> str:
    """One change as a sentence: ``node 'PC' added``, ``role 'cfo': name: CFO → Chief financial officer changed``."""
    head = line["object"] + (f" {line['where']}" if line["where"] else "")
    return f"{head}: {line['what']} {line['change']}" if line["what"] else f"{head} {line['change']}"


def _line(obj: str, where: str, change: str, what: str) -> dict:
    return {"object": obj, "where": where, "change": change, "what": what}


def _keyed(kind: str, old, new, key: str) -> list[dict]:
    """Items compared by their ``key``: added, removed, or changed field by field."""
    old_by = {i.get(key): i for i in old or [] if isinstance(i, dict)}
    out = []
    for item in new or []:
        if not isinstance(item, dict):
            continue
        prev = old_by.pop(item.get(key), None)
        obj = f"{kind} '{item.get(key)}'"
        if prev is None:
            out.append(_line(obj, "", ADDED, ""))
            continue
        for field in sorted(set(prev) | set(item)):
            if field != key and prev.get(field) != item.get(field):
                out.append(_line(obj, "", CHANGED, f"{field.replace('_', ' ')}: {_short(prev.get(field))} → "
                                                   f"{_short(item.get(field))}"))
    out += [_line(f"{kind} '{code}'", "", REMOVED, "") for code in old_by]
    return out


def _measure_types(old, new) -> list[dict]:
    out = []
    old_by = {mt.get("code"): mt for mt in old or [] if isinstance(mt, dict)}
    for line in _keyed("measure type", old, new, "code"):
        if not line["what"].startswith("fields:"):
            out.append(line)
    for mt in new or []:
        prev = old_by.get(mt.get("code")) if isinstance(mt, dict) else None
        if prev is not None:
            for line in _keyed("form field", prev.get("fields"), mt.get("fields"), "key"):
                out.append(_line(f"measure type '{mt['code']}'", line["object"], line["change"], line["what"]))
    return out


def _models(before: dict, after: dict) -> list[dict]:
    old_by = {m.get("code"): m for m in before.get("governance_models") or [] if isinstance(m, dict)}
    out = []
    for m in after.get("governance_models") or []:
        if not isinstance(m, dict):
            continue
        obj = f"governance model '{m.get('code')}'"
        prev = old_by.pop(m.get("code"), None)
        if prev is None:
            out.append(_line(obj, "", ADDED, ""))
            continue
        for change in model_diff(prev, m):
            out.append(_line(obj, "" if change["where"] == "model" else change["where"], change["change"],
                             change["what"]))
        versions = (_versions(before, m["code"]), _versions(after, m["code"]))
        if versions[0] != versions[1]:
            out.append(_line(obj, "", CHANGED, f"published versions: {versions[0]} → {versions[1]}"))
    out += [_line(f"governance model '{code}'", "", REMOVED, "") for code in old_by]
    return out


def _versions(bundle: dict, code: str) -> int:
    return 1 + sum(1 for h in bundle.get("model_history") or [] if isinstance(h, dict) and h.get("code") == code)


def _value(old: dict, new: dict) -> list[dict]:
    out = _keyed("category", old.get("categories"), new.get("categories"), "code")
    old_rates, new_rates = old.get("fx_rates") or {}, new.get("fx_rates") or {}
    for cur in sorted(set(old_rates) | set(new_rates)):
        o, n = old_rates.get(cur) or {}, new_rates.get(cur) or {}
        for period in sorted(set(o) | set(n)):
            if o.get(period) != n.get(period):
                change = ADDED if period not in o else REMOVED if period not in n else CHANGED
                what = f"FX rate {cur} {period}" + (f": {o[period]} → {n[period]}" if change == CHANGED else "")
                out.append(_line("value settings", "", change, what))
    for key in sorted((set(old) | set(new)) - {"categories", "fx_rates"}):
        if old.get(key) != new.get(key):
            out.append(_line("value settings", "", CHANGED, f"{key.replace('_', ' ')}: {_short(old.get(key))} → "
                                                            f"{_short(new.get(key))}"))
    return out


def _people(bundle: dict) -> list[dict]:
    """People with their roles in words (``sponsor on PROC``), so a role change reads as one."""
    return [{**p, "roles": ", ".join(f"{r.get('role')} on {r['node']}" if r.get("node") else str(r.get("role"))
                                     for r in p.get("roles") or [] if isinstance(r, dict))}
            for p in bundle.get("people") or [] if isinstance(p, dict)]


def _named_rules(triggers: dict) -> list[dict]:
    return [{**r, "id": f"{r.get('source')}/{r.get('name')}"} for r in triggers.get("rules") or []
            if isinstance(r, dict)]


def _short(v) -> str:
    text = "none" if v is None else str(v)
    return text if len(text) <= 80 else text[:77] + "..."

"""What publishing a governance model draft changes, in words.

Both sides are compared with the defaults a model's parser applies filled in:
a gate saved by the editor lists its decisions and empty required fields where
the YAML it came from left them out, and that is no change. Approval steps,
their routing, quorum and required fields read as sentences
("step 'Steering committee': quorum 2 → 3"), not as dumps of the stored data.
"""

from __future__ import annotations

from steerco.domain.governance import DECISIONS

MODEL_KEYS = ("baseline_gate", "closure")  # the model's value rules; absent means the default
_CLOSURE_DEFAULT = {"share_of_plan": 90, "periods": 12}


def model_diff(before: dict | None, after: dict, labels: dict[str, str] | None = None) -> list[dict]:
    """What publishing ``after`` changes compared to ``before``, one line per change.

    :param labels: fact path → label, to name required fields and routing conditions in words.
    :returns: ``[{"where", "change": added|removed|changed, "what"}]`` in model order.
    """
    before = before or {}
    labels = labels or {}
    out: list[dict] = []
    if before.get("name") != after.get("name"):
        out.append(_line("model", "changed", f"name: {before.get('name')} → {after.get('name')}"))
    for key in MODEL_KEYS:
        if _model_setting(before, key) != _model_setting(after, key):
            out.append(_line("model", "changed", f"{key.replace('_', ' ')}: {_setting(before, key)} → "
                                                  f"{_setting(after, key)}"))
    out += _levels(before.get("levels") or [], after.get("levels") or [])
    old_gates = {g.get("doi"): g for g in before.get("gates") or [] if isinstance(g, dict)}
    for g in after.get("gates") or []:
        if not isinstance(g, dict):
            continue
        prev = old_gates.pop(g.get("doi"), None)
        where = f"gate '{g.get('name')}'"
        if prev is None:
            out.append(_line(where, "added", f"gate to DoI {g.get('doi')}"))
            prev = {}
        else:
            out += _gate(canonical_gate(prev), canonical_gate(g), where, labels)
        for kind in ("must_meet", "should_meet", "evidence"):
            out += _items(prev.get(kind) or [], g.get(kind) or [], where, kind.replace("_", "-"))
    for g in old_gates.values():
        out.append(_line(f"gate '{g.get('name')}'", "removed", f"gate to DoI {g.get('doi')}"))
    return out


def canonical_gate(g: dict) -> dict:
    """The gate with every setting the parser defaults written out (the items are compared on their own)."""
    approval = g.get("approval") or {}
    sla = g.get("sla") or {}
    return {
        "name": g.get("name"), "type": g.get("type") or "go_no_go", "min_score": float(g.get("min_score") or 0),
        "required_fields": list(g.get("required_fields") or []),
        "decisions": list(g.get("decisions") if g.get("decisions") is not None else DECISIONS),
        "sla": {k: sla.get(k) for k in ("reminder_days", "escalation_days", "escalate_to")},
        "steps": [_canonical_step(s, i) for i, s in enumerate(approval.get("steps") or []) if isinstance(s, dict)],
        "allow_self_approval": bool(approval.get("allow_self_approval", False)),
        "distinct": [list(p) for p in approval.get("distinct") or []],
        "skip_counted": bool(approval.get("skip_counted", False)),
    }


def _canonical_step(s: dict, i: int) -> dict:
    mode = s.get("mode") or "any"
    return {"name": s.get("name") or f"Step {i + 1}", "roles": list(s.get("roles") or []), "mode": mode,
            "quorum": s.get("quorum") if mode == "quorum" else None, "condition": s.get("condition"),
            "parallel": bool(s.get("parallel", False))}


def _gate(old: dict, new: dict, where: str, labels: dict) -> list[dict]:
    out = []
    words = {"name": "name", "type": "gate type", "min_score": "minimum should-meet score"}
    for key, word in words.items():
        if old[key] != new[key]:
            out.append(_line(where, "changed", f"{word}: {_plain(old[key])} → {_plain(new[key])}"))
    for path in new["required_fields"]:
        if path not in old["required_fields"]:
            out.append(_line(where, "added", f"required field {_label(path, labels)}"))
    for path in old["required_fields"]:
        if path not in new["required_fields"]:
            out.append(_line(where, "removed", f"required field {_label(path, labels)}"))
    for d in new["decisions"]:
        if d not in old["decisions"]:
            out.append(_line(where, "added", f"decision {d.replace('_', ' ')}"))
    for d in old["decisions"]:
        if d not in new["decisions"]:
            out.append(_line(where, "removed", f"decision {d.replace('_', ' ')}"))
    if old["sla"] != new["sla"]:
        out.append(_line(where, "changed", f"sla: {_sla(old['sla'])} → {_sla(new['sla'])}"))
    out += _steps(old["steps"], new["steps"], where, labels)
    flags = {"allow_self_approval": "self-approval allowed", "skip_counted": "an earlier approval counts again"}
    for key, word in flags.items():
        if old[key] != new[key]:
            out.append(_line(where, "changed", f"{word}: {_yes(old[key])} → {_yes(new[key])}"))
    if old["distinct"] != new["distinct"]:
        out.append(_line(where, "changed", f"roles held by different people: {_pairs(old['distinct'])} → "
                                           f"{_pairs(new['distinct'])}"))
    return out


def _steps(old: list, new: list, where: str, labels: dict) -> list[dict]:
    """Steps are matched by name; a step renamed in place is matched by its position."""
    out = []
    old_names = [s["name"] for s in old]
    new_names = [s["name"] for s in new]
    matched = {}
    for i, s in enumerate(new):
        if s["name"] in old_names:
            matched[i] = old[old_names.index(s["name"])]
        elif i < len(old) and old[i]["name"] not in new_names:
            matched[i] = old[i]
    used = {id(p) for p in matched.values()}
    for i, s in enumerate(new):
        prev = matched.get(i)
        if prev is None:
            out.append(_line(where, "added", f"approval step '{s['name']}': {_step_words(s, labels)}"))
            continue
        head = f"approval step '{s['name']}'"
        if prev["name"] != s["name"]:
            out.append(_line(where, "changed", f"approval step '{prev['name']}': renamed '{s['name']}'"))
        if prev["roles"] != s["roles"]:
            out.append(_line(where, "changed", f"{head}: approvers {_roles(prev['roles'])} → {_roles(s['roles'])}"))
        if (prev["mode"], prev["quorum"]) != (s["mode"], s["quorum"]):
            out.append(_line(where, "changed", f"{head}: {_mode(prev)} → {_mode(s)}"))
        if prev["condition"] != s["condition"]:
            out.append(_line(where, "changed", f"{head}: {_routing(prev['condition'], labels)} → "
                                               f"{_routing(s['condition'], labels)}"))
        if prev["parallel"] != s["parallel"]:
            out.append(_line(where, "changed", f"{head}: " + ("now runs alongside the step before"
                                                              if s["parallel"] else "now runs after the step before")))
    for s in old:
        if id(s) not in used:
            out.append(_line(where, "removed", f"approval step '{s['name']}'"))
    order = [s["name"] for s in new if s["name"] in old_names]
    if order != [n for n in old_names if n in order]:
        out.append(_line(where, "changed", f"order of approval steps: {' › '.join(old_names)} → "
                                           f"{' › '.join(new_names)}"))
    return out


def _step_words(s: dict, labels: dict) -> str:
    return f"{_roles(s['roles'])}, {_mode(s)}, {_routing(s['condition'], labels)}"


def _mode(s: dict) -> str:
    if s["mode"] == "quorum":
        return f"quorum {s['quorum']}"
    return {"any": "any one approves", "all": "all approve"}.get(s["mode"], s["mode"])


def _routing(condition, labels: dict) -> str:
    if condition is None:
        return "always"
    return "only when " + condition_words(condition, labels)


_OPS = {">": "is greater than", ">=": "is at least", "<": "is less than", "<=": "is at most", "==": "is",
        "!=": "is not"}


def condition_words(rule, labels: dict) -> str:
    """A routing condition in words when it compares one fact with a value (the editor's form), else as stored."""
    if isinstance(rule, dict) and len(rule) == 1:
        op, args = next(iter(rule.items()))
        if op in _OPS and isinstance(args, list) and len(args) == 2 and isinstance(args[0], dict) \
                and set(args[0]) == {"var"} and not isinstance(args[1], (dict, list)):
            return f"{_label(str(args[0]['var']), labels)} {_OPS[op]} {_number(args[1])}"
        if op == "and" and isinstance(args, list) and len(args) == 2 and _guard(args[0]) is not None \
                and _guard(args[0]) == _compared(args[1]):
            return condition_words(args[1], labels)  # the builder's "has a value and ..." guard
        if op in ("and", "or") and isinstance(args, list) and args:
            return f" {op} ".join(condition_words(a, labels) for a in args)
    return _short(rule)


def _guard(rule):
    """The path a ``{"!=": [{"var": p}, null]}`` guard checks, else None."""
    if isinstance(rule, dict) and list(rule) == ["!="] and isinstance(rule["!="], list) and len(rule["!="]) == 2 \
            and rule["!="][1] is None:
        return _compared(rule)
    return None


def _compared(rule):
    if isinstance(rule, dict) and len(rule) == 1:
        args = next(iter(rule.values()))
        if isinstance(args, list) and args and isinstance(args[0], dict) and set(args[0]) == {"var"}:
            return args[0]["var"]
    return None


def _number(v) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,}"
    return str(v)


def _plain(v) -> str:
    return f"{v:g}" if isinstance(v, float) else _short(v)


def _label(path: str, labels: dict) -> str:
    return labels.get(path) or path


def _roles(roles: list) -> str:
    return ", ".join(r.replace("_", " ") for r in roles) or "nobody"


def _sla(sla: dict) -> str:
    parts = []
    if sla.get("reminder_days") is not None:
        parts.append(f"reminder after {sla['reminder_days']} days")
    if sla.get("escalation_days") is not None:
        parts.append(f"escalation after {sla['escalation_days']} days")
    if sla.get("escalate_to"):
        parts.append(f"escalated to {sla['escalate_to'].replace('_', ' ')}")
    return ", ".join(parts) or "none"


def _pairs(pairs: list) -> str:
    return "; ".join(f"{a} ≠ {b}" for a, b in pairs) or "none"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _levels(old: list, new: list) -> list[dict]:
    out = []
    by_doi = {lv.get("doi"): lv for lv in old if isinstance(lv, dict)}
    for lv in new:
        prev = by_doi.pop(lv.get("doi"), None)
        if prev is None:
            out.append(_line(f"DoI {lv.get('doi')}", "added", f"level {lv.get('name')}"))
        elif (prev.get("name"), float(prev.get("risk_weight") or 0)) != (lv.get("name"),
                                                                         float(lv.get("risk_weight") or 0)):
            out.append(_line(f"DoI {lv.get('doi')}", "changed", f"level {prev.get('name')} ({prev.get('risk_weight')}%)"
                                                                 f" → {lv.get('name')} ({lv.get('risk_weight')}%)"))
    for doi, lv in by_doi.items():
        out.append(_line(f"DoI {doi}", "removed", f"level {lv.get('name')}"))
    return out


def _items(old: list, new: list, where: str, kind: str) -> list[dict]:
    out = []
    by_code = {i.get("code"): i for i in old if isinstance(i, dict)}
    for item in new:
        if not isinstance(item, dict):
            continue
        prev = by_code.pop(item.get("code"), None)
        label = item.get("label") or item.get("code")
        if prev is None:
            out.append(_line(where, "added", f"{kind} '{label}'"))
            continue
        fields = [k for k in sorted(set(prev) | set(item)) if _item_value(prev, k) != _item_value(item, k)]
        if fields:
            out.append(_line(where, "changed", f"{kind} '{label}': {', '.join(f.replace('_', ' ') for f in fields)}"))
    for item in by_code.values():
        out.append(_line(where, "removed", f"{kind} '{item.get('label') or item.get('code')}'"))
    return out


_ITEM_DEFAULTS = {"weight": 1, "kind": "any"}


def _item_value(item: dict, key: str):
    v = item.get(key)
    if v is None and key in _ITEM_DEFAULTS:
        return _ITEM_DEFAULTS[key]
    if key == "label" and not v:
        return item.get("code")
    if key == "explanation" and not v:
        return item.get("label") or item.get("code")
    return v


def _model_setting(definition: dict, key: str):
    if key == "closure" and key in definition:
        return {**_CLOSURE_DEFAULT, **(definition[key] or {})}
    return (key in definition, definition.get(key))


def _setting(definition: dict, key: str) -> str:
    if key not in definition:
        return "default"
    return "none" if definition[key] is None else _short(definition[key])


def _line(where: str, change: str, what: str) -> dict:
    return {"where": where, "change": change, "what": what}


def _short(v) -> str:
    text = str(v)
    return text if len(text) <= 80 else text[:77] + "..."

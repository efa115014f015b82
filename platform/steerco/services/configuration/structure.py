"""Editing the hierarchy and node-scoped roles from the web app.

Moving a node rewrites the paths of its whole subtree, so "this node and
below" (decision rights, roll-ups, list filters) follows the move at once.
"""

from __future__ import annotations

from sqlalchemy import String, func, literal, select, update

from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.hierarchy import HierarchyLevel, Node
from steerco.services.configuration.drafts import require_configurer
from steerco.services.rights import people
from steerco.store import tables as t
from steerco.store import versions


def tree(uow) -> list[dict]:
    """Every node in tree order with its level, depth, its own measures and those of its whole subtree."""
    counts = dict(uow.session.execute(select(t.measures.c.node_id, func.count()).group_by(t.measures.c.node_id)).all())
    nodes = uow.nodes()
    own = {n.path: counts.get(n.id, 0) for n in nodes}
    return [{"code": n.code, "name": n.name, "level": n.level.name, "depth": n.path.count("/") - 2, "path": n.path,
             "parent": n.parent.code if n.parent else None, "archived": n.archived, "measures": own[n.path],
             "below": sum(c for p, c in own.items() if p.startswith(n.path)), "version": n.version}
            for n in nodes]


def levels(uow) -> list[dict]:
    """The hierarchy levels, top first, with how many nodes sit on each."""
    counts = dict(uow.session.execute(select(t.nodes.c.level_id, func.count()).group_by(t.nodes.c.level_id)).all())
    return [{"code": lv.code, "name": lv.name, "rank": lv.rank, "nodes": counts.get(lv.id, 0)} for lv in uow.levels()]


def add_level(uow, code: str, name: str) -> HierarchyLevel:
    """Add a level below the existing ones.

    :raises ValidationFailed: a blank name, a malformed or taken code (keyed by field).
    """
    require_configurer(uow)
    errors = {}
    if not (name or "").strip():
        errors["name"] = ["required"]
    if uow.level(code or ""):
        errors["code"] = [f"'{code}' is already used"]
    if errors:
        raise ValidationFailed(errors)
    rank = max((lv.rank for lv in uow.levels()), default=-1) + 1
    level = uow.add(HierarchyLevel(code, name.strip(), rank))
    uow.flush()
    uow.record("hierarchy_level.created", "hierarchy_level", code, after={"name": level.name, "rank": rank})
    return level


def rename_level(uow, code: str, name: str) -> None:
    """:raises NotFound: no such level; :raises ValidationFailed: a blank name."""
    require_configurer(uow)
    level = uow.level(code)
    if level is None:
        raise NotFound(f"level: no level '{code}'")
    if not (name or "").strip():
        raise ValidationFailed({"name": ["required"]})
    before, level.name = level.name, name.strip()
    uow.record("hierarchy_level.updated", "hierarchy_level", code, before={"name": before}, after={"name": level.name})


def move_level(uow, code: str, up: bool) -> None:
    """Swap level ``code`` with the one above (``up``) or below it.

    :raises ValidationFailed: it is already first or last, or a node of the lower level sits directly
        under a node of the upper one (the swap would put a node above its parent's level).
    """
    require_configurer(uow)
    levels = uow.levels()
    level = next((lv for lv in levels if lv.code == code), None)
    if level is None:
        raise NotFound(f"level: no level '{code}'")
    at = levels.index(level)
    other_at = at - 1 if up else at + 1
    if not 0 <= other_at < len(levels):
        raise ValidationFailed({"level": [f"'{level.name}' is already the {'top' if up else 'bottom'} level"]})
    upper, lower = (levels[other_at], level) if up else (level, levels[other_at])
    clash = next((n for n in uow.nodes() if n.level is lower and n.parent is not None and n.parent.level is upper),
                 None)
    if clash is not None:
        raise ValidationFailed({"level": [f"'{clash.name}' ({lower.name}) sits under '{clash.parent.name}' "
                                          f"({upper.name}): move it before putting {lower.name} above {upper.name}"]})
    upper.rank, lower.rank = lower.rank, upper.rank
    uow.record("hierarchy_level.moved", "hierarchy_level", code, after={"order": [
        lv.code for lv in sorted(levels, key=lambda x: x.rank)]})


def remove_level(uow, code: str) -> None:
    """Remove a level no node is on.

    :raises ValidationFailed: nodes are on it (named, with how many).
    """
    require_configurer(uow)
    level = uow.level(code)
    if level is None:
        raise NotFound(f"level: no level '{code}'")
    on = [n.name for n in uow.nodes() if n.level is level]
    if on:
        raise ValidationFailed({"level": [f"{len(on)} node(s) are on level '{level.name}' ({', '.join(on[:3])}"
                                          f"{', ...' if len(on) > 3 else ''}): move or archive them first"]})
    uow.session.delete(level)
    uow.record("hierarchy_level.removed", "hierarchy_level", code, before={"name": level.name})


def fits(level: HierarchyLevel, parent: Node | None) -> str | None:
    """Why a node of ``level`` may not sit under ``parent`` (None: it may): no level above its parent's."""
    if parent is not None and level.rank < parent.level.rank:
        return (f"{_a(level.name)} cannot sit under {_a(parent.level.name)} ('{parent.name}'): "
                f"choose a parent on level {level.name} or above it")
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def add_node(uow, code: str, name: str, level: str, parent: str | None) -> Node:
    require_configurer(uow)
    errors = {}
    if not (name or "").strip():
        errors["name"] = ["required"]
    lvl = uow.level(level or "")
    if lvl is None:
        errors["level"] = [f"unknown level '{level}'"]
    if uow.node(code):
        errors["code"] = [f"'{code}' is already used"]
    par = uow.node(parent) if parent else None
    if parent and par is None:
        errors["parent"] = [f"no node '{parent}'"]
    elif par is not None and par.archived:
        errors["parent"] = [f"'{parent}' is archived: restore it first"]
    elif par is not None and lvl is not None and fits(lvl, par):
        errors["parent"] = [fits(lvl, par)]
    if errors:
        raise ValidationFailed(errors)
    node = uow.add(Node(code, name.strip(), lvl, par))
    uow.flush()
    uow.record("node.created", "node", code, after={"name": node.name, "level": lvl.code, "parent": parent})
    return node


def _node(uow, code: str, expected_version: int | None) -> Node:
    """The node ``code``, if still at the version the caller read (the ORM's UPDATE checks it again)."""
    node = uow.require_node(code)
    versions.check(uow, "node", code, expected_version, node.version, ("node", code), label=node.name)
    return node


def rename_node(uow, code: str, name: str, *, expected_version: int | None = None) -> None:
    """:raises StaleUpdate: the node changed since ``expected_version``."""
    require_configurer(uow)
    node = _node(uow, code, expected_version)
    if not (name or "").strip():
        raise ValidationFailed({"name": ["required"]})
    before, node.name = node.name, name.strip()
    uow.record("node.updated", "node", code, before={"name": before}, after={"name": node.name})


def archive_node(uow, code: str, archived: bool = True, *, expected_version: int | None = None) -> None:
    """Archive (or restore) a node: it is no longer offered for new measures or filters."""
    require_configurer(uow)
    node = _node(uow, code, expected_version)
    node.archived = archived
    uow.record("node.archived" if archived else "node.restored", "node", code)


def move_node(uow, code: str, new_parent: str | None, *, expected_version: int | None = None) -> None:
    """Hang ``code`` (and its subtree) under ``new_parent`` (``None``: at the root).

    :raises ValidationFailed: moving a node under itself, its own subtree or an archived node.
    :raises StaleUpdate: the node changed since ``expected_version``.
    """
    require_configurer(uow)
    node = _node(uow, code, expected_version)
    parent = uow.require_node(new_parent) if new_parent else None
    if parent is not None and parent.path.startswith(node.path):
        raise ValidationFailed({"parent": [f"'{new_parent}' lies under '{code}': a node cannot move into its own subtree"]})
    if parent is not None and parent.archived and parent is not node.parent:
        raise ValidationFailed({"parent": [f"'{new_parent}' is archived: restore it first"]})
    if fits(node.level, parent):
        raise ValidationFailed({"parent": [fits(node.level, parent)]})
    old_path = node.path
    new_path = (parent.path if parent else "/") + node.code + "/"
    if new_path == old_path:
        return
    before = node.parent.code if node.parent else None
    node.parent = parent
    uow.flush()
    uow.session.execute(update(t.nodes).where(t.nodes.c.path.startswith(old_path, autoescape=True))
                        .values(path=literal(new_path, String).concat(func.substr(t.nodes.c.path, len(old_path) + 1)))
                        .execution_options(synchronize_session=False))
    uow.session.expire_all()
    uow.record("node.moved", "node", code, before={"parent": before}, after={"parent": new_parent})


def assignments(uow) -> list[dict]:
    return [people.user_view(u) for u in uow.users()]


def assign_role(uow, username: str, role: str, node: str | None) -> None:
    require_configurer(uow)
    user = uow.user(username)
    if user is None:
        raise ValidationFailed({"user": [f"no user '{username}'"]})
    if not people.assign(uow, user, role, node or None):
        raise ValidationFailed({"role": [f"{username} already holds '{role}' there"]})


def remove_role(uow, username: str, role: str, node: str | None) -> None:
    require_configurer(uow)
    user = uow.require_user(username)
    match = [a for a in user.assignments if a.role == role and (a.node.code if a.node else None) == (node or None)]
    if not match:
        raise NotFound(f"role: {username} does not hold '{role}' on {node or 'the whole organisation'}")
    user.assignments.remove(match[0])
    uow.record("user.role_removed", "user", username, before={"role": role, "node": node or None})

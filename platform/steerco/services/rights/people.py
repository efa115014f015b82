"""Users and their node-scoped roles."""

from __future__ import annotations

import re

from steerco.domain import rights
from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.people import ADMIN, RoleAssignment, User

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,127}")


def add_user(uow, username: str, *, name: str = "", email: str = "", roles=()) -> User:
    """Create a user, or return the existing one with any new roles added.

    :param roles: pairs ``(role_code, node_code_or_None)``.
    """
    user = uow.user(username)
    if user is None:
        user = uow.add(User(username, name, email))
        uow.flush()
        uow.record("user.created", "user", username, after={"name": user.name, "email": email})
    for role, node_code in roles:
        assign(uow, user, role, node_code)
    return user


def assign(uow, user: User, role: str, node_code: str | None = None) -> bool:
    if uow.role(role) is None:
        known = ", ".join(r.code for r in uow.roles())
        raise ValidationFailed({"role": [f"unknown role '{role}'; known roles: {known}"]})
    node = None
    if node_code:
        node = uow.node(node_code)
        if node is None:
            raise NotFound(f"node: no node '{node_code}'")
    if any(a.role == role and a.node is node for a in user.assignments):
        return False
    user.assignments.append(RoleAssignment(role, node))
    uow.record("user.role_assigned", "user", user.username, after={"role": role, "node": node_code})
    return True


def user_view(user: User) -> dict:
    return {"username": user.username, "name": user.name, "email": user.email, "active": user.active,
            "roles": [{"role": a.role, "node": a.node.code if a.node else None} for a in user.assignments]}


def set_active(uow, username: str, active: bool) -> bool:
    """Deactivate or reactivate a person; returns whether anything changed. Their history stays."""
    user = uow.require_user(username, "username")
    if user.active == active:
        return False
    user.active = active
    uow.record("user.activated" if active else "user.deactivated", "user", username)
    return True


def require_people_admin(uow) -> User:
    """Adding people, closing logins and setting others' passwords is for admins."""
    actor = uow.require_user(uow.actor)
    rights.require(actor.holds_any((ADMIN,)), f"{actor.username} may not manage people (admins do)")
    return actor


def directory(uow) -> list[dict]:
    require_people_admin(uow)
    return [user_view(u) for u in uow.users()]


def add_person(uow, username: str, name: str, email: str, role: str | None, node_code: str | None) -> User:
    """A new person, with a first role (on a node, or everywhere) if given.

    :raises ValidationFailed: a malformed or taken username, a missing name, an unknown role or node.
    """
    require_people_admin(uow)
    problems = {}
    if not USERNAME.fullmatch(username or ""):
        problems["username"] = ["letters, digits and . _ @ - (at most 128), starting with a letter or digit"]
    elif uow.user(username) is not None:
        problems["username"] = [f"'{username}' is taken"]
    if not (name or "").strip():
        problems["name"] = ["required"]
    if problems:
        raise ValidationFailed(problems)
    if node_code and uow.node(node_code) is None:
        raise ValidationFailed({"node": [f"no node '{node_code}'"]})
    return add_user(uow, username, name=name.strip(), email=(email or "").strip(),
                    roles=[(role, node_code or None)] if role else ())


def change_active(uow, username: str, active: bool) -> bool:
    actor = require_people_admin(uow)
    if not active and username == actor.username:
        raise ValidationFailed({"username": ["you cannot deactivate yourself"]})
    return set_active(uow, username, active)

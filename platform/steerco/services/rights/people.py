"""Users and their node-scoped roles."""

from __future__ import annotations

from steerco.domain.errors import NotFound, ValidationFailed
from steerco.domain.people import RoleAssignment, User


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

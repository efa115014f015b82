"""Decision rights as readable predicates. Views and services ask these; none
is encoded as a view permission string."""

from __future__ import annotations

from steerco.domain.errors import PermissionDenied
from steerco.domain.people import ADMIN, CONSULTANT, PMO, User

CREATORS = (ADMIN, PMO, "owner")


def named_on(user: User, measure) -> bool:
    return user is not None and user in (measure.owner, measure.sponsor, measure.controller)


def can_view(user: User, measure) -> bool:
    return user.is_admin or named_on(user, measure) or any(
        measure.node.path.startswith(a.scope) for a in user.assignments)


def can_create_in(user: User, node) -> bool:
    return user.holds_any(CREATORS, node.path)


def can_edit(user: User, measure) -> bool:
    return user.is_admin or user.holds(PMO, measure.node.path) or named_on(user, measure)


def can_submit(user: User, measure) -> bool:
    return user.is_admin or user.holds(PMO, measure.node.path) or user is measure.owner


def can_configure(user: User) -> bool:
    return user.holds_any((ADMIN, CONSULTANT))


def visible_scopes(user: User) -> list[str] | None:
    """Node paths whose subtrees the user may see; None means everything."""
    scopes = {a.scope for a in user.assignments}
    return None if "/" in scopes else sorted(scopes)


def require(allowed: bool, message: str):
    if not allowed:
        raise PermissionDenied(message)

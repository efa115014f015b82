"""Decision rights as readable predicates. Views and services ask these; none
is encoded as a view permission string."""

from __future__ import annotations

from steerco.domain.errors import NotAnApprover, PermissionDenied, SegregationOfDuties
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


def check_clear_condition(user: User, condition, on_behalf_of: User | None = None) -> None:
    """Who clears a condition of a Conditional Go: an approver of the review that set it, a delegate
    acting for one (``on_behalf_of``, whose delegation the caller has checked), or the PMO of the
    measure's node. Never the measure's owner, whatever else they hold: the owner is the one the
    condition binds, so a second person confirms it was met.

    :raises SegregationOfDuties: the owner, in their own right or for someone else.
    :raises NotAnApprover: anyone else who is none of these.
    """
    measure = condition.measure
    owner = measure.owner
    if owner is not None and owner in (user, on_behalf_of):
        raise SegregationOfDuties(
            f"{owner.username} owns measure {measure.code} and may not clear the conditions set on it "
            "(segregation of duties): an approver of the review or the PMO of its node confirms they were met")
    if on_behalf_of is not None:
        if condition.set_by_approver(on_behalf_of):
            return
    elif condition.set_by_approver(user) or user.holds(PMO, measure.node.path):
        return
    who = f"{user.username} (for {on_behalf_of.username})" if on_behalf_of is not None else user.username
    raise NotAnApprover(
        f"{who} may not clear conditions of measure {measure.code}: only an approver of the review that set "
        f"them ({_step_roles(condition.review)}), a delegate acting for one, or the PMO of node "
        f"{measure.node.code} may")


def _step_roles(review) -> str:
    return ", ".join(dict.fromkeys(r for step in review.steps for r in step["roles"])) or "no approval steps"


# -- value: the owner plans and forecasts, a second person books and signs off -------------------
VALUE_SOD = "actuals and period locks of a measure need a controller who is not its owner (segregation of duties)"
SHOWN_IN_MESSAGE = 20


def holds_actuals_role(user: User, measure) -> bool:
    """Actuals come from the books: the controller (of the measure or the node), the PMO or an admin."""
    path = measure.node.path
    return user is measure.controller or user.holds("controller", path) or user.holds_any((ADMIN, PMO), path)


def owner_conflict(user: User, measure, act: str) -> SegregationOfDuties | None:
    """The refusal when ``user`` would ``act`` on the value of a measure they own, whatever roles they hold."""
    if measure.owner is not None and user is measure.owner:
        return SegregationOfDuties(f"{user.username} owns measure {measure.code} and may not {act}: {VALUE_SOD}")
    return None


def require_not_owner(user: User, measure, act: str) -> None:
    conflict = owner_conflict(user, measure, act)
    if conflict is not None:
        raise conflict


def may_enter_actuals(user: User, measure) -> bool:
    return holds_actuals_role(user, measure) and owner_conflict(user, measure, "enter its actuals") is None


def owned_measures_conflict(user: User, codes: list[str], act: str, hint: str = "") -> SegregationOfDuties:
    """The refusal of an act on every measure (a period lock for all) by someone who owns some of them."""
    return SegregationOfDuties(f"{user.username} owns measure(s) {_listed(codes)} and may not {act}, which "
                               f"covers them: {VALUE_SOD}" + (f"; {hint}" if hint else ""))


def owned_rows_conflict(user: User, rows: list[tuple[int, str]]) -> SegregationOfDuties:
    """The refusal of a whole actuals file in which ``rows`` (row number, measure code) book to measures
    ``user`` owns: a file is imported all or nothing, so one such row refuses it."""
    codes = list(dict.fromkeys(code for _row, code in rows))
    return SegregationOfDuties(
        f"{user.username} owns measure(s) {_listed(codes)} booked in row(s) {_listed([str(r) for r, _c in rows])}: "
        f"{VALUE_SOD}; nothing was imported", rows=[{"row": r, "measure": c} for r, c in rows])


def _listed(items: list[str]) -> str:
    more = len(items) - SHOWN_IN_MESSAGE
    return ", ".join(items[:SHOWN_IN_MESSAGE]) + (f" and {more} more" if more > 0 else "")

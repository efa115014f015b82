"""Delegation use cases: delegate approval rights, revoke them, find the ones in force."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from steerco.domain.delegation import Delegation, new_delegation
from steerco.domain.errors import NotDelegated, NotFound, PermissionDenied, ValidationFailed
from steerco.store import tables_rights as tr


def _day(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed({field: ["a date as YYYY-MM-DD"]}) from None


def create(uow, delegate: str, starts_on, ends_on, *, delegator: str | None = None, node: str | None = None,
           gate_type: str | None = None, reason: str = "") -> Delegation:
    """Delegate the actor's approval rights (an admin may do it for another user, e.g. when they are away).

    :raises PermissionDenied: a non-admin delegating someone else's rights.
    :raises ValidationFailed, NotFound: naming the field.
    """
    actor = uow.require_user(uow.actor)
    owner = uow.require_user(delegator, "delegator") if delegator else actor
    if owner is not actor and not actor.is_admin:
        raise PermissionDenied(f"{actor.username} may delegate only their own approval rights")
    target = uow.require_user(delegate, "delegate")
    scope = uow.require_node(node) if node else None
    d = uow.add(new_delegation(owner, target, _day(starts_on, "starts_on"), _day(ends_on, "ends_on"), actor,
                               uow.now, node=scope, gate_type=gate_type or None, reason=reason))
    uow.flush()
    uow.record("delegation.created", "delegation", d.id, after=d.as_dict())
    return d


def revoke(uow, delegation_id: int) -> Delegation:
    """:raises NotFound, PermissionDenied, Conflict:"""
    actor = uow.require_user(uow.actor)
    d = uow.session.get(Delegation, delegation_id)
    if d is None or not (actor.is_admin or actor in (d.delegator, d.delegate, d.created_by)):
        raise NotFound(f"delegation: no delegation with id {delegation_id}")
    if actor is d.delegate and not actor.is_admin:
        raise PermissionDenied("the delegate cannot revoke a delegation; the delegator or an admin can")
    d.revoke(actor, uow.now)
    uow.record("delegation.revoked", "delegation", d.id, before=d.as_dict(), after={"revoked": True})
    return d


def listing(uow) -> list[Delegation]:
    """Delegations given or received by the actor; every one for an admin."""
    actor = uow.require_user(uow.actor)
    q = select(Delegation).order_by(tr.delegations.c.id)
    if not actor.is_admin:
        q = q.where(or_(tr.delegations.c.delegator_id == actor.id, tr.delegations.c.delegate_id == actor.id))
    return list(uow.session.scalars(q))


def received(uow, delegate, day: date) -> list[Delegation]:
    """Delegations in force on ``day`` that let ``delegate`` act for someone."""
    q = select(Delegation).where(tr.delegations.c.delegate_id == delegate.id, tr.delegations.c.revoked_at.is_(None),
                                 tr.delegations.c.starts_on <= day, tr.delegations.c.ends_on >= day)
    return list(uow.session.scalars(q))


def given(uow, delegator_ids, day: date) -> list[Delegation]:
    """Delegations in force on ``day`` from any of ``delegator_ids`` (out-of-office forwarding)."""
    if not delegator_ids:
        return []
    q = select(Delegation).where(tr.delegations.c.delegator_id.in_(list(delegator_ids)),
                                 tr.delegations.c.revoked_at.is_(None),
                                 tr.delegations.c.starts_on <= day, tr.delegations.c.ends_on >= day)
    return list(uow.session.scalars(q))


def require_delegation(uow, principal, delegate, path: str, gate_type: str) -> Delegation:
    """The delegation in force that lets ``delegate`` vote for ``principal`` here.

    :raises NotDelegated: when there is none.
    """
    for d in received(uow, delegate, uow.now.date()):
        if d.delegator is principal and d.covers(uow.now.date(), path, gate_type):
            return d
    raise NotDelegated(f"{principal.username} has not delegated approval rights for this review to "
                       f"{delegate.username}")


def delegation_view(d: Delegation) -> dict:
    return {"id": d.id, **d.as_dict(), "created_by": d.created_by.username,
            "created_at": d.created_at.isoformat(), "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
            "revoked_by": d.revoked_by.username if d.revoked_by else None}

"""Login sessions: a cookie is only good for the generation it was issued under.

Logging out, a new password and deactivation move a login to its next
generation, so every cookie issued before stops working on every web worker
at once, including one copied before the logout.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update

from steerco.store import tables as t


def session_generation(uow, username: str) -> int:
    """The generation a new session of ``username`` is issued under (0 until the first revocation)."""
    found = uow.session.scalar(select(t.login_sessions.c.generation).where(t.login_sessions.c.username == username))
    return found or 0


def revoke_sessions(uow, username: str, reason: str) -> int:
    """End every session of ``username``; returns the generation a session issued from now on carries.

    :param reason: why (``logout``, ``password_changed``, ``deactivated``...), for the audit trail.
    """
    c = t.login_sessions.c
    done = uow.session.execute(update(t.login_sessions).where(c.username == username)
                               .values(generation=c.generation + 1))
    if not done.rowcount:
        uow.session.execute(insert(t.login_sessions).values(username=username, generation=1))
    uow.record("login.sessions_revoked", "login", username, after={"reason": reason})
    return session_generation(uow, username)

"""Login accounts: Flask-AppBuilder's user table, kept beside Steerco's users.

Steerco's own ``users`` table holds people and their node-scoped roles (the
decision rights); FAB's holds what is needed to log in. Both share the username.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_login import current_user
from werkzeug.security import check_password_hash

from steerco.domain.errors import ValidationFailed
from steerco.services.rights.logins import revoke_sessions

STEERCO_ROLE = "Steerco User"
"""The one FAB role every login holds; Steerco's own roles (node-scoped) decide what a person may do."""


MIN_PASSWORD = 12


def check_password(username: str, password: str) -> None:
    """The password policy for passwords people choose (the CLI and the password page).

    :raises ValidationFailed: shorter than :data:`MIN_PASSWORD` characters, or the username itself.
    """
    if len(password or "") < MIN_PASSWORD:
        raise ValidationFailed({"password": [f"at least {MIN_PASSWORD} characters"]})
    if password.strip().lower() == (username or "").strip().lower():
        raise ValidationFailed({"password": ["must not be the username"]})


def ensure_login(app: Flask, username: str, password: str | None, *, name: str = "", email: str = "",
                 admin: bool = False) -> bool:
    """Create the login, or reset its password; returns True if it was created."""
    with app.app_context():
        sm = app.appbuilder.sm
        roles = [sm.find_role(STEERCO_ROLE) or sm.add_role(STEERCO_ROLE)]
        if admin:
            roles.append(sm.find_role(app.config["AUTH_ROLE_ADMIN"]) or sm.add_role(app.config["AUTH_ROLE_ADMIN"]))
        existing = sm.find_user(username=username)
        if existing is not None:
            if password:
                sm.reset_password(existing.id, password)
                revoke(username, "password_changed")
            for role in roles:
                if role not in existing.roles:
                    existing.roles.append(role)
            sm.update_user(existing)
            return False
        first, _, last = (name or username).partition(" ")
        user = sm.add_user(username, first, last or "-", email or f"{username}@steerco.invalid", roles,
                           password=password or "")
        if not user:
            raise RuntimeError(f"could not create the login for '{username}' (see the log)")
        return True


def change_password(username: str, password: str, *, current: str | None = None) -> int:
    """Set a login's password under the policy; every session of the login ends.

    Returns the generation of sessions issued from now on (see :func:`revoke`).

    :param current: the present password, required when a person changes their own.
    :raises ValidationFailed: the policy is not met, or ``current`` is wrong; nothing changes.
    """
    sm = current_app.appbuilder.sm
    login = sm.find_user(username=username)
    if login is None:
        raise ValidationFailed({"username": [f"no login '{username}'"]})
    if current is not None and not check_password_hash(login.password or "", current):
        raise ValidationFailed({"current_password": ["is not your present password"]})
    check_password(username, password)
    sm.reset_password(login.id, password)
    return revoke(username, "password_changed", actor=_actor())


def login_problems(username: str, email: str) -> dict[str, list[str]]:
    """What stops a new login from being made: its username or e-mail held by another login."""
    sm = current_app.appbuilder.sm
    problems = {}
    if sm.find_user(username=username) is not None:
        problems["username"] = [f"'{username}' is taken"]
    if email and sm.find_user(email=email) is not None:
        problems["email"] = [f"{email} is another login's e-mail"]
    return problems


def set_login_active(username: str, active: bool) -> None:
    """Open or close a login; closing it ends its sessions and refuses its refresh tokens."""
    sm = current_app.appbuilder.sm
    login = sm.find_user(username=username)
    if login is not None and login.active != active:
        login.active = active
        sm.update_user(login)
    if not active:
        revoke(username, "deactivated", actor=_actor())


def revoke(username: str, reason: str, actor: str | None = None) -> int:
    """End every session of ``username``; returns the generation of sessions issued from now on."""
    store = current_app.extensions["steerco.store"]
    return store.run(actor or username, lambda uow: revoke_sessions(uow, username, reason))


def _actor() -> str | None:
    return current_user.username if current_user and current_user.is_authenticated else None

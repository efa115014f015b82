"""Steerco's security manager: FAB's logins, guarded and revocable.

Every login passes the rate limit and lockout (``login_guard``); a browser
session is only honoured while its generation is the login's current one
(``steerco.services.rights.logins``), so logging out, a new password or a
deactivation ends it everywhere at once.
"""

from __future__ import annotations

import logging

from flask import current_app, g, redirect, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import user_logged_in, user_logged_out

from steerco.services.rights.logins import session_generation
from steerco_admin.accounts import revoke
from steerco_admin.api.connectors_directory import DirectorySecurityManager
from steerco_admin.login_guard import guard

log = logging.getLogger(__name__)

SESSION_KEY = "steerco_session"
"""The generation a browser session was issued under."""
TOKEN_CLAIM = "sg"
"""The generation an API token was issued under: a logout, a new password or a deactivation ends tokens too."""


def _store():
    return current_app.extensions["steerco.store"]


def audit(action: str, username: str, after: dict) -> None:
    _store().run("login", lambda uow: uow.record(action, "login", username, after=after))


def current_generation(username: str) -> int:
    return _store().run(username, lambda uow: session_generation(uow, username), readonly=True)


def keep_this_session(generation: int) -> None:
    """After revoking a person's sessions on their own request, keep the one they made it from."""
    session[SESSION_KEY] = generation


class SteercoSecurityManager(DirectorySecurityManager):
    def auth_user_db(self, username, password):
        return _counted(username, super().auth_user_db(username, password))

    def auth_user_ldap(self, username, password):
        return _counted(username, super().auth_user_ldap(username, password))

    def load_user(self, pk):
        """The login of a browser session, unless the session was revoked since it was issued."""
        user = super().load_user(pk)
        if user is None or session.get(SESSION_KEY) != current_generation(user.username):
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The login of a token, while it is active and the token's generation is its current one."""
        user = self.get_user_by_id(int(jwt_data["sub"]))
        if user and user.is_active and jwt_data.get(TOKEN_CLAIM) == current_generation(user.username):
            g.user = user
            return user
        return None

    def token_claims(self, identity) -> dict:
        user = self.get_user_by_id(int(identity))
        return {TOKEN_CLAIM: current_generation(user.username)} if user else {}


def _counted(username, user):
    name = (username or "").strip()[:128]
    if user:
        guard().succeeded(name)
    elif name and guard().failed(name):
        audit("login.locked", name, {"address": get_remote_address(),
                                     "minutes": current_app.config["STEERCO_LOGIN_LOCKOUT_MINUTES"]})
    return user


# FAB's own user and role pages: a second role system beside Steerco's, and password forms that skip the
# policy. Every request to them, writes included, goes to Steerco's pages instead.
FAB_PEOPLE_PAGES = ("/users/", "/roles/", "/groups/", "/permissions/", "/permissionviews/", "/viewmenus/",
                    "/resetpassword/", "/userstatschartview/", "/registeruser/")
FAB_OWN_PAGES = ("/resetmypassword/", "/userinfoeditview/")


def _to_steerco_pages():
    if request.path.startswith(FAB_PEOPLE_PAGES):
        return redirect(url_for("PeopleView.index"), 303)
    if request.path.startswith(FAB_OWN_PAGES):
        return redirect(url_for("AccountView.password"), 303)
    return None


def install(app) -> None:
    user_logged_in.connect(_logged_in, app)
    user_logged_out.connect(_logged_out, app)
    app.before_request(_to_steerco_pages)
    sm = app.appbuilder.sm
    sm.jwt_manager.additional_claims_loader(sm.token_claims)


def _logged_in(_app, user):
    session[SESSION_KEY] = current_generation(user.username)


def _logged_out(_app, user):
    if getattr(user, "username", None):
        revoke(user.username, "logout")
    session.pop(SESSION_KEY, None)

"""Logging in with directory credentials (Active Directory / LDAP through ldap3).

FAB's own LDAP login needs python-ldap; this security manager answers FAB's
``provider: "ldap"`` login (``POST /api/v1/security/login``) with the configured
directory connector instead: it binds as the user, then brings the Steerco
user's roles in line with their groups. Decision rights stay in the domain: the
FAB login only carries the username.
"""

from __future__ import annotations

import logging
import secrets

from flask import current_app
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from werkzeug.exceptions import BadRequest

from steerco.plugins.connector import ConnectorError
from steerco.plugins.manager import connector_classes
from steerco.services.integration import connectors as connector_service
from steerco.services.integration.directory import LoginRefused, apply_entry, parse_mapping
from steerco_admin.accounts import STEERCO_ROLE

log = logging.getLogger(__name__)


def directory_connector(store, pm):
    """The first enabled configured connector that can authenticate users, and its configuration name."""
    classes = connector_classes(pm)
    for cfg in store.run("system", connector_service.configs, readonly=True):
        cls = classes.get(cfg["connector"])
        if cfg["enabled"] and cls is not None and "directory" in cls.capabilities and hasattr(cls, "authenticate"):
            return cls(cls.load_settings(cfg["settings"])), cfg["name"]
    return None, None


class LoginApi(SecurityApi):
    def response_400(self, message=None):
        # FAB passes marshmallow's per-field dict, where its published schema (and every client) reads text.
        if isinstance(message, dict):
            message = "; ".join(f"{field}: {' '.join(map(str, problems))}" for field, problems in message.items())
        return super().response_400(message=message)


class DirectorySecurityManager(SecurityManager):
    security_api = LoginApi

    @property
    def api_login_allow_multiple_providers(self):
        # Local accounts ("db") and directory accounts ("ldap") log in side by side.
        return True

    def auth_user_ldap(self, username, password):
        """Log a directory user in; None (HTTP 401) for any refused login, whatever the reason.

        :raises BadRequest: the directory cannot be reached; the message names it. FAB's
            login view turns every other exception into a bare 500 "Fatal error".
        """
        store = current_app.extensions["steerco.store"]
        connector, config_name = directory_connector(store, current_app.extensions["steerco.plugins"])
        if connector is None:
            log.warning("directory login for %r: no directory connector is configured", username)
            return None
        try:
            entry = connector.authenticate(username, password)
        except LoginRefused as e:
            log.info("directory login refused for %r: %s", username, e)
            return None
        except ConnectorError as e:
            log.warning("directory login for %r failed: %s", username, e.message)
            raise BadRequest(f"the directory cannot check this login now: {e.message}") from None
        mapping = parse_mapping(connector.settings.get("group_roles") or [])

        def work(uow):
            user, _ = apply_entry(uow, entry, mapping, config_name)
            return user.active

        if not store.run(f"directory:{config_name}", work):
            return None
        return self._login_for(entry)

    def _login_for(self, entry):
        user = self.find_user(username=entry.username)
        if user is None:
            first, _, last = (entry.name or entry.username).partition(" ")
            role = self.find_role(STEERCO_ROLE) or self.add_role(STEERCO_ROLE)
            # A random password: this login is only ever used through the directory.
            user = self.add_user(entry.username, first, last or "-", entry.email or f"{entry.username}@steerco.invalid",
                                 [role], password=secrets.token_urlsafe(32))
            if not user:
                log.error("could not create the login of directory user %r", entry.username)
                return None
        self.update_user_auth_stat(user, True)
        return user

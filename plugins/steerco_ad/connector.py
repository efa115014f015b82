"""The directory connector: log in by binding as the user; sync users and their groups.

Works with Active Directory (defaults) and OpenLDAP (set ``username_attribute:
uid``, ``name_attribute: cn``, and a ``disabled_filter`` of your own).
"""

from __future__ import annotations

import logging
import ssl

import ldap3
from ldap3.core import exceptions as lx
from ldap3.utils.conv import escape_filter_chars
from marshmallow import fields, validate

from steerco.plugins.connector import Connector, ConnectorError, ConnectorSettings, Secret
from steerco.services.integration.directory import DirectoryEntry, LoginRefused, parse_mapping, sync_entries

log = logging.getLogger(__name__)

# AD's "account disabled" bit of userAccountControl, tested with the bitwise-AND matching rule.
AD_DISABLED = "(userAccountControl:1.2.840.113556.1.4.803:=2)"


class GroupRole(ConnectorSettings):
    group = fields.String(required=True, validate=validate.Length(min=1))
    role = fields.String(required=True, validate=validate.Length(min=1))
    node = fields.String(load_default=None, allow_none=True)


class DirectorySettings(ConnectorSettings):
    url = fields.String(required=True, validate=validate.Regexp(r"^ldaps?://[^/\s]+/?$",
                                                                error="ldap://host:port or ldaps://host:port"))
    start_tls = fields.Boolean(load_default=False)
    verify_tls = fields.Boolean(load_default=True)
    ca_file = fields.String(load_default=None, allow_none=True)
    bind_dn = fields.String(required=True)
    bind_password = Secret(required=True, data_key="bind_password_env")
    base_dn = fields.String(required=True)
    user_filter = fields.String(load_default="(&(objectCategory=person)(objectClass=user))")
    username_attribute = fields.String(load_default="sAMAccountName")
    name_attribute = fields.String(load_default="displayName")
    email_attribute = fields.String(load_default="mail")
    disabled_filter = fields.String(load_default=AD_DISABLED, allow_none=True)
    group_roles = fields.List(fields.Nested(GroupRole), load_default=list)
    timeout = fields.Integer(load_default=5, validate=validate.Range(min=1, max=120))  # seconds; ldap3 needs whole ones


class DirectoryConnector(Connector):
    name = "ldap"
    title = "Active Directory / LDAP"
    capabilities = frozenset({"directory"})
    Settings = DirectorySettings

    #: ldap3 client strategy; tests use ldap3.MOCK_SYNC with a fake server.
    strategy = ldap3.SYNC
    mock_server = None

    # -- protocol ------------------------------------------------------------------

    def server(self):
        if self.mock_server is not None:
            return self.mock_server
        s = self.settings
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED if s["verify_tls"] else ssl.CERT_NONE, ca_certs_file=s["ca_file"])
        return ldap3.Server(s["url"], use_ssl=s["url"].startswith("ldaps://"), tls=tls,
                            connect_timeout=s["timeout"], get_info=ldap3.NONE)

    def _bind(self, dn: str, password: str, operation: str):
        """An open, bound connection; wrong credentials give a ConnectorError with status 49."""
        conn = ldap3.Connection(self.server(), user=dn, password=password, client_strategy=self.strategy,
                                receive_timeout=self.settings["timeout"], raise_exceptions=False,
                                read_only=True)
        try:
            conn.open()
            if self.settings["start_tls"]:
                conn.start_tls()
            ok = conn.bind()
        except lx.LDAPSocketOpenError as e:
            raise ConnectorError(self.name, operation, f"cannot reach {self.settings['url']} "
                                 f"({type(e).__name__})", retryable=True) from None
        except (lx.LDAPException, ssl.SSLError, OSError) as e:
            raise ConnectorError(self.name, operation, f"{type(e).__name__} talking to {self.settings['url']}",
                                 retryable=True) from None
        if not ok:
            result = conn.result or {}
            conn.unbind()
            raise ConnectorError(self.name, operation, f"bind as '{dn}' refused: {result.get('description')}",
                                 status=result.get("result"))
        return conn

    def _service(self, operation: str):
        return self._bind(self.settings["bind_dn"], self.settings["bind_password"].reveal(), operation)

    def _entries(self, conn, extra_filter: str = "") -> list[DirectoryEntry]:
        s = self.settings
        attrs = [s["username_attribute"], s["name_attribute"], s["email_attribute"], "memberOf"]
        query = f"(&{s['user_filter']}{extra_filter})"
        entries = conn.extend.standard.paged_search(s["base_dn"], query, attributes=attrs, paged_size=500,
                                                    generator=False)
        disabled = set()
        if s["disabled_filter"]:
            for e in conn.extend.standard.paged_search(s["base_dn"], f"(&{query}{s['disabled_filter']})",
                                                        attributes=[], paged_size=500, generator=False):
                if e.get("type") == "searchResEntry":
                    disabled.add(e["dn"].lower())
        out = []
        for e in entries:
            if e.get("type") != "searchResEntry":
                continue
            a = e["attributes"]
            username = _first(a.get(s["username_attribute"]))
            if not username:
                continue
            out.append(DirectoryEntry(e["dn"], username, _first(a.get(s["name_attribute"])) or username,
                                      _first(a.get(s["email_attribute"])) or "", tuple(a.get("memberOf") or ()),
                                      e["dn"].lower() in disabled))
        return out

    # -- what Steerco asks -----------------------------------------------------------

    def users(self) -> list[DirectoryEntry]:
        """Every user the filter selects, with groups and disabled flag."""
        conn = self._service("list users")
        try:
            return self._entries(conn)
        finally:
            conn.unbind()

    def authenticate(self, username: str, password: str) -> DirectoryEntry:
        """Check a user's directory credentials by binding as them.

        :raises LoginRefused: unknown user, wrong password, empty password, disabled account.
        :raises ConnectorError: the directory cannot be reached or the service bind fails.
        """
        if not isinstance(username, str) or not username.strip() or len(username) > 256:
            raise LoginRefused("empty or overlong user name")
        if not isinstance(password, str) or not password:
            # An empty password would be an unauthenticated bind, which LDAP servers accept.
            raise LoginRefused("empty password")
        conn = self._service("look up user")
        try:
            matches = self._entries(conn, f"({self.settings['username_attribute']}={escape_filter_chars(username)})")
        finally:
            conn.unbind()
        if len(matches) != 1:
            raise LoginRefused(f"{len(matches)} directory entries match the user name")
        entry = matches[0]
        if entry.disabled:
            raise LoginRefused(f"account {entry.dn} is disabled")
        try:
            self._bind(entry.dn, password, "log in").unbind()
        except ConnectorError as e:
            if e.status == 49:  # invalidCredentials
                raise LoginRefused(f"wrong password for {entry.dn}") from None
            raise
        return entry

    def sync(self, ctx):
        mapping = parse_mapping(self.settings["group_roles"])
        entries = self.users()
        ctx.progress(f"{len(entries)} directory users")
        return ctx.store.run(ctx.actor, lambda uow: sync_entries(uow, entries, mapping, ctx.config_name))


def _first(value):
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else None
    return str(value) if value not in (None, "") else None

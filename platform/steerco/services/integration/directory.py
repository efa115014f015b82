"""Directory (Active Directory / LDAP) users in Steerco: their roles come from their groups.

The LDAP protocol lives in the directory connector (``steerco_ad``); this
module only applies what the directory says. Group-to-role mapping is
configuration: ``[{"group": "<DN or CN>", "role": "pmo", "node": "PA" | None}]``.
Roles that appear in the mapping are *managed*: the directory adds and removes
them; roles granted in Steerco by hand are left alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import insert, select, update

from steerco.domain.errors import ValidationFailed
from steerco.domain.people import User
from steerco.services.rights.people import assign
from steerco.store import tables_connectors as tc


class LoginRefused(Exception):
    """The directory did not accept these credentials.

    The reason is for the server log only; the client is told no more than
    "not authorized", so that user names cannot be probed.
    """


@dataclass(frozen=True)
class DirectoryEntry:
    """A person as the directory describes them. :ivar groups: group DNs (memberOf)."""

    dn: str
    username: str
    name: str = ""
    email: str = ""
    groups: tuple[str, ...] = field(default_factory=tuple)
    disabled: bool = False

    def fingerprint(self) -> str:
        data = [self.dn, self.name, self.email, sorted(g.lower() for g in self.groups), self.disabled]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def parse_mapping(raw) -> list[dict]:
    """Validate a group-to-role mapping.

    :raises ValidationFailed: naming the row (``group_roles.<n>``) that is wrong.
    """
    if not isinstance(raw, list):
        raise ValidationFailed({"group_roles": ["a list of {group, role, node}"]})
    out = []
    for i, row in enumerate(raw):
        if not isinstance(row, dict) or not row.get("group") or not row.get("role"):
            raise ValidationFailed({f"group_roles.{i}": ["needs 'group' (a DN or CN) and 'role'"]})
        out.append({"group": str(row["group"]), "role": str(row["role"]), "node": row.get("node") or None})
    return out


def group_matches(group: str, member_of: str) -> bool:
    """``group`` names ``member_of`` by full DN or by its CN (case-insensitive, as AD compares)."""
    g, dn = group.strip().lower(), member_of.strip().lower()
    if g == dn:
        return True
    first = dn.split(",", 1)[0]
    return first.startswith("cn=") and first[3:] == g


def wanted_roles(entry: DirectoryEntry, mapping: list[dict]) -> set[tuple[str, str | None]]:
    return {(m["role"], m["node"]) for m in mapping if any(group_matches(m["group"], g) for g in entry.groups)}


def apply_entry(uow, entry: DirectoryEntry, mapping: list[dict], config_name: str) -> tuple[User, str]:
    """Create or update the Steerco user of a directory entry and its managed roles.

    :returns: the user and what happened: ``created``, ``updated`` or ``unchanged``.
    """
    user = uow.user(entry.username)
    outcome = "unchanged"
    if user is None:
        user = uow.add(User(entry.username, entry.name, entry.email))
        uow.flush()
        uow.record("user.created", "user", user.username, after={"name": user.name, "email": user.email,
                                                                  "source": config_name})
        outcome = "created"
    before = {"name": user.name, "email": user.email, "active": user.active}
    after = {"name": entry.name or user.name, "email": entry.email or user.email, "active": not entry.disabled}
    if before != after:
        user.name, user.email, user.active = after["name"], after["email"], after["active"]
        uow.record("user.updated", "user", user.username, before=before, after={**after, "source": config_name})
        outcome = "updated" if outcome == "unchanged" else outcome
    managed = {(m["role"], m["node"]) for m in mapping}
    wanted = wanted_roles(entry, mapping) if not entry.disabled else set()
    held = {(a.role, a.node.code if a.node else None): a for a in user.assignments}
    for key, a in held.items():
        if key in managed and key not in wanted:
            user.assignments.remove(a)
            uow.record("user.role_removed", "user", user.username, after={"role": key[0], "node": key[1],
                                                                          "source": config_name})
            outcome = "updated" if outcome == "unchanged" else outcome
    for role, node in sorted(wanted - set(held), key=str):
        if assign(uow, user, role, node):
            outcome = "updated" if outcome == "unchanged" else outcome
    _remember(uow, config_name, entry, user)
    return user, outcome


def sync_entries(uow, entries: list[DirectoryEntry], mapping: list[dict], config_name: str) -> dict[str, int]:
    """Apply every entry; deactivate users this directory synced before and no longer lists.

    :returns: counts ``created``, ``updated``, ``unchanged``, ``disabled`` (left or disabled).
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0, "disabled": 0}
    seen = set()
    for entry in entries:
        _user, outcome = apply_entry(uow, entry, mapping, config_name)
        counts[outcome] += 1
        if entry.disabled and outcome != "unchanged":
            counts["disabled"] += 1
        seen.add(entry.username)
    known = uow.session.execute(select(tc.connector_items.c.external_key).where(
        tc.connector_items.c.config_name == config_name, tc.connector_items.c.scope == "user")).scalars().all()
    for username in sorted(set(known) - seen):
        user = uow.user(username)
        if user is not None and user.active:
            user.active = False
            for a in list(user.assignments):
                if (a.role, a.node.code if a.node else None) in {(m["role"], m["node"]) for m in mapping}:
                    user.assignments.remove(a)
            uow.record("user.deactivated", "user", username, after={"reason": f"no longer in directory {config_name}"})
            counts["disabled"] += 1
            counts["updated"] += 1
    return counts


def _remember(uow, config_name: str, entry: DirectoryEntry, user: User) -> None:
    c = tc.connector_items.c
    key = (c.config_name == config_name, c.scope == "user", c.external_key == entry.username)
    row = uow.session.execute(select(tc.connector_items.c.id, c.fingerprint).where(*key)).first()
    if row is None:
        uow.session.execute(insert(tc.connector_items).values(config_name=config_name, scope="user",
                                                              external_key=entry.username, user_id=user.id,
                                                              fingerprint=entry.fingerprint()))
    elif row.fingerprint != entry.fingerprint():
        uow.session.execute(update(tc.connector_items).where(c.id == row.id).values(fingerprint=entry.fingerprint()))

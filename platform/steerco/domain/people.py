"""Users and their roles, each role held on a node (and so its subtree) or globally.

Built-in roles carry platform meaning; clients add their own approver roles
(steering committee, CFO ...) as configuration.
"""

from __future__ import annotations

from steerco.domain.errors import ValidationFailed

ADMIN, PMO, CONSULTANT, VIEWER = "admin", "pmo", "consultant", "viewer"
MEASURE_ROLES = ("owner", "sponsor", "controller")
BUILTIN_ROLES = {
    ADMIN: "Administrator: configures Steerco and manages users",
    PMO: "Programme office: runs the portfolio, approves early gates",
    CONSULTANT: "Configures governance models for a client",
    "owner": "Owns measures and drives them through the gates",
    "sponsor": "Sponsors measures and approves their business case",
    "controller": "Checks plausibility of value and confirms it at closure",
    "steering_committee": "Member of a steering committee",
    VIEWER: "Reads measures and reports",
}


class Role:
    def __init__(self, code: str, name: str, description: str = ""):
        self.code = code
        self.name = name
        self.description = description


class RoleAssignment:
    def __init__(self, role: str, node=None):
        self.role = role
        self.node = node

    @property
    def scope(self) -> str:
        return self.node.path if self.node is not None else "/"


class User:
    def __init__(self, username: str, name: str = "", email: str = ""):
        if not isinstance(username, str) or not username.strip() or len(username) > 128:
            raise ValidationFailed({"username": ["required, at most 128 characters"]})
        self.username = username.strip()
        self.name = name or username
        self.email = email
        self.active = True
        self.assignments: list[RoleAssignment] = []

    def holds(self, role: str, path: str = "/") -> bool:
        """Whether the user holds ``role`` on the node at ``path`` (directly or above it)."""
        return any(a.role == role and path.startswith(a.scope) for a in self.assignments)

    def holds_any(self, roles, path: str = "/") -> bool:
        return any(self.holds(r, path) for r in roles)

    @property
    def is_admin(self) -> bool:
        return self.holds(ADMIN)

    def __repr__(self):
        return f"<User {self.username}>"

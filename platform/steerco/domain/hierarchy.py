"""Admin-defined hierarchy: levels and a tree of nodes.

A node's ``path`` lists the codes from the root ("/ORG/FIN/P-COST/") so that
"this node and its subtree" is a prefix test, in Python and in SQL alike.
"""

from __future__ import annotations

import re

from steerco.domain.errors import ValidationFailed

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_code(code: str, field: str = "code") -> str:
    if not isinstance(code, str) or not CODE.match(code):
        raise ValidationFailed({field: ["use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"]})
    return code


class HierarchyLevel:
    def __init__(self, code: str, name: str, rank: int):
        self.code = check_code(code)
        self.name = name
        self.rank = rank


class Node:
    def __init__(self, code: str, name: str, level: HierarchyLevel, parent: "Node | None" = None):
        self.code = check_code(code)
        self.name = name
        self.level = level
        self.parent = parent
        self.archived = False
        self.path = (parent.path if parent else "/") + code + "/"

    def covers(self, path: str) -> bool:
        """Whether a node with ``path`` is this node or lies in its subtree."""
        return path.startswith(self.path)

    @property
    def ancestry(self) -> list[str]:
        return [p for p in self.path.split("/") if p]

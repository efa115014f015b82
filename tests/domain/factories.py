"""In-memory domain objects for tests that need no database."""

from datetime import datetime, timezone
from pathlib import Path

import yaml

from steerco.domain.governance import parse_model
from steerco.domain.hierarchy import HierarchyLevel, Node
from steerco.domain.measure import Measure, MeasureType, ModelVersion
from steerco.domain.people import RoleAssignment, User

CONFIG = Path(__file__).resolve().parents[2] / "config" / "governance" / "default.yaml"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def default_config() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def default_model():
    return parse_model(default_config()["governance_models"][0])


def tree():
    org = HierarchyLevel("organization", "Organization", 0)
    prog = HierarchyLevel("program", "Program", 1)
    root = Node("ACME", "Acme", org)
    a = Node("A", "Program A", prog, root)
    b = Node("B", "Program B", prog, root)
    return root, a, b


def user(name, *roles):
    u = User(name)
    for role, node in roles:
        u.assignments.append(RoleAssignment(role, node))
    return u


def measure(node, owner, model_definition=None, fields=None):
    definition = model_definition or default_config()["governance_models"][0]
    mtype = MeasureType("cost", "Cost", definition["code"], fields or default_config()["measure_types"][0]["fields"])
    version = ModelVersion(definition["code"], 1, definition, "x" * 64, NOW)
    version.id = 1
    return Measure("M-0001", "Consolidate suppliers", node, mtype, version, owner, NOW)

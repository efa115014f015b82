"""The domain core (steerco.domain, steerco.rules) imports no framework."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PLATFORM = Path(__file__).resolve().parents[2] / "platform" / "steerco"
FORBIDDEN = ("flask", "flask_appbuilder", "sqlalchemy", "pluggy", "marshmallow", "alembic", "werkzeug")
CORE = sorted((PLATFORM / "domain").glob("*.py")) + sorted((PLATFORM / "rules").glob("*.py"))


@pytest.mark.parametrize("path", CORE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_core_module_imports_no_framework(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name}:{node.lineno} imports {name}"


def test_core_modules_found():
    assert len(CORE) >= 8, "the domain and rules packages should be scanned"


def test_importing_the_core_loads_no_framework():
    modules = [f"steerco.domain.{p.stem}" for p in CORE if p.parent.name == "domain" and p.stem != "__init__"]
    code = ("import sys, importlib\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "import steerco.rules\n"
            f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing the core loaded: {out.stdout.strip()}"


def test_domain_readme_states_the_rule():
    text = (PLATFORM / "domain" / "README.md").read_text()
    assert "No Flask" in text and "SQLAlchemy" in text

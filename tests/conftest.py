"""Shared fixtures: a migrated database per test, on SQLite and on a real PostgreSQL.

Service and API tests take ``store`` (or ``api``) and run once per backend.
The schema is migrated once per backend into a template; each test gets a
fresh copy (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL), so tests never share state.
"""

from __future__ import annotations

import itertools
import shutil
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from steerco.settings import Settings  # noqa: E402
from support.servers import PostgresServer  # noqa: E402

BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


class Clock:
    """A settable clock, so tests decide what time it is."""

    def __init__(self):
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, **kw):
        self.now += timedelta(**kw)


def _migrate(url: str, instance: Path):
    from steerco.migrate import upgrade
    from steerco.store.uow import Store
    from steerco_admin.app import create_app, ensure_security_roles

    upgrade(url)
    store = Store(url)
    ensure_security_roles(create_app(Settings(instance, url, "test-secret-of-at-least-thirty-two-bytes"), store=store))
    store.dispose()


@pytest.fixture(scope="session")
def postgres():
    with PostgresServer() as pg:
        yield pg


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "steerco.db"
    _migrate(f"sqlite:///{path}", path.parent)
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres, tmp_path_factory):
    postgres.create_database("steerco_template")
    _migrate(postgres.url("steerco_template"), tmp_path_factory.mktemp("pg-template"))
    return "steerco_template"


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "steerco.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    postgres = request.getfixturevalue("postgres")
    template = request.getfixturevalue("postgres_template")
    name = f"t{next(_counter)}"
    postgres.create_database(name, template=template)
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(tmp_path / "instance", database_url, "test-secret-of-at-least-thirty-two-bytes")


@pytest.fixture
def store(settings, clock):
    from steerco.store.uow import Store

    s = Store(settings.database_url, clock=clock)
    yield s
    s.dispose()


CONFIG = ROOT / "config" / "governance" / "default.yaml"
NODES = [
    {"code": "ACME", "name": "Acme", "level": "organization"},
    {"code": "PA", "name": "Programme A", "level": "program", "parent": "ACME"},
    {"code": "PB", "name": "Programme B", "level": "program", "parent": "ACME"},
]
USERS = {
    "admin": [("admin", None)],
    "pmo": [("pmo", None)],
    "pmo2": [("pmo", "PA")],
    "alice": [("owner", "PA")],
    "bob": [("sponsor", "PA")],
    "carol": [("controller", "PA")],
    "pmo_b": [("pmo", "PB")],
    "sam": [("steering_committee", "ACME")],
    "tara": [("steering_committee", "ACME")],
    "frank": [("cfo", None)],
}


def default_config():
    import yaml

    data = yaml.safe_load(CONFIG.read_text())
    data["hierarchy"]["nodes"] = [dict(n) for n in NODES]
    return data


@pytest.fixture
def portfolio(store):
    """The default model, a small hierarchy and one user per role."""
    from steerco.services.configuration import bundle as configuration
    from steerco.services.rights import people

    store.run("system", lambda uow: configuration.apply(uow, default_config()).as_dict())
    for name, roles in USERS.items():
        store.run("system", lambda uow: people.add_user(uow, name, roles=roles) and None)
    return store


@pytest.fixture
def other_store(request, database_url, tmp_path, clock):
    """A second, empty instance on the same backend as ``store`` (to carry a configuration across)."""
    from steerco.store.uow import Store

    if database_url.startswith("sqlite"):
        target = tmp_path / "other.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        s = Store(f"sqlite:///{target}", clock=clock)
        yield s
        s.dispose()
        return
    postgres = request.getfixturevalue("postgres")
    name = f"t{next(_counter)}"
    postgres.create_database(name, template=request.getfixturevalue("postgres_template"))
    s = Store(postgres.url(name), clock=clock)
    yield s
    s.dispose()
    postgres.drop_database(name)

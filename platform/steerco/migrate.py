"""Schema migrations (Alembic), driven from code so the CLI and tests share them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import steerco


def migrations_dir() -> Path:
    # The migrations live at the top of the source tree (design card), beside platform/.
    return Path(steerco.__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def pending(engine) -> bool:
    """Whether the database is behind the newest migrations."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False))).get_heads())
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) != heads

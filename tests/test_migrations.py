"""The migrations are one line of history and build exactly the schema the code maps."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from steerco.migrate import alembic_config, pending
from steerco.store.schema import metadata


def test_history_has_one_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: add a merge revision"


def test_migrated_schema_matches_the_mapped_tables(database_url):
    engine = sa.create_engine(database_url)
    try:
        assert not pending(engine)
        with engine.connect() as conn:
            # the FAB security tables are created by FAB, not by these migrations
            diff = [d for d in compare_metadata(MigrationContext.configure(conn), metadata)
                    if not _is_fab_table(d)]
        assert diff == []
    finally:
        engine.dispose()


def _is_fab_table(diff) -> bool:
    change = diff[0] if isinstance(diff, list) else diff
    for part in change[1:]:
        table = getattr(part, "table", part)
        name = getattr(table, "name", table)
        if isinstance(name, str) and name.startswith("ab_"):
            return True
    return False

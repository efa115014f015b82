"""The migrations are one line of history and build exactly the schema the code maps."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from steerco.migrate import alembic_config, pending, upgrade
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


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steerco.db'}"
        return
    postgres = request.getfixturevalue("postgres")
    name = f"m{tmp_path.name[-20:].lower().replace('-', '_')}"
    postgres.create_database(name)
    yield postgres.url(name)
    postgres.drop_database(name)


def _model(code, gates, **rules):
    return {"code": code, "levels": [{"doi": d, "name": f"Level {d}"} for d in range(gates + 1)],
            "gates": [{"doi": d, "name": f"Level {d}"} for d in range(1, gates + 1)], **rules}


def _before_0008(url, value_data, definitions):
    """A database at revision 0007 holding ``definitions`` as model versions (and the last as a draft)."""
    from steerco.services.models import checksum
    from steerco.store import tables as t
    from steerco.store import tables_ui, tables_value

    upgrade(url, "0007")
    now = datetime(2026, 11, 2, tzinfo=timezone.utc)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(tables_value.value_settings.insert().values(id=1, data=value_data, checksum=checksum(value_data),
                                                                 updated_at=now))
        for d in definitions:
            conn.execute(t.model_versions.insert().values(model_code=d["code"], version=1, definition=d,
                                                          checksum=checksum(d), created_at=now))
        conn.execute(tables_ui.model_drafts.insert().values(model_code=definitions[-1]["code"], definition=definitions[-1],
                                                            base_version=1, updated_at=now, updated_by="admin"))
    return engine


def _after_0008(engine):
    from steerco.store import tables as t
    from steerco.store import tables_ui, tables_value

    upgrade(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        versions = {r.model_code: r for r in conn.execute(sa.select(t.model_versions))}
        drafts = {r.model_code: r.definition for r in conn.execute(sa.select(tables_ui.model_drafts))}
        value_data = conn.execute(sa.select(tables_value.value_settings.c.data)).scalar_one()
    engine.dispose()
    return versions, drafts, value_data


def test_existing_models_keep_the_value_rules_the_installation_gave_them(empty_database_url):
    from steerco.domain.governance import parse_model
    from steerco.domain.value import parse_settings
    from steerco.services.models import checksum

    engine = _before_0008(empty_database_url, {"reporting_currency": "EUR", "baseline_gate": 2,
                                               "closure": {"share_of_plan": 80}},
                          [_model("six", 5), _model("short", 1), _model("own", 4, baseline_gate=4)])
    versions, drafts, value_data = _after_0008(engine)
    six, short, own = (parse_model(versions[c].definition) for c in ("six", "short", "own"))
    assert (six.baseline_gate, six.closure.share_of_plan, six.closure.periods) == (2, 80, 12)
    assert (short.baseline_gate, short.closure.share_of_plan) == (None, 80)   # it had no gate 2: it never froze
    assert (own.baseline_gate, own.closure.share_of_plan) == (4, 80)
    assert all(v.checksum == checksum(v.definition) for v in versions.values())
    assert drafts["own"] == versions["own"].definition
    assert value_data == {"reporting_currency": "EUR"} and parse_settings(value_data).reporting_currency == "EUR"


def test_models_on_the_default_rules_are_left_as_they_were(empty_database_url):
    from steerco.services.models import checksum

    before = [_model("six", 5), _model("short", 2)]
    engine = _before_0008(empty_database_url, {"baseline_gate": 3, "closure": {"share_of_plan": 90, "periods": 12}},
                          before)
    versions, _drafts, value_data = _after_0008(engine)
    assert [versions[d["code"]].definition for d in before] == before
    assert [versions[d["code"]].checksum for d in before] == [checksum(d) for d in before]
    assert value_data == {}

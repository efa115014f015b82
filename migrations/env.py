"""Alembic environment: Steerco's tables and Flask-AppBuilder's security tables."""

from alembic import context
from flask_appbuilder import Model
import flask_appbuilder.security.sqla.models  # noqa: F401  (registers the ab_* tables on Model.metadata)

from steerco.store.db import make_engine
from steerco.store.schema import metadata

target_metadata = [metadata, Model.metadata]


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(url, write=False)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection):
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; point STEERCO_DATABASE_URL at the database")
run_migrations_online()

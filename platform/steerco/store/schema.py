"""The whole schema: the core tables and every area's. Migrations and the mapper import this."""

from steerco.store import tables, tables_connectors, tables_rights, tables_status, tables_ui, tables_value  # noqa: F401
from steerco.store.tables import metadata

__all__ = ["metadata"]

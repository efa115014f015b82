"""The whole schema: the core tables and every area's. Migrations and the mapper import this."""

from steerco.store import (  # noqa: F401
    tables,
    tables_connectors,
    tables_erp,
    tables_packs,
    tables_rights,
    tables_schedule,
    tables_status,
    tables_totals,
    tables_ui,
    tables_value,
)
from steerco.store.tables import metadata

__all__ = ["metadata"]

"""Tables of the 'ui' area, on the shared metadata (see schema.py)."""

from steerco.store.tables import metadata  # noqa: F401

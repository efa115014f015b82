"""Tables of the 'rights' area, on the shared metadata (see schema.py)."""

from steerco.store.tables import metadata  # noqa: F401

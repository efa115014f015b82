"""Tables of the 'ui' area, on the shared metadata (see schema.py)."""

from sqlalchemy import JSON, Column, Integer, String, Table

from steerco.store.tables import When, metadata

# A governance model being edited in the web app: one draft per model, which
# becomes a new immutable version when published (see services/configuration/drafts.py).
model_drafts = Table(
    "model_drafts", metadata,
    Column("id", Integer, primary_key=True),
    Column("model_code", String(64), nullable=False, unique=True),
    Column("definition", JSON, nullable=False),
    Column("base_version", Integer),
    Column("updated_at", When, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),
)

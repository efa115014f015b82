"""Tables of the 'value' area (issue 4), on the shared metadata (see schema.py)."""

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, Numeric, String, Table, Text, UniqueConstraint

from steerco.store.tables import Money, When, metadata

value_settings = Table(
    "value_settings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("data", JSON, nullable=False),
    Column("checksum", String(64), nullable=False),
    Column("updated_at", When, nullable=False),
)

fx_rates = Table(
    "fx_rates", metadata,
    Column("id", Integer, primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("period", String(7), nullable=False),
    # Reporting-currency units per one unit of ``currency`` in ``period``.
    Column("rate", Numeric(18, 6), nullable=False),
    UniqueConstraint("currency", "period", name="uq_fx_rates_currency_period"),
)

value_lines = Table(
    "value_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("category", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("title", String(200), nullable=False),
    Column("cost_centre", String(64), nullable=False, default="", index=True),
    Column("account", String(64), nullable=False, default=""),
    Column("wbs", String(64), nullable=False, default=""),
    Column("created_at", When),
)

value_amounts = Table(
    "value_amounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("line_id", ForeignKey("value_lines.id", ondelete="CASCADE"), nullable=False),
    # The measure again, so that roll-ups read one table per measure without walking the lines.
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("version", String(8), nullable=False),
    Column("period", String(7), nullable=False),
    Column("amount", Money, nullable=False),
    UniqueConstraint("line_id", "version", "period", name="uq_value_amounts_line_version_period"),
)

measure_values = Table(
    "measure_values", metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("plan_revision", Integer, nullable=False, default=0),
    Column("baseline_frozen_at", When),
    Column("closed_at", When),
    Column("closed_by", String(128)),
    Column("potential_status", String(16), nullable=False, default="on_track"),
    Column("implementation_status", String(16), nullable=False, default="on_track"),
    Column("potential_override", JSON),
    Column("implementation_override", JSON),
)

status_history = Table(
    "status_history", metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("derived", String(16), nullable=False),
    Column("overridden", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at", When, nullable=False),
)

period_locks = Table(
    "period_locks", metadata,
    Column("id", Integer, primary_key=True),
    # NULL: the period is locked for every measure.
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), index=True),
    Column("period", String(7), nullable=False, index=True),
    Column("locked_by", String(128), nullable=False),
    Column("locked_at", When, nullable=False),
    Column("reason", Text, nullable=False, default=""),
)

plan_revisions = Table(
    "plan_revisions", metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("change_request_id", Integer),
    Column("created_by", String(128), nullable=False),
    Column("created_at", When, nullable=False),
    # The plan as it stood in this revision: [[line_id, period, "amount"], ...].
    Column("amounts", JSON, nullable=False),
    UniqueConstraint("measure_id", "revision", name="uq_plan_revisions_measure_revision"),
)

change_requests = Table(
    "change_requests", metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("requested_at", When, nullable=False),
    Column("steps", JSON, nullable=False),
    Column("allow_self_approval", Boolean, nullable=False, default=False),
    Column("current_step", Integer, nullable=False, default=0),
    Column("approvals", JSON, nullable=False),
    Column("decided_at", When),
    Column("plan_revision", Integer),
    Column("version_id", Integer, nullable=False),
)

actual_imports = Table(
    "actual_imports", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("amounts_written", Integer, nullable=False),
    Column("imported_by", String(128), nullable=False),
    Column("imported_at", When, nullable=False),
)

dependencies = Table(
    "dependencies", metadata,
    Column("id", Integer, primary_key=True),
    Column("successor_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("predecessor_id", ForeignKey("measures.id", ondelete="CASCADE"), index=True),
    Column("external", String(200), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("created_by", String(128), nullable=False),
    Column("created_at", When),
)


# The owner of a risk (issue 4); the core risks table keeps probability, impact, mitigation and status.
risk_owners = Table(
    "risk_owners", metadata,
    Column("risk_id", ForeignKey("risks.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("owner_id", ForeignKey("users.id"), nullable=False),
)

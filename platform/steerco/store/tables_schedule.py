"""Tables of the 'schedule' area, on the shared metadata (see schema.py).

The plan a measure's milestones come from (an MS Project file): what was
imported, when, by whom, with which outcome, and the plan's tasks in a compact
form, so the same plan can be applied again when the import options change.
Which task became which milestone is kept in ``connector_items`` like every
other synced item (scope = the measure's code, key = the task's UID).
"""

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, UniqueConstraint

from steerco.store.tables import When, metadata

measure_plans = Table(
    "measure_plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(32), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("title", String(255), nullable=False, default=""),
    Column("application", String(255), nullable=False, default=""),
    Column("sha256", String(64), nullable=False),
    Column("imported_at", When, nullable=False),
    Column("imported_by", String(200), nullable=False),
    Column("options", JSON, nullable=False),
    Column("counts", JSON, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("tasks", JSON, nullable=False),
    Column("task_count", Integer, nullable=False),
    # {task UID: slip in days} already put to a change request: re-imports never ask twice.
    Column("slips_reported", JSON, nullable=False),
    UniqueConstraint("measure_id", "source", name="uq_measure_plans_measure_source"),
)

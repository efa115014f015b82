"""Tables of ERP connectors (SAP, Oracle...), on the shared metadata (see schema.py).

What each read of the books delivered, kept per connector configuration and
period: when the period was last read, the ERP total behind each value line
(for the incremental sync and the reconciliation), and what could not be
booked (unmapped keys, held amounts) with the reason.
"""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from steerco.store.tables import Money, When, metadata

erp_periods = Table(
    "erp_periods", metadata,
    Column("id", Integer, primary_key=True),
    Column("config_name", String(64), nullable=False),
    Column("period", String(7), nullable=False),
    Column("read_at", When, nullable=False),
    Column("records", Integer, nullable=False, default=0),
    UniqueConstraint("config_name", "period", name="uq_erp_periods_config_name"),
)

erp_amounts = Table(
    "erp_amounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("config_name", String(64), nullable=False),
    Column("period", String(7), nullable=False),
    # the line's measure is not repeated here: a million totals are written per full read, and an index less
    # is a third off the cost of writing them; value_lines.measure_id is indexed for the reads by measure
    Column("line_id", ForeignKey("value_lines.id", ondelete="CASCADE"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", Money, nullable=False),
    # written: the Steerco actual was set from this total; held: it was not (the problem is in erp_exceptions)
    Column("status", String(8), nullable=False),
    # the ERP keys behind the total, e.g. "CompanyCode=1010,CostCenter=10101101; CompanyCode=1010,WBSElement=P-1"
    Column("source_keys", Text, nullable=False, default=""),
    UniqueConstraint("config_name", "period", "line_id", name="uq_erp_amounts_config_name"),
)

erp_exceptions = Table(
    "erp_exceptions", metadata,
    Column("id", Integer, primary_key=True),
    Column("config_name", String(64), nullable=False),
    Column("period", String(7), nullable=False),
    # unmapped: no rule or value line takes the keys; held: a measure was found but may not take the amount
    Column("kind", String(8), nullable=False),
    Column("source_keys", Text, nullable=False),
    Column("measure", String(64)),
    Column("currency", String(5), nullable=False),
    Column("amount", Money, nullable=False),
    Column("problem", Text, nullable=False),
    Index("ix_erp_exceptions_config_period", "config_name", "period"),
)

erp_cursors = Table(
    "erp_cursors", metadata,
    Column("config_name", String(64), primary_key=True),
    # the ERP's own last-update stamp of the newest record read, as the ERP wrote it: the next incremental
    # sync asks for what changed after it (the ERP's clock, never Steerco's)
    Column("cursor", String(40), nullable=False),
    Column("read_at", When, nullable=False),
)

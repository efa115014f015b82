"""Value totals kept up to date with every write (see services/value/totals.py), on the shared metadata.

Reading a 50,000-measure portfolio's amounts on every dashboard or report
request would scan millions of rows; these two tables hold the same sums,
in reporting-currency cents, changed in the transaction that changes an
amount, an FX rate, a measure's node or its cancellation.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table

from steerco.store.tables import metadata

# per measure: benefit and cost totals by version (the measure report)
measure_totals = Table(
    "measure_totals", metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("kind", String(8), primary_key=True),
    Column("version", String(8), primary_key=True),
    Column("cents", BigInteger, nullable=False),
    # how many amounts make the sum: zero means "nothing entered", which is not a total of 0
    Column("amounts", Integer, nullable=False),
)

# per node: benefit totals of its own (not cancelled) measures by version and period (the dashboard)
node_period_totals = Table(
    "node_period_totals", metadata,
    Column("node_id", ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("version", String(8), primary_key=True),
    Column("period", String(7), primary_key=True),
    Column("cents", BigInteger, nullable=False),
    Column("amounts", Integer, nullable=False),
)

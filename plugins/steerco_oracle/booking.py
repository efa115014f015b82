"""What both Oracle sources do once they read their periods: book the read through the one booking path."""

from __future__ import annotations

from steerco.domain.errors import ImportRejected
from steerco.plugins.connector import ConnectorError
from steerco.services.value import erp_sync

SHOWN_PROBLEMS = 5
NOTHING = {"created": 0, "updated": 0, "unchanged": 0, "records": 0, "periods": 0, "held": 0, "unmapped": 0}


def book(connector: str, ctx, read: erp_sync.ErpRead, mapping) -> dict:
    """Book ``read`` in one unit of work; held records become the run's warnings (a partial run).

    :raises ConnectorError: the read was refused whole (nothing written), naming the first records.
    """
    ctx.progress(f"booking {len(read.records):,} records of {len(read.periods)} period(s)")
    try:
        with erp_sync.bulk():
            counts = ctx.store.run(ctx.actor, lambda uow: erp_sync.book(uow, ctx.config_name, read, mapping,
                                                                        full=ctx.full))
    except ImportRejected as e:
        first = "; ".join(f"{p['row']}: {p['column']}: {p['problem']}" for p in e.problems[:SHOWN_PROBLEMS])
        raise ConnectorError(connector, "book actuals", f"{e.total} record(s) refused, nothing written; "
                                                        f"{first}") from None
    for problem in counts.pop("problems"):
        ctx.warn(problem)
    counts["created"] = counts.pop("inserted")
    return counts

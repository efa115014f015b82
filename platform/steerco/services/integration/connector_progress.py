"""Progress of a running connector sync, kept on its run so that the run log shows how far it got."""

from __future__ import annotations

import time
from typing import Callable

from sqlalchemy import update

from steerco.store import tables_connectors as tc

EVERY_SECONDS = 2.0  # a sync reports often; one short write every few seconds is enough to follow it


def recording(store, run_id: int, progress: Callable[[str], None]) -> Callable[[str], None]:
    """``progress`` that also stores the latest message on run ``run_id`` (in its own short unit of work)."""
    last = [float("-inf")]

    def report(message: str) -> None:
        progress(message)
        now = time.monotonic()
        if now - last[0] >= EVERY_SECONDS:
            last[0] = now
            store.run("system", lambda uow: uow.session.execute(
                update(tc.connector_runs).where(tc.connector_runs.c.id == run_id).values(progress=message[:200])))

    return report

"""Importing a plan file for a measure: check the right, read the file, write it in one unit of work."""

from __future__ import annotations

import hashlib
import logging
from pathlib import PurePath
from typing import Callable

from steerco.domain.schedule import Plan
from steerco.services.access import editable_measure
from steerco.services.integration import plans
from steerco_msproject import mpp
from steerco_msproject.connector import SOURCE, options
from steerco_msproject.mspdi import gc_paused, read_mspdi

log = logging.getLogger("steerco.msproject")

SUFFIXES = (".xml", *mpp.SUFFIXES)


def read_plan(data: bytes, filename: str, *, env=None) -> Plan:
    """The plan in an MSPDI (.xml) or, through MPXJ, an .mpp file.

    :raises PlanRejected: naming the problem and, for XML, its line.
    """
    if PurePath(filename).suffix.lower() in mpp.SUFFIXES:
        data = mpp.to_mspdi(data, filename, env=env)
    return read_mspdi(data)


def import_file(store, actor: str, measure_id: int, data: bytes, filename: str, *, env=None,
                progress: Callable[[str], None] | None = None) -> dict:
    """Import ``data`` as the plan of a measure: all or nothing.

    The right to edit the measure is checked before the file is read; the file
    is read before any transaction opens (a large plan never holds locks while parsed).

    :returns: the import as ``steerco.services.integration.plans.plan_view`` shows it, with ``change_request``.
    """
    say = progress or (lambda msg: log.info("plan import for measure %s: %s", measure_id, msg))
    store.run(actor, lambda uow: editable_measure(uow, measure_id) and None, readonly=True)
    say(f"reading '{filename}' ({len(data):,} bytes)")
    # thousands of tasks, milestones and audit events: the cycle collector would scan them over and over
    with gc_paused:
        plan = read_plan(data, filename, env=env)
        digest = hashlib.sha256(data).hexdigest()
        return store.run(actor, lambda uow: plans.import_plan(uow, measure_id, plan, source=SOURCE,
                                                              filename=filename, sha256=digest, options=options(uow),
                                                              progress=say))


def current(store, actor: str, measure_id: int) -> dict | None:
    return store.run(actor, lambda uow: plans.current(uow, measure_id, SOURCE), readonly=True)

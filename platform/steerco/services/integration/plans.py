"""Plans as the source of a measure's milestones: import, re-apply, slips and the change requests they raise.

A plugin reads a file into a :class:`~steerco.domain.schedule.Plan`; :func:`import_plan`
writes it in one unit of work (all or nothing): milestones through the shared
milestone sync (matched on the task UID; tasks gone from the plan are marked
removed, never deleted), the plan record, statuses, and, when a milestone
slips past the threshold by more than was already reported, one "timing"
change request through the change gate.
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import insert, select, update

from steerco.domain.change import ChangeRequest
from steerco.domain.schedule import Plan, PlanOptions, PlanTask, as_milestones, slip_days, slipped_beyond
from steerco.services.access import editable_measure, visible_measure
from steerco.services.integration import milestone_sync
from steerco.services.integration.milestone_sync import TITLE_LIMIT, SyncedMilestone
from steerco.services.value import settings as value_settings
from steerco.services.value import status
from steerco.store import tables_schedule as ts


def import_plan(uow, measure_id: int, plan: Plan, *, source: str, filename: str, sha256: str,
                options: PlanOptions, progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Make the measure's milestones from ``source`` those of ``plan`` (measure editors).

    :returns: the import as :func:`plan_view` shows it, with ``change_request`` (id or None).
    :raises PermissionDenied: the actor may not edit the measure.
    """
    _actor, measure = editable_measure(uow, measure_id)
    return apply(uow, measure, plan, source=source, filename=filename, sha256=sha256, options=options,
                 progress=progress)


def apply(uow, measure, plan: Plan, *, source: str, filename: str, sha256: str, options: PlanOptions,
          progress: Callable[[str], None] = lambda _m: None) -> dict:
    """:func:`import_plan` without the rights check (a connector re-applying stored plans)."""
    tasks = as_milestones(plan, options)
    progress(f"{len(plan.tasks)} tasks read, {len(tasks)} become milestones")
    synced = [_synced(t, options) for t in tasks]
    counts = milestone_sync.sync(uow, measure, source, source, synced, keep_removed=True)
    progress(f"milestones written: {', '.join(f'{v} {k}' for k, v in counts.items())}")
    row = _row(uow, measure.id, source)
    reported = dict(row.slips_reported) if row else {}
    change = _ask_for_change(uow, measure, plan, options, reported, filename, synced)
    values = {"filename": filename[:255], "title": plan.title[:255], "application": plan.application[:255],
              "sha256": sha256, "imported_at": uow.now, "imported_by": uow.actor,
              "options": {"summary_tasks": options.summary_tasks, "baseline": options.baseline,
                          "slip_threshold_days": options.slip_threshold_days},
              "counts": counts, "warnings": list(plan.warnings[:100]),
              "tasks": [t.as_json() for t in plan.tasks], "task_count": len(plan.tasks), "slips_reported": reported}
    if row is None:
        uow.session.execute(insert(ts.measure_plans).values(measure_id=measure.id, source=source, **values))
    else:
        uow.session.execute(update(ts.measure_plans).where(ts.measure_plans.c.id == row.id).values(**values))
    uow.record("plan.imported", "measure", measure.id, measure.code,
               after={"source": source, "filename": filename, "sha256": sha256, "title": plan.title,
                      "counts": counts, "warnings": len(plan.warnings), "change_request": change})
    status.refresh(uow, measure, value_settings.load(uow))
    progress("statuses refreshed")
    return {**plan_view(_row(uow, measure.id, source), measure.code), "change_request": change}


def _synced(t: PlanTask, options: PlanOptions) -> SyncedMilestone:
    b_start, b_finish = t.baseline(options.baseline)
    # MS Project sets the actual finish at 100 %; a plan saved by another tool may give only the 100 %.
    done_on = t.actual_finish or (t.finish if t.percent_complete == 100 else None)
    return SyncedMilestone(t.uid, (t.name.strip() or f"Task {t.uid}")[:TITLE_LIMIT], t.finish, done_on,
                           start_date=t.start, baseline_start=b_start, baseline_due=b_finish,
                           started_on=t.actual_start, percent_complete=t.percent_complete)


def _ask_for_change(uow, measure, plan: Plan, options: PlanOptions, reported: dict, filename: str,
                    synced: list[SyncedMilestone]) -> int | None:
    """One change request for the slips past the threshold not yet reported; updates ``reported`` in place."""
    if options.slip_threshold_days is None:
        return None
    threshold = options.slip_threshold_days
    current = [(m.key, m.title, slip_days(m.baseline_due, m.due, None)) for m in synced if m.done_on is None]
    # A slip back under the threshold is forgotten, so slipping again asks again.
    over = {k for k, _t, s in current if s is not None and s > threshold}
    for key in set(reported) - over:
        del reported[key]
    new = slipped_beyond(current, threshold, reported)
    if not new:
        return None
    lines = [f"- {title}: {slip} days behind baseline {options.baseline}" for _k, title, slip in new]
    reason = (f"The plan '{plan.title or filename}' ({filename}) moved {len(new)} milestone(s) more than "
              f"{threshold} days past their baseline:\n" + "\n".join(lines) +
              "\nOnce approved, set a new baseline in Microsoft Project (Project → Set Baseline) and import the "
              "plan again.")
    title = f"Schedule slip: {new[0][1]}" + (f" and {len(new) - 1} more" if len(new) > 1 else "")
    cr = uow.add(ChangeRequest(measure, "timing", title[:200], reason, [], uow.actor, uow.now,
                               value_settings.load(uow).change_policy))
    uow.flush()
    uow.record("change_request.submitted", "change_request", cr.id, measure.code,
               after={"kind": cr.kind, "title": cr.title, "changes": 0, "slips": {k: s for k, _t, s in new}})
    reported.update({k: s for k, _t, s in new})
    return cr.id


def _row(uow, measure_id: int, source: str):
    # every column but the tasks: a large plan's are megabytes of JSON, read only to apply it again
    p = ts.measure_plans.c
    columns = [c for c in ts.measure_plans.c if c.name != "tasks"]
    return uow.session.execute(select(*columns).where(p.measure_id == measure_id, p.source == source)).first()


def plan_view(row, measure_code: str) -> dict:
    return {"measure": measure_code, "source": row.source, "filename": row.filename, "title": row.title,
            "application": row.application, "sha256": row.sha256, "imported_at": row.imported_at.isoformat(),
            "imported_by": row.imported_by, "options": row.options, "counts": row.counts, "warnings": row.warnings,
            "tasks": row.task_count}


def current(uow, measure_id: int, source: str) -> dict | None:
    """The last import of the measure's plan from ``source`` (None: never imported); readers of the measure."""
    _actor, measure = visible_measure(uow, measure_id)
    row = _row(uow, measure.id, source)
    return plan_view(row, measure.code) if row else None


def stored(uow, source: str) -> list[tuple[int, Plan, str, str]]:
    """``(measure_id, plan, filename, sha256)`` of every stored plan from ``source``, to apply again."""
    p = ts.measure_plans.c
    rows = uow.session.execute(select(ts.measure_plans).where(p.source == source).order_by(p.measure_id)).all()
    return [(r.measure_id, Plan(r.title, r.application, tuple(PlanTask.from_json(t) for t in r.tasks)),
             r.filename, r.sha256) for r in rows]


def reapply(uow, measure_id: int, plan: Plan, *, source: str, filename: str, sha256: str,
            options: PlanOptions) -> dict:
    """Apply a stored plan again with ``options`` (no rights check: for a connector's sync)."""
    measure = uow.measure(measure_id, for_update=True)
    return apply(uow, measure, plan, source=source, filename=filename, sha256=sha256, options=options)

"""Keeping a measure's milestones in step with items of an external tool (Jira issues, MS Project tasks).

The one write path for synced milestones: each external item is one milestone,
matched on its key through ``connector_items`` (scope = the measure's code), so
a second sync updates in place and never duplicates. Every created, changed or
removed milestone is audited; a pending review is re-checked once at the end.
Written for plans of thousands of tasks: one flush for all new milestones and
one insert for their keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select, update

from steerco.domain.errors import ValidationFailed
from steerco.domain.measure import Milestone
from steerco.services.governance.gates import refresh_pending_review
from steerco.store import tables as t
from steerco.store import tables_connectors as tc

TITLE_LIMIT = 200
PLAN_FIELDS = ("start_date", "baseline_start", "baseline_due", "started_on", "percent_complete")


@dataclass(frozen=True, slots=True)
class SyncedMilestone:
    """What the tool says about one item; ``done_on`` is set when it is done."""

    key: str
    title: str
    due: date | None
    done_on: date | None
    start_date: date | None = None
    baseline_start: date | None = None
    baseline_due: date | None = None
    started_on: date | None = None
    percent_complete: int | None = None

    def __post_init__(self):
        if not self.title.strip() or len(self.title) > TITLE_LIMIT:
            raise ValidationFailed({"title": [f"required, at most {TITLE_LIMIT} characters (item {self.key})"]})

    def fingerprint(self) -> str:
        return f"{self.title}|{self.due}|{self.done_on}"[:64]


def snapshot(ms: Milestone) -> dict:
    """What a sync may change, JSON-ready, for comparing and for the audit trail."""
    out = ms.facts()
    for k in PLAN_FIELDS:
        v = getattr(ms, k)
        if v is not None:
            out[k] = v.isoformat() if isinstance(v, date) else v
    if ms.removed_on is not None:
        out["removed_on"] = ms.removed_on.isoformat()
    return out


def sync(uow, measure, config_name: str, source: str, items: list[SyncedMilestone], *,
         keep_removed: bool = False) -> dict[str, int]:
    """Make the measure's milestones from ``config_name`` match ``items``.

    :param measure: the measure, loaded for update by the caller.
    :param keep_removed: an item no longer there is marked removed (kept for the record, restored if it
        comes back) instead of deleted.
    :returns: counts ``created``, ``updated``, ``unchanged``, ``removed``.
    """
    c = tc.connector_items.c
    scope = measure.code
    known = {r.external_key: r for r in uow.session.execute(
        select(c.id, c.external_key, c.milestone_id).where(c.config_name == config_name, c.scope == scope)).all()}
    by_id = {m.id: m for m in measure.milestones}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    created: list[tuple[SyncedMilestone, object]] = []
    for item in items:
        row = known.pop(item.key, None)
        ms = by_id.get(row.milestone_id) if row else None
        if ms is None:
            created.append((item, row))
            continue
        before = snapshot(ms)
        if before == _created_snapshot(item):
            counts["unchanged"] += 1
            continue
        ms.title = item.title
        _assign(ms, item)
        ms.removed_on = None
        after = snapshot(ms)
        uow.session.execute(update(tc.connector_items).where(c.id == row.id).values(fingerprint=item.fingerprint()))
        action = ("milestone.restored" if "removed_on" in before
                  else "milestone.completed" if ms.done_on and not before["done"] else "milestone.updated")
        uow.record(action, "milestone", ms.id, measure.code, before=before, after={**after, "source": item.key})
        counts["updated"] += 1
    if created:
        ids = _insert_milestones(uow, measure, source, [item for item, _row in created])
        fresh = [{"config_name": config_name, "scope": scope, "external_key": item.key, "milestone_id": ms_id,
                  "fingerprint": item.fingerprint()} for (item, row), ms_id in zip(created, ids) if row is None]
        if fresh:
            uow.session.execute(insert(tc.connector_items), fresh)
        for (item, row), ms_id in zip(created, ids):
            if row is not None:  # the milestone was deleted in Steerco: the item gets a new one
                uow.session.execute(update(tc.connector_items).where(c.id == row.id)
                                    .values(milestone_id=ms_id, fingerprint=item.fingerprint()))
            uow.record("milestone.added", "milestone", ms_id, measure.code,
                       after={**_created_snapshot(item), "source": item.key})
        counts["created"] = len(created)
    for key, row in known.items():
        ms = by_id.get(row.milestone_id)
        if keep_removed and ms is not None:
            if ms.removed_on is None:
                before = snapshot(ms)
                ms.removed_on = uow.now.date()
                uow.record("milestone.removed", "milestone", ms.id, measure.code, before={**before, "source": key},
                           after={"removed_on": ms.removed_on.isoformat()})
                counts["removed"] += 1
            continue
        if ms is not None:
            measure.milestones.remove(ms)
            uow.record("milestone.removed", "milestone", ms.id, measure.code, before={**snapshot(ms), "source": key})
        uow.session.execute(delete(tc.connector_items).where(c.id == row.id))
        counts["removed"] += 1
    if counts["created"] or counts["updated"] or counts["removed"]:
        measure.updated_at = uow.now
        uow.flush()
        refresh_pending_review(uow, measure)
    return counts


def _insert_milestones(uow, measure, source: str, items: list[SyncedMilestone]) -> list[int]:
    """Insert new milestones in one statement; their ids in the order of ``items``.

    Core rather than the ORM: building thousands of mapped objects was most of an
    import's time. The measure's milestone list is reloaded when next read.
    """
    rows = [{"measure_id": measure.id, "title": item.title, "due_date": item.due, "done_on": item.done_on,
             "source": source, **{k: getattr(item, k) for k in PLAN_FIELDS}} for item in items]
    stmt = insert(t.milestones).returning(t.milestones.c.id, sort_by_parameter_order=True)
    ids = list(uow.session.execute(stmt, rows).scalars())
    uow.session.expire(measure, ["milestones"])
    return ids


def _created_snapshot(item: SyncedMilestone) -> dict:
    return snapshot(_Plain(item))


class _Plain:
    """A synced item read like a milestone, for the audit snapshot of one just inserted."""

    def __init__(self, item: SyncedMilestone):
        self.title, self.due_date, self.done_on, self.removed_on = item.title, item.due, item.done_on, None
        for k in PLAN_FIELDS:
            setattr(self, k, getattr(item, k))

    facts = Milestone.facts


def _assign(ms: Milestone, item: SyncedMilestone) -> None:
    ms.due_date, ms.done_on = item.due, item.done_on
    for k in PLAN_FIELDS:
        setattr(ms, k, getattr(item, k))

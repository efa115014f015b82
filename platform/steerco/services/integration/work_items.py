"""Work items from project tools (Jira, MS Project...) as milestones of measures.

A measure is linked to an external epic, issue or query (``connector_links``);
a work-items connector fetches what each link selects and hands it to
:func:`sync_milestones`, which keeps one milestone per item (source = the tool),
so Implementation Status follows the tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select, update

from steerco.domain.errors import ValidationFailed
from steerco.domain.measure import Milestone
from steerco.services.access import editable_measure
from steerco.services.governance.gates import refresh_pending_review
from steerco.services.integration.connectors import config
from steerco.store import tables_connectors as tc

LINK_KINDS = ("epic", "issue", "jql")
ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,19}-[1-9][0-9]{0,9}$")


@dataclass(frozen=True)
class WorkItem:
    """One external item: ``done_on`` is set when the tool says it is done."""

    key: str
    title: str
    due: date | None
    done_on: date | None
    status: str = ""

    def fingerprint(self) -> str:
        return f"{self.title}|{self.due}|{self.done_on}"[:64]


def link(uow, config_name: str, measure_id: int, kind: str, target: str) -> dict:
    """Link a measure to an epic, an issue or a query of a configured work-items connector.

    :raises ValidationFailed: unknown kind, malformed key or query.
    """
    _actor, measure = editable_measure(uow, measure_id)
    config(uow, config_name)
    target = (target or "").strip() if isinstance(target, str) else ""
    if kind not in LINK_KINDS:
        raise ValidationFailed({"kind": [f"one of {', '.join(LINK_KINDS)}"]})
    if kind in ("epic", "issue") and not ISSUE_KEY.match(target):
        raise ValidationFailed({"target": ["an issue key such as PROJ-123"]})
    if kind == "jql" and not 0 < len(target) <= 1000:
        raise ValidationFailed({"target": ["a JQL query of at most 1000 characters"]})
    c = tc.connector_links.c
    exists = uow.session.execute(select(c.id).where(c.measure_id == measure.id, c.config_name == config_name,
                                                    c.kind == kind, c.target == target)).first()
    if exists is None:
        uow.session.execute(insert(tc.connector_links).values(measure_id=measure.id, config_name=config_name,
                                                              kind=kind, target=target, created_at=uow.now))
        uow.record("measure.linked", "measure", measure.id, measure.code,
                   after={"connector": config_name, "kind": kind, "target": target})
    return {"measure": measure.code, "connector": config_name, "kind": kind, "target": target}


def links(uow, config_name: str) -> list[tuple[int, str, str]]:
    """``(measure_id, kind, target)`` of every link of a connector configuration."""
    c = tc.connector_links.c
    rows = uow.session.execute(select(c.measure_id, c.kind, c.target).where(c.config_name == config_name)
                               .order_by(c.measure_id, c.id)).all()
    return [tuple(r) for r in rows]


def sync_milestones(uow, config_name: str, source: str, measure_id: int, items: list[WorkItem]) -> dict[str, int]:
    """Make the measure's milestones from ``config_name`` match ``items`` exactly.

    :returns: counts ``created``, ``updated``, ``unchanged``, ``removed``.
    """
    measure = uow.measure(measure_id, for_update=True)
    c = tc.connector_items.c
    scope = measure.code
    known = {r.external_key: r for r in uow.session.execute(
        select(tc.connector_items).where(c.config_name == config_name, c.scope == scope)).all()}
    by_id = {m.id: m for m in measure.milestones}
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    for item in items:
        row = known.pop(item.key, None)
        ms = by_id.get(row.milestone_id) if row else None
        title = f"{item.key} {item.title}".strip()[:200]
        if ms is None:
            ms = Milestone(title, item.due, source=source)
            ms.done_on = item.done_on
            measure.milestones.append(ms)
            uow.flush()
            values = {"milestone_id": ms.id, "fingerprint": item.fingerprint()}
            if row is None:
                uow.session.execute(insert(tc.connector_items).values(config_name=config_name, scope=scope,
                                                                      external_key=item.key, **values))
            else:
                uow.session.execute(update(tc.connector_items).where(c.id == row.id).values(**values))
            uow.record("milestone.added", "milestone", ms.id, measure.code, after={**ms.facts(), "source": item.key})
            counts["created"] += 1
            continue
        before = ms.facts()
        ms.title, ms.due_date, ms.done_on = title, item.due, item.done_on
        if ms.facts() == before:
            counts["unchanged"] += 1
            continue
        uow.session.execute(update(tc.connector_items).where(c.id == row.id).values(fingerprint=item.fingerprint()))
        action = "milestone.completed" if ms.done_on and not before["done"] else "milestone.updated"
        uow.record(action, "milestone", ms.id, measure.code, before=before, after={**ms.facts(), "source": item.key})
        counts["updated"] += 1
    for key, row in known.items():  # no longer selected by the link: the milestone goes too
        ms = by_id.get(row.milestone_id)
        if ms is not None:
            measure.milestones.remove(ms)
            uow.record("milestone.removed", "milestone", ms.id, measure.code, before={**ms.facts(), "source": key})
        uow.session.execute(delete(tc.connector_items).where(c.id == row.id))
        counts["removed"] += 1
    if counts["created"] or counts["updated"] or counts["removed"]:
        measure.updated_at = uow.now
        uow.flush()
        refresh_pending_review(uow, measure)
    return counts

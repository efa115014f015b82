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

from sqlalchemy import insert, select

from steerco.domain.errors import ValidationFailed
from steerco.services.integration import milestone_sync
from steerco.services.access import editable_measure
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
    """Make the measure's milestones from ``config_name`` match ``items`` exactly (through
    :func:`steerco.services.milestone_sync.sync`, the write path shared with plan imports).

    :returns: counts ``created``, ``updated``, ``unchanged``, ``removed``.
    """
    measure = uow.measure(measure_id, for_update=True)
    synced = [milestone_sync.SyncedMilestone(item.key, f"{item.key} {item.title}".strip()[:200], item.due,
                                             item.done_on) for item in items]
    return milestone_sync.sync(uow, measure, config_name, source, synced)

"""Loading a measure on behalf of the actor, with the right to see or change it.

A measure the actor may not see is reported as not found, so ids of other
nodes' measures do not leak.
"""

from __future__ import annotations

from steerco.domain import rights
from steerco.domain.errors import NotFound


def visible_measure(uow, measure_id: int, *, for_update: bool = False):
    actor = uow.require_user(uow.actor)
    measure = uow.measure(measure_id, for_update=for_update)
    if not rights.can_view(actor, measure):
        raise NotFound(f"measure: no measure with id {measure_id}")
    return actor, measure


def editable_measure(uow, measure_id: int):
    actor, measure = visible_measure(uow, measure_id, for_update=True)
    rights.require(rights.can_edit(actor, measure), f"{actor.username} may not edit measure {measure.code}")
    return actor, measure

"""Imperative mapping of the 'value' area's domain classes (called by mapping.map_domain)."""

from sqlalchemy.orm import relationship

from steerco.domain.change import ChangeRequest, Dependency
from steerco.domain.measure import Measure
from steerco.domain.status import StatusEntry
from steerco.domain.value import MeasureValue, PeriodLock, ValueLine
from steerco.store import tables_value as v


def map_value(m, t) -> None:
    """:param m: the registry's map_imperatively; :param t: the core tables module."""
    m(ValueLine, v.value_lines, properties={"measure": relationship(Measure)})
    m(MeasureValue, v.measure_values, properties={"measure": relationship(Measure)})
    m(PeriodLock, v.period_locks, properties={"measure": relationship(Measure)})
    m(StatusEntry, v.status_history, properties={"measure": relationship(Measure)})
    m(ChangeRequest, v.change_requests, version_id_col=v.change_requests.c.version_id,
      properties={"measure": relationship(Measure)})
    m(Dependency, v.dependencies, properties={
        "successor": relationship(Measure, foreign_keys=[v.dependencies.c.successor_id]),
        "predecessor": relationship(Measure, foreign_keys=[v.dependencies.c.predecessor_id], lazy="joined"),
    })

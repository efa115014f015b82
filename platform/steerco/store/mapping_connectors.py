"""Imperative mapping of the 'connectors' area's domain classes (called by mapping.map_domain).

The area maps no domain class: its rows (connector configurations, the run
log, links, synced items, trigger sources, rules and events) are records, not
domain objects, and are read and written with Core statements on
``tables_connectors`` by ``services.connectors``, ``services.work_items`` and
``services.triggers``. What they change in the domain (users, milestones,
measures) goes through the mapped classes.
"""


def map_connectors(m, t) -> None:
    """:param m: the registry's map_imperatively; :param t: the core tables module."""

"""Imperative mapping of the 'status' area's domain classes (called by mapping.map_domain)."""


def map_status(m, t) -> None:
    """:param m: the registry's map_imperatively; :param t: the core tables module."""

"""Imperative mapping of the 'rights' area's domain classes (called by mapping.map_domain)."""


def map_rights(m, t) -> None:
    """:param m: the registry's map_imperatively; :param t: the core tables module."""

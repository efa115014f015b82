"""Persistence: tables, the mapping of domain classes onto them, the unit of work."""

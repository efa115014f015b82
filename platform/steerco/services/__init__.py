"""Use cases. Each takes a unit of work (or the store) and an actor, explicitly."""

"""Events one area of the services raises and another handles, inside the same unit of work.

Where two areas need each other, the lower one raises an event and the higher
one handles it, so imports point one way only: the value area tells "the facts
of this measure changed" without knowing that the governance area then
re-checks the pending review (and voids its votes if what the gate read
changed). Handlers run synchronously, in the caller's transaction, in the
order they were connected; :mod:`steerco.services` connects them when it is
first imported, so they are in place whichever area a process imports first.
"""

from __future__ import annotations

from typing import Callable


class Event:
    """Something that happened, with the handlers that must follow it in the same transaction."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._handlers: list[Callable] = []

    def handler(self, fn: Callable) -> Callable:
        """Connect ``fn`` (as a decorator); connecting the same function twice keeps one."""
        if fn not in self._handlers:
            self._handlers.append(fn)
        return fn

    @property
    def handlers(self) -> tuple[Callable, ...]:
        return tuple(self._handlers)

    def __call__(self, *args) -> None:
        for fn in self._handlers:
            fn(*args)

    def __repr__(self):
        return f"<Event {self.name}: {len(self._handlers)} handler(s)>"


facts_changed = Event("facts_changed", """``(uow, measure)``: something a gate may read of ``measure`` changed
(its value, dependencies, milestones, evidence...). Handled by the governance area: a pending review is
re-checked.""")

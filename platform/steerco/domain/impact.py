"""The impact of a drafted gate: each measure checked against the gate it faces now and the draft's.

A measure usually fails a gate for several reasons at once, so a changed
criterion (a raised threshold) rarely flips the whole gate. The tally
therefore compares criterion by criterion, and names a measure when any of
its criteria, or the gate as a whole, changes result.
"""

from __future__ import annotations

from steerco.domain.gatecheck import GateCheck

# Open conditions of an earlier Conditional Go block every gate alike, whatever the draft says.
_SAME_EITHER_WAY = frozenset({"conditions"})


class ImpactTally:
    """Counts and changes over the measures facing one gate, fed one measure at a time."""

    def __init__(self):
        self.now = {"pass": 0, "fail": 0}
        self.draft = {"pass": 0, "fail": 0}
        self.changed: list[dict] = []
        self._criteria: dict[str, dict] = {}
        self._drafted: dict[str, int] = {}  # the draft's criteria and their place in it

    def add(self, measure: dict, before: GateCheck | None, after: GateCheck) -> None:
        """Count one measure.

        :param measure: what names the measure in the answer (``code``, ``id``, ``title``).
        :param before: its check against the gate it faces now (None: no such gate yet).
        :param after: its check against the drafted gate.
        """
        old = _by_code(before.results) if before is not None else {}
        new = _by_code(after.results)
        if before is not None:
            self.now["pass" if before.passed else "fail"] += 1
        self.draft["pass" if after.passed else "fail"] += 1
        moved = []
        for code, r in new.items():
            self._drafted.setdefault(code, len(self._drafted))
            _count(self._entry(r), "draft", r.passed)
        for r in old.values():
            _count(self._entry(r), "now", r.passed)
        for code in new.keys() | old.keys():
            was, now = old.get(code), new.get(code)
            # A criterion that is not there blocks nothing: it counts as passed.
            if (was is None or was.passed) == (now is None or now.passed):
                continue
            entry = self._criteria[code]
            entry["to_pass" if now is None or now.passed else "to_fail"] += 1
            moved.append({"criterion": code, "label": entry["label"],
                          "before": None if was is None else was.passed, "after": None if now is None else now.passed})
        before_passed = before.passed if before is not None else None
        if moved or before_passed != after.passed:
            moved.sort(key=lambda c: self._rank(c["criterion"]))
            self.changed.append({**measure, "before": before_passed, "after": after.passed,
                                 "failed": [f.label for f in after.failed], "criteria": moved})

    def criteria(self) -> list[dict]:
        """Per criterion: ``now`` and ``draft`` pass/fail counts (None where the criterion is not in
        that gate), and how many measures it turns to fail (``to_fail``) or to pass (``to_pass``);
        the draft's criteria first, in its order, then those the draft drops."""
        return sorted(self._criteria.values(), key=lambda c: self._rank(c["criterion"]))

    def _rank(self, code: str) -> tuple:
        place = self._drafted.get(code)
        return (0, place, "") if place is not None else (1, 0, code)

    def _entry(self, r) -> dict:
        entry = self._criteria.get(r.code)
        if entry is None:
            entry = self._criteria[r.code] = {"criterion": r.code, "label": r.label, "kind": r.kind,
                                              "now": None, "draft": None, "to_fail": 0, "to_pass": 0}
        return entry


def _count(entry: dict, side: str, passed: bool) -> None:
    counts = entry[side]
    if counts is None:
        counts = entry[side] = {"pass": 0, "fail": 0}
    counts["pass" if passed else "fail"] += 1


def _by_code(results) -> dict:
    return {r.code: r for r in results if r.kind not in _SAME_EITHER_WAY}

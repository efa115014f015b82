"""What every benchmark shares: its size, interleaved timing, the BENCH line and the summary.

The machine the benchmarks run on is shared and noisy, so a figure is never an
absolute time alone: the candidate and its floor (the same work done the
barest way) are timed in interleaved rounds (candidate, floor, candidate,
floor...) and each keeps its median, so drift in load hits both alike.

Every goal is one line, parsed by ``run.py`` for the summary table::

    BENCH <name> <value> <unit> goal <goal> met|missed

Figures printed for information only (no goal) use ``INFO`` lines instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/: conftest and support
sys.path.insert(0, str(HERE))

MIN_ROUNDS = 5
QUICK_ENV = "STEERCO_BENCH_QUICK"

_results: list[tuple[str, float, str, str, bool]] = []


def arguments(description: str, configure=None, **sizes: int) -> argparse.Namespace:
    """Command line of a benchmark: ``--quick`` divides every size by ten; ``--rounds`` at least 5.

    :param configure: called with the parser, to add options that do not scale.
    :param sizes: the full size of each knob (``measures=50_000``); each becomes ``--<knob>``.
    """
    ap = argparse.ArgumentParser(description=description)
    if configure:
        configure(ap)
    ap.add_argument("--quick", action="store_true", default=bool(os.environ.get(QUICK_ENV)),
                    help=f"about a tenth of the full size (also ${QUICK_ENV}=1)")
    ap.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    for name, full in sizes.items():
        ap.add_argument(f"--{name.replace('_', '-')}", type=int, default=None, help=f"default {full:,} (quick: a tenth)")
    args = ap.parse_args()
    if args.rounds < MIN_ROUNDS:
        ap.error(f"--rounds must be at least {MIN_ROUNDS}: a median of fewer is noise")
    for name, full in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, max(1, full // 10) if args.quick else full)
    return args


def interleaved(candidates: dict, rounds: int = MIN_ROUNDS, clock=time.perf_counter, reset: dict | None = None) -> dict:
    """``{name: (median seconds, last result)}``, every function timed once per round, in turn.

    :param clock: ``time.process_time`` for in-process CPU-bound work (other processes' load does not count);
        wall time otherwise (databases, servers).
    :param reset: ``{name: fn}`` run untimed after that candidate, to put back the state it changed.
    """
    times: dict[str, list[float]] = {name: [] for name in candidates}
    out: dict[str, object] = {}
    for _ in range(max(rounds, MIN_ROUNDS)):
        for name, fn in candidates.items():
            start = clock()
            out[name] = fn()
            times[name].append(clock() - start)
            if reset and name in reset:
                reset[name]()
    return {name: (statistics.median(ts), out[name]) for name, ts in times.items()}


def percentile(xs, p: float) -> float:
    """The nearest-rank percentile ``p`` (0-100) of ``xs``."""
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, -(-len(xs) * p // 100) - 1))]


def bench(name: str, value: float, unit: str, goal: float, *, below: bool = True, strict: bool = True) -> bool:
    """Print the BENCH line of one goal; ``below``: the goal is a ceiling (else a floor)."""
    if below:
        met = value < goal if strict else value <= goal
        shown = f"{'<' if strict else '<='}{goal:g}"
    else:
        met = value > goal if strict else value >= goal
        shown = f"{'>' if strict else '>='}{goal:g}"
    _results.append((name, value, unit, shown, met))
    print(f"BENCH {name} {value:.3f} {unit} goal {shown} {'met' if met else 'missed'}", flush=True)
    return met


def info(name: str, value: float, unit: str, note: str = "") -> None:
    """A figure printed for information only: no goal."""
    print(f"INFO {name} {value:.3f} {unit}{'  ' + note if note else ''}", flush=True)


def note(text: str) -> None:
    print(f"# {text}", flush=True)


def parse(line: str):
    """``(name, value, unit, goal, met)`` of a BENCH line, or None."""
    parts = line.split()
    if len(parts) != 7 or parts[0] != "BENCH" or parts[4] != "goal" or parts[6] not in ("met", "missed"):
        return None
    return parts[1], float(parts[2]), parts[3], parts[5], parts[6] == "met"


def summary(results=None) -> str:
    results = _results if results is None else results
    rows = [("benchmark", "value", "unit", "goal", "result")]
    rows += [(n, f"{v:.3f}", u, g, "met" if m else "MISSED") for n, v, u, g, m in results]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    missed = sum(1 for r in results if not r[4])
    lines.append(f"{len(results)} goals: {len(results) - missed} met, {missed} missed")
    return "\n".join(lines)


def finish() -> None:
    """End of a benchmark run on its own: the summary of its goals."""
    print("\n" + summary(), flush=True)


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start

"""Run every benchmark (``make bench``; ``make bench-quick`` passes ``--quick``), then the summary of all goals.

Each benchmark runs in its own process, so one's memory and caches do not
weigh on the next; its output streams through, and its BENCH lines are
gathered for the table at the end. A benchmark that crashes or overruns its
time limit fails the run; one that misses a goal does not (it says so).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from harness import HERE, parse, summary

LIMIT_FULL = 3600  # seconds per benchmark: they bound themselves; this catches a hang
LIMIT_QUICK = 300


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("only", nargs="*", help="benchmark names (bench_gates ...), run in that order; all by default")
    args = ap.parse_args()
    files = sorted(HERE.glob("bench_*.py"))
    if args.only:
        unknown = set(args.only) - {f.stem for f in files}
        if unknown:
            ap.error(f"no such benchmark: {', '.join(sorted(unknown))}")
        files = [HERE / f"{name}.py" for name in args.only]
    results, failed = [], []
    started = time.perf_counter()
    for path in files:
        print(f"\n== {path.stem}{' (quick)' if args.quick else ''}", flush=True)
        cmd = [sys.executable, str(path)] + (["--quick"] if args.quick else [])
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, bufsize=1)
        try:
            for line in proc.stdout:
                print(line, end="", flush=True)
                parsed = parse(line)
                if parsed:
                    results.append(parsed)
            proc.wait(timeout=LIMIT_QUICK if args.quick else LIMIT_FULL)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.returncode != 0:
            failed.append(path.stem)
        print(f"== {path.stem} done in {time.perf_counter() - t0:.0f} s (exit {proc.returncode})", flush=True)
    print(f"\nSummary ({'quick' if args.quick else 'full'} size, {time.perf_counter() - started:.0f} s)")
    print(summary(results))
    if failed:
        print("benchmarks that did not finish:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

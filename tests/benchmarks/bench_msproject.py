"""MS Project import speed: an MSPDI plan of 5,000 tasks into a measure on SQLite, all or nothing.

Run on demand: ``python tests/benchmarks/bench_msproject.py [--tasks 5000]``.

The file is written by the tests' MSPDI generator with the ~80 elements per task
that Project 2010-2019 writes (14 MB for 5,000 tasks). Measured in the same run:
a bare parse of the same bytes with the standard C ElementTree parser (the floor:
no safety check, no task read, nothing written), then the whole import through
``steerco_msproject.imports.import_file`` (rights, safe parse, tasks, milestones,
keys, audit, statuses, commit): first with every 5th task a milestone (1,000
milestones, a typical plan), then with summary tasks too and every task a
milestone (5,000 milestones, the worst case), and a re-import of the same file
(all unchanged). Goal: under 2 s for the 5,000-task plan.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import default_config  # noqa: E402
from support.mspdi import big_plan, project_xml  # noqa: E402

from steerco.migrate import upgrade  # noqa: E402
from steerco.store.uow import Store  # noqa: E402

GOAL_S = 2.0


def bench(name: str, value: float, unit: str, goal: float, extra: str = "") -> None:
    verdict = "met" if value < goal else "missed"
    print(f"BENCH {name} {value:.3f} {unit} goal {goal:g} {verdict}" + (f"  ({extra})" if extra else ""))


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    import steerco_msproject
    from steerco.plugins.manager import make_plugin_manager
    from steerco.services import configuration, connectors, measures, people
    from steerco_msproject.connector import CONFIG
    from steerco_msproject.imports import import_file

    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{d}/bench.db"
        upgrade(url)
        store = Store(url)
        store.run("system", lambda uow: configuration.apply(uow, default_config()) and None)
        store.run("system", lambda uow: people.add_user(uow, "alice", roles=[("owner", "PA")]) and None)
        ids = [store.run("alice", lambda uow: measures.create(uow, {"title": f"Plan {i}", "node": "PA",
                                                                     "type": "cost"}).id) for i in range(3)]
        typical = project_xml(big_plan(args.tasks, milestone_every=5))
        every = project_xml(big_plan(args.tasks, milestone_every=1))
        print(f"{args.tasks} tasks: {len(typical) / 1e6:.1f} MB of MSPDI")

        t_parse = best(lambda: ET.fromstring(typical))
        bench(f"msproject_bare_parse_{args.tasks}_tasks", t_parse, "s", GOAL_S, "C ElementTree, nothing else")

        steps = []
        t = time.perf_counter()
        first = import_file(store, "alice", ids[0], typical, "plan.xml",
                            progress=lambda m: steps.append((time.perf_counter(), m)))
        t_import = time.perf_counter() - t
        assert first["counts"]["created"] == args.tasks // 5, first["counts"]
        bench(f"msproject_import_{args.tasks}_tasks", t_import, "s", GOAL_S,
              f"{first['counts']['created']} milestones; {t_import / t_parse:.2f}x the bare parse")
        for at, msg in steps:
            print(f"    {at - t:6.3f} s  {msg}")

        t = time.perf_counter()
        again = import_file(store, "alice", ids[0], typical, "plan.xml")
        t_again = time.perf_counter() - t
        assert again["counts"]["unchanged"] == args.tasks // 5 and again["counts"]["created"] == 0, again["counts"]
        bench(f"msproject_reimport_{args.tasks}_tasks", t_again, "s", GOAL_S,
              f"all unchanged; {t_again / t_parse:.2f}x the bare parse")

        # the worst case needs summary tasks as milestones: the option an admin sets in the form
        store.run("system", lambda uow: people.add_user(uow, "root", roles=[("admin", None)]) and None)
        pm = make_plugin_manager(entrypoints=False, plugins=[steerco_msproject])
        store.run("root", lambda uow: connectors.save_config(uow, pm, CONFIG, "msproject", {"summary_tasks": True}))
        t = time.perf_counter()
        worst = import_file(store, "alice", ids[1], every, "plan.xml")
        t_worst = time.perf_counter() - t
        bench(f"msproject_import_{args.tasks}_milestones", t_worst, "s", GOAL_S,
              f"every task a milestone: {worst['counts']['created']}; {t_worst / t_parse:.2f}x the bare parse")
        store.dispose()


if __name__ == "__main__":
    main()

"""Criterion checks of steerco.rules against datalogic-py's bare compiled evaluation of the same rules.

Run: ``python tests/benchmarks/bench_rules.py [--quick] [--measures 50000] [--rounds 5]``.

Ten criteria over the facts of many measures (10,000 distinct records,
repeated), CPU time of this process in interleaved rounds. Goal: the null-strict
criterion checks (``facts_handle`` then ``check_handle`` of each criterion)
within 3x datalogic-py (facts parsed once per measure into a ``DataHandle``,
evaluated in a session). The plain evaluation (``CompiledRule.apply``) is
printed for information: what the criterion bookkeeping adds.
"""

from __future__ import annotations

import json
import random
import time

import datalogic_py
from harness import arguments, bench, finish, info, interleaved, note

from steerco import rules
from steerco.rules.jsvalues import truthy

CRITERIA = [
    {"and": [{">=": [{"var": "risk.score"}, 3]}, {"in": [{"var": "sponsor"}, ["alice", "bob", "carol"]]},
             {"!!": {"var": "owner"}}, {"<=": [{"var": "risk.score"}, 15]},
             {"all": [{"var": "milestones"}, {"!!": {"var": "due"}}]}]},
    {">=": [{"var": "value.planned"}, 50_000]},
    {"<=": [{"var": "risk.score"}, 12]},
    {"!!": {"var": "sponsor"}},
    {"!=": [{"var": "owner"}, {"var": "sponsor"}]},
    {"some": [{"var": "milestones"}, {"var": "done"}]},
    {">=": [{"var": "value.actual"}, {"*": [{"var": "value.planned"}, 0.8]}]},
    {"in": [{"var": "status"}, ["active", "on_track"]]},
    {"<=": [{"var": "milestones_open"}, 3]},
    {"or": [{"<": [{"var": "doi"}, 3]}, {">=": [{"var": "value.planned"}, 100_000]}]},
]


def make_records(n: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    people = ["alice", "bob", "carol", "dan", "erin", "frank"]
    out = []
    for i in range(n):
        milestones = [{"title": f"Milestone {j}", "due": rnd.choice([None, f"2025-{rnd.randint(1, 12):02d}-15"]),
                       "done": rnd.random() < 0.4} for j in range(rnd.randint(0, 6))]
        planned = rnd.choice([None, rnd.randint(0, 250_000), round(rnd.uniform(0, 250_000), 2)])
        out.append({
            "code": f"M-{i:05d}",
            "title": f"Measure {i}: reduce procurement cost in region {i % 17}",
            "doi": rnd.randint(1, 5),
            "status": rnd.choice(["active", "on_track", "at_risk", "closed"]),
            "owner": rnd.choice(people),
            "sponsor": rnd.choice(people + [None]),
            "risk": rnd.choice([{"score": rnd.randint(1, 25)}, {"score": None}, {}]),
            "value": {"planned": planned, "actual": rnd.randint(0, 250_000)},
            "milestones": milestones,
            "milestones_open": sum(1 for m in milestones if not m["done"]),
            "nodes": ["group", f"division-{i % 5}", f"unit-{i % 23}"],
        })
    return out


def main() -> None:
    args = arguments(__doc__.splitlines()[0], measures=50_000)
    records = make_records(min(10_000, args.measures))
    measures = [records[i % len(records)] for i in range(args.measures)]
    texts = [json.dumps(c) for c in CRITERIA]
    engine = datalogic_py.Engine()
    bare = [engine.compile(t) for t in texts]
    ours = [rules.compile_rule(t) for t in texts]

    def datalogic():
        n = 0
        with engine.session() as session:
            for facts in measures:
                handle = datalogic_py.DataHandle(facts)
                for rule in bare:
                    n += session.evaluate_truthy(rule, handle)
        return n

    def checks():
        n = 0
        for facts in measures:
            handle = rules.facts_handle(facts)
            for rule in ours:
                n += rule.check_handle(handle).passed
        return n

    def applied():
        n = 0
        for facts in measures:
            handle = rules.facts_handle(facts)
            for rule in ours:
                try:
                    n += truthy(rule.apply(handle))
                except rules.RuleError:  # a data-dependent failure: the check counts it as not met
                    pass
        return n

    t = interleaved({"check": checks, "datalogic": datalogic, "apply": applied}, args.rounds, time.process_time)
    evals = len(measures) * len(CRITERIA)
    note(f"{len(CRITERIA)} criteria x {len(measures):,} measures = {evals:,} evaluations, medians of {args.rounds} "
         f"rounds (CPU): check_handle {t['check'][0]:.3f} s ({t['check'][1]:,} met), datalogic-py "
         f"{t['datalogic'][0]:.3f} s ({t['datalogic'][1]:,} truthy), apply {t['apply'][0]:.3f} s "
         f"({t['apply'][1]:,} truthy); datalogic-py {datalogic_py.__version__}")
    bench("rules_check_vs_datalogic", t["check"][0] / t["datalogic"][0], "x", 3, strict=False)
    info("rules_check_vs_apply", t["check"][0] / t["apply"][0], "x")
    finish()


if __name__ == "__main__":
    main()

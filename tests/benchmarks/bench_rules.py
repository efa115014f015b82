"""Throughput of gate criteria: bare datalogic-py against steerco.rules.

Run on demand: ``python tests/benchmarks/bench_rules.py [--measures 50000] [--repeats 3]``.
Prints evaluations per second and the ratio ours/bare for a 10-criterion gate
over many measures. The machine is shared and noisy: every figure is the best
of ``--repeats`` runs, and ratios compare figures from the same run.

Product target: a 10-criterion gate over 50,000 measures within 3x the bare
compiled evaluations of the same rules and facts.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import datalogic_py

from steerco import rules

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


def best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--measures", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    records = make_records(args.records)
    measures = [records[i % len(records)] for i in range(args.measures)]
    texts = [json.dumps(c) for c in CRITERIA]
    engine = datalogic_py.Engine()
    bare = [engine.compile(t) for t in texts]
    ours = [rules.compile_rule(t) for t in texts]
    evals = len(measures) * len(CRITERIA)

    def bare_dicts():
        for facts in measures:
            for rule in bare:
                rule.evaluate(facts)

    def bare_handles():
        with engine.session() as session:
            for facts in measures:
                handle = datalogic_py.DataHandle(facts)
                for rule in bare:
                    session.evaluate_data(rule, handle)

    def ours_dicts():
        for facts in measures:
            for rule in ours:
                rule.check(facts)

    def ours_handles():
        for facts in measures:
            handle = rules.facts_handle(facts)
            for rule in ours:
                rule.check_handle(handle)

    parsed = [datalogic_py.DataHandle(r) for r in records]
    ours_parsed = [rules.facts_handle(r) for r in records]
    rounds = len(measures) // len(records)

    def bare_parsed():  # evaluation alone, facts parsed beforehand
        for _ in range(rounds):
            for handle in parsed:
                for rule in bare:
                    rule.evaluate_data(handle)

    def ours_parsed_checks():
        for _ in range(rounds):
            for handle in ours_parsed:
                for rule in ours:
                    rule.check_handle(handle)

    figures = {name: best(fn, args.repeats) for name, fn in [
        ("bare Rule.evaluate(dict)", bare_dicts),
        ("bare DataHandle + Session.evaluate_data", bare_handles),
        ("ours check(dict)", ours_dicts),
        ("ours facts_handle + check_handle", ours_handles),
        ("(bare Rule.evaluate_data, facts pre-parsed)", bare_parsed),
        ("(ours check_handle, facts pre-parsed)", ours_parsed_checks),
    ]}
    passed = sum(r.check_handle(h).passed for h in map(rules.facts_handle, records[:1000]) for r in ours)

    print(f"{len(CRITERIA)} criteria x {len(measures):,} measures ({len(records):,} distinct records) "
          f"= {evals:,} evaluations; best of {args.repeats}; datalogic-py {datalogic_py.__version__}")
    for name, seconds in figures.items():
        runs = rounds * len(records) * len(CRITERIA) if name.startswith("(") else evals
        print(f"  {name:45s} {runs / seconds / 1000:8.0f} k evals/s  {seconds:6.2f} s")
    gate = figures["ours facts_handle + check_handle"]
    for label, bare_name in [("bare Rule.evaluate(dict)", "bare Rule.evaluate(dict)"),
                             ("bare DataHandle + Session", "bare DataHandle + Session.evaluate_data")]:
        print(f"ratio ours (facts_handle + check_handle) / {label:26s} {gate / figures[bare_name]:5.2f}x")
    print(f"ratio ours check(dict) / bare Rule.evaluate(dict):                   "
          f"{figures['ours check(dict)'] / figures['bare Rule.evaluate(dict)']:5.2f}x")
    pre_ours = figures["(ours check_handle, facts pre-parsed)"]
    pre_bare = figures["(bare Rule.evaluate_data, facts pre-parsed)"]
    print(f"ratio ours check_handle / bare evaluate_data, facts pre-parsed:      {pre_ours / pre_bare:5.2f}x")
    print(f"(sanity: {passed:,} of {1000 * len(CRITERIA):,} checks passed on the first 1,000 records)")


if __name__ == "__main__":
    main()

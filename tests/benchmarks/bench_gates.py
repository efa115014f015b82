"""Impact preview speed: one 10-criterion gate checked for every measure of a portfolio.

Run on demand: ``python tests/benchmarks/bench_gates.py [--measures 50000] [--repeats 3]``.

Baseline measured in the same run: the bare compiled JSONLogic evaluations of
the same 10 rules over the same facts (datalogic-py, facts parsed once per
measure and evaluated in a session: the fastest bare path), and the naive bare
path (``Rule.evaluate(dict)`` per rule). Target: ``check_gate`` within 3x of
the bare evaluations for platform-built facts (:class:`steerco.rules.PlatformFacts`,
what ``Measure.facts`` returns and the impact preview checks); facts from
outside (plain dicts, depth-scanned) are measured too.
"""

from __future__ import annotations

import argparse
import json
import time

import datalogic_py
from bench_rules import CRITERIA, make_records

from steerco import rules
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model


def gate_model():
    must = [{"code": f"c{i}", "label": f"Criterion {i}", "rule": r, "explanation": f"explanation {i}"}
            for i, r in enumerate(CRITERIA[:7])]
    should = [{"code": f"s{i}", "label": f"Should {i}", "rule": r, "weight": i + 1}
              for i, r in enumerate(CRITERIA[7:])]
    return parse_model({"code": "bench", "name": "Bench", "levels": [
        {"doi": 0, "name": "A", "risk_weight": 0}, {"doi": 1, "name": "B", "risk_weight": 100}],
        "gates": [{"doi": 1, "name": "B", "must_meet": must, "should_meet": should, "min_score": 50}]})


def best(fns, repeats):
    """``[(best CPU seconds, result)]`` per function.

    CPU time of this process, not wall time: the machine is shared, and other
    processes' load must not count. Rounds interleave the functions, so what
    drift remains (caches, frequency) hits every figure alike.
    """
    times = [[] for _ in fns]
    outs = [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t = time.process_time()
            outs[i] = fn()
            times[i].append(time.process_time() - t)
    return [(min(ts), out) for ts, out in zip(times, outs)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    records = make_records(args.measures)
    gate = gate_model().gate_for(1)
    engine = datalogic_py.Engine()
    compiled = [engine.compile(json.dumps(r)) for r in CRITERIA]

    def bare_dict():
        return sum(1 for rec in records for r in compiled if engine.truthy(json.dumps(r.evaluate(rec))))

    def bare_handle():
        n = 0
        with engine.session() as s:
            for rec in records:
                h = datalogic_py.DataHandle(rec)
                for r in compiled:
                    n += s.evaluate_truthy(r, h)
        return n

    platform = [rules.PlatformFacts(rec) for rec in records]  # as Measure.facts builds them

    def ours():
        return sum(1 for rec in platform if check_gate(gate, rec).passed)

    def ours_outside():
        return sum(1 for rec in records if check_gate(gate, rec).passed)

    (t_dict, _), (t_handle, _), (t_ours, passed), (t_outside, passed_outside) = best(
        [bare_dict, bare_handle, ours, ours_outside], args.repeats)
    assert passed == passed_outside, "platform facts and outside facts must give the same results"
    n = args.measures
    evals = n * len(CRITERIA)
    print(f"gate check over {n:,} measures x {len(CRITERIA)} criteria (best of {args.repeats})")
    print(f"  bare datalogic, Rule.evaluate(dict) per rule : {t_dict:7.3f} s  ({evals / t_dict:,.0f} evals/s)")
    print(f"  bare datalogic, parse once + session         : {t_handle:7.3f} s  ({evals / t_handle:,.0f} evals/s)")
    print(f"  steerco check_gate, platform facts           : {t_ours:7.3f} s  ({n / t_ours:,.0f} measures/s, "
          f"{passed:,} pass)")
    print(f"  steerco check_gate, outside facts (scanned)  : {t_outside:7.3f} s  ({n / t_outside:,.0f} measures/s)")
    print(f"  ratio ours / bare (parse once + session)     : {t_ours / t_handle:5.2f}x   (target <= 3x)")
    print(f"  ratio ours / bare (evaluate dict)            : {t_ours / t_dict:5.2f}x")
    print(f"  outside facts: ratio / bare (parse once)     : {t_outside / t_handle:5.2f}x")
    print(f"  outside facts: ratio / bare (evaluate dict)  : {t_outside / t_dict:5.2f}x")


if __name__ == "__main__":
    main()

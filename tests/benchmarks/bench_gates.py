"""Gate check over 50,000 measures against the bare compiled evaluation of the same rules.

Run: ``python tests/benchmarks/bench_gates.py [--quick] [--measures 50000] [--rounds 5]``.

Goal: ``check_gate`` (a 10-criterion gate: 7 must-meet, 3 should-meet with
weights and a minimum score) over the measures' facts costs at most 1.5x the
floor. The floor is the same engine without the criterion bookkeeping:
``facts_handle`` of each measure's facts, then ``CompiledRule.apply`` of every
criterion on it. Both read platform-built facts (:class:`steerco.rules.PlatformFacts`,
what ``Measure.facts`` returns). The ratio to datalogic-py's compiled
evaluation (facts parsed once per measure, evaluated in a session) is printed
for information, as an outside reference.
"""

from __future__ import annotations

import json
import time

import datalogic_py
from bench_rules import CRITERIA, make_records
from harness import arguments, bench, finish, info, interleaved, note

from steerco import rules
from steerco.domain.gatecheck import check_gate
from steerco.domain.governance import parse_model
from steerco.rules.jsvalues import truthy

GOAL = 1.5


def gate_model():
    must = [{"code": f"c{i}", "label": f"Criterion {i}", "rule": r, "explanation": f"explanation {i}"}
            for i, r in enumerate(CRITERIA[:7])]
    should = [{"code": f"s{i}", "label": f"Should {i}", "rule": r, "weight": i + 1}
              for i, r in enumerate(CRITERIA[7:])]
    return parse_model({"code": "bench", "name": "Bench", "levels": [
        {"doi": 0, "name": "A", "risk_weight": 0}, {"doi": 1, "name": "B", "risk_weight": 100}],
        "gates": [{"doi": 1, "name": "B", "must_meet": must, "should_meet": should, "min_score": 50}]})


def main():
    args = arguments(__doc__.splitlines()[0], measures=50_000)
    facts = [rules.PlatformFacts(rec) for rec in make_records(args.measures)]
    gate = gate_model().gate_for(1)
    compiled = [rules.compile_rule(r) for r in CRITERIA]
    engine = datalogic_py.Engine()
    outside = [engine.compile(json.dumps(r)) for r in CRITERIA]

    def gate_check():
        return sum(1 for f in facts if check_gate(gate, f).passed)

    def floor():
        n = 0
        for f in facts:
            h = rules.facts_handle(f)
            for r in compiled:
                try:
                    n += truthy(r.apply(h))
                except rules.RuleError:  # a data-dependent failure: the check counts it as not met
                    pass
        return n

    def datalogic():
        n = 0
        with engine.session() as s:
            for f in facts:
                h = datalogic_py.DataHandle(f)
                for r in outside:
                    n += s.evaluate_truthy(r, h)
        return n

    # CPU time of this process: the work is in-process, other engineers' load must not count
    t = interleaved({"gate": gate_check, "floor": floor, "datalogic": datalogic}, args.rounds, time.process_time)
    note(f"{args.measures:,} measures x {len(CRITERIA)} criteria, median of {args.rounds} interleaved rounds (CPU): "
         f"check_gate {t['gate'][0]:.3f} s ({t['gate'][1]:,} pass), floor apply {t['floor'][0]:.3f} s, "
         f"datalogic-py {t['datalogic'][0]:.3f} s; truthy results: floor {t['floor'][1]:,}, "
         f"datalogic-py {t['datalogic'][1]:,}")
    bench("gate_check_vs_apply", t["gate"][0] / t["floor"][0], "x", GOAL, strict=False)
    info("gate_check_vs_datalogic", t["gate"][0] / t["datalogic"][0], "x",
         "outside reference: datalogic-py DataHandle + session.evaluate_truthy")
    finish()


if __name__ == "__main__":
    main()

"""The next gate's checklist as a page shows it: every requirement named by its label.

The gate check speaks of fact paths (``fields.go_live_date``, ``sponsor``) because
API clients and rules read them; a person reads "Go-live date (Cost measure)".
"""

from __future__ import annotations

from steerco.domain import fact_catalogue
from steerco.domain.gatecheck import check_gate
from steerco.services.access import visible_measure
from steerco.services.governance.facts import facts_for
from steerco.services.governance.gates import next_gate

_MISSING = " (value missing: "


def fact_labels(uow, model) -> dict[str, str]:
    """Fact path -> label for the measures of ``model`` (a parsed governance model)."""
    types = [mt for mt in uow.measure_types() if mt.model_code == model.code]
    reqs = {e.code: e.label for g in model.gates for e in g.evidence}
    return fact_catalogue.labels(fact_catalogue.catalogue(types, reqs))


def checklist(uow, measure_id: int) -> dict:
    """The next gate's check of a measure the actor may see, for the checklist tab.

    :raises TransitionNotAllowed: the measure is at its last DoI or on hold.
    """
    _actor, measure = visible_measure(uow, measure_id)
    model, gate = next_gate(measure)
    check = check_gate(gate, facts_for(uow, measure))
    known = fact_labels(uow, model)
    results = []
    for r in check.results:
        row = r.as_dict()
        names = [fact_catalogue.label_of(p, known) for p in r.missing]
        if r.kind == "required_field":
            name = fact_catalogue.label_of(r.code.split(":", 1)[1], known)
            row["label"] = f"{name} filled in"
            row["explanation"] = "" if r.passed else f"{name} is required at gate '{gate.name}'"
        elif names:
            row["explanation"] = f"{r.explanation.split(_MISSING, 1)[0]}{_MISSING}{', '.join(names)})"
        results.append(row)
    return {"gate": check.gate, "doi": check.doi, "passed": check.passed, "score": check.score,
            "min_score": check.min_score, "results": results}

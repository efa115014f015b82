"""A fixed portfolio for the pack tests: measures at several gates, values, a review, a risk, a closure candidate."""

from __future__ import annotations

from steerco.services.governance import gates, measures
from steerco.services.value import amounts as value

PEOPLE = {"owner": "alice", "sponsor": "bob", "controller": "carol"}


def measure(store, title, node="PA", potential=100000, **extra) -> int:
    data = {"title": title, "node": node, "type": "cost", **PEOPLE, "potential": potential, "baseline": 10,
            "target": 5, **extra}
    return store.run("admin", lambda uow: measures.create(uow, data).id)


def forecast(store, mid, amounts: dict, version="forecast"):
    def work(uow):
        line = value.add_line(uow, mid, {"category": "savings", "currency": "EUR"}).id
        value.write(uow, mid, [{"line": line, "version": version, "period": p, "amount": a}
                               for p, a in amounts.items()])
    store.run("alice", work)


def change_forecast(store, mid, amounts: dict):
    def work(uow):
        line = value.grid(uow, mid)["lines"][0]["id"]
        value.write(uow, mid, [{"line": line, "version": "forecast", "period": p, "amount": a}
                               for p, a in amounts.items()])
    store.run("alice", work)


BOARD = {
    "code": "board", "name": "Board cases",
    "levels": [{"doi": 0, "name": "Proposed", "risk_weight": 0}, {"doi": 1, "name": "Approved", "risk_weight": 50},
               {"doi": 2, "name": "Delivered", "risk_weight": 100}],
    "baseline_gate": 1,
    "gates": [{"doi": 1, "name": "Committee approval", "type": "budget",
               "approval": {"steps": [{"name": "Steering committee", "roles": ["steering_committee"]}]}},
              {"doi": 2, "name": "Delivered", "type": "closure",
               "approval": {"steps": [{"name": "Controller confirms value", "roles": ["controller"]}]}}],
}


def add_board_model(store) -> None:
    """A second governance model whose first gate the steering committee decides."""
    from steerco.services.configuration import bundle as configuration

    config = {"governance_models": [BOARD],
              "measure_types": [{"code": "board_case", "name": "Board case", "model": "board", "fields": []}]}
    store.run("system", lambda uow: configuration.apply(uow, config) and None)


def build(store) -> dict:
    """Three measures in programme A, one in B, one board case; two submitted to their next gate."""
    add_board_model(store)
    ids = {
        "board": measure(store, "Close the Leeds plant", type="board_case", potential=900000),
        "steel": measure(store, "Consolidate steel suppliers", potential=250000),
        "freight": measure(store, "Freight tender", potential=120000),
        "energy": measure(store, "Energy contracts", potential=80000),
        "b": measure(store, "Shared services in B", node="PB", potential=50000),
    }
    forecast(store, ids["steel"], {"2026-11": "1000", "2026-12": "2000", "2027-01": "500"})
    forecast(store, ids["freight"], {"2026-12": "700"})
    forecast(store, ids["b"], {"2026-12": "300"})
    for key in ("steel", "board"):
        store.run("admin", lambda uow: gates.submit(uow, ids[key]) and None)
    return ids


def kill(store, mid):
    """Submit the measure and let the PMO kill it at its gate."""
    review = store.run("admin", lambda uow: gates.submit(uow, mid).id)
    store.run("pmo", lambda uow: gates.vote(uow, review, "kill", "no business case") and None)

"""Small builders shared by the value tests (plain functions over the services, no state)."""

from steerco.services.governance import measures
from steerco.services.value import amounts as value


def new_measure(store, title="Consolidate steel suppliers", node="PA", owner="alice", measure_type="cost",
                **extra) -> int:
    def work(uow):
        m = measures.create(uow, {"title": title, "node": node, "type": measure_type, "owner": owner})
        measures.update(uow, m.id, {"sponsor": "bob", "controller": "carol", **extra})
        return m.id

    return store.run(owner, work)


def add_line(store, mid, category="savings", currency="EUR", user="alice", **kw) -> int:
    return store.run(user, lambda uow: value.add_line(uow, mid, {"category": category, "currency": currency, **kw}).id)


def put(store, mid, cells, user="alice"):
    return store.run(user, lambda uow: value.write(uow, mid, cells))


def series(line, version, amounts: dict):
    return [{"line": line, "version": version, "period": p, "amount": a} for p, a in amounts.items()]


def grid(store, mid, user="alice"):
    return store.run(user, lambda uow: value.grid(uow, mid), readonly=True)


def projects_model() -> dict:
    """A four-level governance model with its own value rules, beside the default model.

    Its baseline is frozen at "Approved" (DoI 2) and "Delivered" (DoI 3) is its closure gate,
    confirmed by the controller once actuals reach the whole plan over six periods.
    """
    return {
        "code": "projects", "name": "Project gates",
        "levels": [{"doi": 0, "name": "Idea", "risk_weight": 0}, {"doi": 1, "name": "Scoped", "risk_weight": 20},
                   {"doi": 2, "name": "Approved", "risk_weight": 60},
                   {"doi": 3, "name": "Delivered", "risk_weight": 100}],
        "baseline_gate": 2,
        "closure": {"share_of_plan": 100, "periods": 6},
        "gates": [
            {"doi": 1, "name": "Scoped", "approval": {"steps": [{"name": "PMO review", "roles": ["pmo"]}]}},
            {"doi": 2, "name": "Approved", "type": "budget",
             "approval": {"steps": [{"name": "Sponsor approval", "roles": ["sponsor"]}]}},
            {"doi": 3, "name": "Delivered", "type": "closure",
             "must_meet": [{"code": "actuals_reach_plan", "label": "Actuals reach the closure share of plan",
                            "rule": {">=": [{"var": "value.closure_share"}, {"var": "value.closure_required"}]},
                            "explanation": "Actuals must reach the model's closure share of plan."}],
             "approval": {"distinct": [["controller", "owner"]],
                          "steps": [{"name": "Controller confirms value", "roles": ["controller"]}]}},
        ],
    }


def add_projects_model(store, model: dict | None = None) -> None:
    """Apply :func:`projects_model` (or ``model``) and a measure type ``project`` on it."""
    from steerco.services.configuration import bundle as configuration

    model = model or projects_model()
    config = {"governance_models": [model],
              "measure_types": [{"code": "project", "name": "Project", "model": model["code"], "fields": []}]}
    store.run("system", lambda uow: configuration.apply(uow, config) and None)


def at_doi(store, mid, doi) -> None:
    """Put a measure at ``doi`` by hand, as if its earlier gates had been passed."""
    def work(uow):
        uow.measure(mid).doi = doi
    store.run("system", work)

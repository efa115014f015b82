"""Fixtures of the 'rights' tests: a model whose first gate routes by value and people to delegate to."""

import pytest
from api.conftest import app  # noqa: F401  (the app fixture of the API tests)

from conftest import default_config
from steerco.services.configuration import bundle as configuration
from steerco.services.governance import measures
from steerco.services.rights import people

SPONSOR_THEN_CFO = {"steps": [
    {"name": "Sponsor approval", "roles": ["sponsor"], "mode": "any"},
    {"name": "CFO approval", "roles": ["cfo"], "mode": "any", "condition": {">": [{"var": "potential"}, 1000000]}},
]}


def with_first_gate(store, approval: dict, sla: dict | None = None):
    """Publish a new version of the default model whose first gate has ``approval`` (and ``sla``)."""
    data = default_config()
    gate = data["governance_models"][0]["gates"][0]
    gate["approval"] = approval
    if sla is not None:
        gate["sla"] = sla
    store.run("system", lambda uow: configuration.apply(uow, data).as_dict())


def ready_measure(store, potential=400000, **extra) -> int:
    data = {"title": "Consolidate steel suppliers", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
            "controller": "carol", "potential": potential, "baseline": 2000000, "target": 1600000, **extra}
    return store.run("admin", lambda uow: measures.create(uow, data).id)


@pytest.fixture
def routed(portfolio):
    """The portfolio with gate 1 approved by the sponsor, then the CFO above 1 M; plus dave, a deputy."""
    with_first_gate(portfolio, SPONSOR_THEN_CFO)
    portfolio.run("system", lambda uow: people.add_user(uow, "dave", email="dave@example.test") and None)
    return portfolio


@pytest.fixture
def api(app, routed):
    """The API client of tests/api, with a login for dave too."""
    from api.conftest import Api

    from steerco_admin.accounts import ensure_login

    ensure_login(app, "dave", "dave-pw")
    return Api(app.test_client())

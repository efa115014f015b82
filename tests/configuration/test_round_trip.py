"""A configuration carried to an empty instance behaves the same: same export, same checklists."""

import yaml
from conftest import USERS
from steerco.services.configuration import bundle as configuration
from steerco.services.configuration import export
from steerco.services.governance import gates, measures
from steerco.services.rights import people

PORTFOLIO = [
    {"title": "Bare idea", "node": "PA", "type": "cost", "owner": "alice"},
    {"title": "Ready to be identified", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
     "controller": "carol", "potential": 400000, "baseline": 2000000, "target": 1600000},
    {"title": "Revenue, no target", "node": "PB", "type": "growth", "owner": "alice", "sponsor": "bob",
     "potential": 90000, "baseline": 10},
    {"title": "Zero potential", "node": "PA", "type": "cost", "owner": "alice", "sponsor": "bob",
     "controller": "carol", "potential": 0, "baseline": 5, "target": 4, "description": "Footprint",
     "fields": {"lever": "footprint"}},
]


def _export(store) -> str:
    return store.run("admin", lambda uow: export.dump(export.export(uow, with_nodes=True)), readonly=True)


def _checklists(store) -> list:
    ids = [store.run("admin", lambda uow, m=m: measures.create(uow, m).id) for m in PORTFOLIO]
    out = []
    for mid in ids:
        check = store.run("admin", lambda uow, mid=mid: gates.check(uow, mid))
        out.append((check.gate, check.passed, check.score,
                    [(r.code, r.kind, r.passed, r.explanation) for r in check.results]))
    return out


def test_export_apply_to_an_empty_instance_export_again_is_identical(configured, other_store):
    first = _export(configured)
    report = other_store.run("system", lambda uow: configuration.apply(uow, yaml.safe_load(first)).as_dict())
    assert {"governance model doi-default v1", "governance model doi-default v2"} <= set(report["created"]
                                                                                         + report["updated"])
    assert _export(other_store) == first


def test_the_same_portfolio_gets_the_same_checklists_on_both_instances(configured, other_store):
    other_store.run("system", lambda uow: configuration.apply(uow, yaml.safe_load(_export(configured))))
    for name, roles in USERS.items():
        other_store.run("system", lambda uow, name=name, roles=roles: people.add_user(uow, name, roles=roles) and None)
    here, there = _checklists(configured), _checklists(other_store)
    assert here == there
    assert {passed for _, passed, _, _ in here} == {True, False}

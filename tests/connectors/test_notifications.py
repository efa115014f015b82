"""Post-commit notifications from the services: plugins hear of changes, and cannot break them."""

from steerco import hookimpl
from steerco.plugins.manager import make_plugin_manager
from steerco.services.governance import gates, measures


class Recorder:
    def __init__(self):
        self.calls = []

    @hookimpl
    def steerco_on_measure_created(self, measure, actor):
        self.calls.append(("created", measure["code"], actor))

    @hookimpl
    def steerco_on_review_submitted(self, review, measure, actor):
        self.calls.append(("submitted", measure["code"], actor))

    @hookimpl
    def steerco_on_gate_decided(self, review, measure, actor):
        self.calls.append(("decided", review["decision"], measure["doi"], actor))


class Exploding:
    @hookimpl
    def steerco_on_gate_decided(self, review, measure, actor):
        raise RuntimeError("this plugin is broken")

    @hookimpl
    def steerco_on_measure_created(self, measure, actor):
        raise RuntimeError("this plugin is broken")


def test_gate_journey_notifies_after_commit_and_survives_a_broken_plugin(portfolio):
    recorder = Recorder()
    portfolio.plugins = make_plugin_manager(entrypoints=False, plugins=[Exploding(), recorder])
    mid = portfolio.run("admin", lambda uow: measures.create(uow, {
        "title": "Consolidate steel suppliers", "node": "PA", "type": "cost", "owner": "alice"}).id)
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {
        "sponsor": "bob", "controller": "carol", "potential": 400000, "baseline": 2000000,
        "target": 1600000}) and None)
    rid = portfolio.run("admin", lambda uow: gates.submit(uow, mid).id)
    status = portfolio.run("pmo", lambda uow: gates.vote(uow, rid, "go", "fine").status)
    assert status == "decided"
    assert portfolio.run("admin", lambda uow: measures.get(uow, mid).doi, readonly=True) == 1
    assert recorder.calls == [("created", "M-0001", "admin"), ("submitted", "M-0001", "admin"),
                              ("decided", "go", 1, "pmo")]


def test_nothing_is_notified_when_the_transaction_fails(portfolio):
    recorder = Recorder()
    portfolio.plugins = make_plugin_manager(entrypoints=False, plugins=[recorder])
    try:
        portfolio.run("admin", lambda uow: measures.create(uow, {"title": "x", "node": "PA", "type": "cost"})
                      and 1 / 0)
    except ZeroDivisionError:
        pass
    assert recorder.calls == []

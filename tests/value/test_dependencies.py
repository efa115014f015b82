"""Dependencies: the configured rule shows as a failed criterion with its explanation."""

import pytest

from steerco.domain.errors import ValidationFailed
from steerco.services.governance import dependencies, evidence, gates, measures
from value.helpers import add_line, new_measure, put, series


def test_successor_cannot_pass_decided_until_predecessor_is_implemented(portfolio):
    pred = new_measure(portfolio, "New ERP")
    succ = new_measure(portfolio, "Automated invoice matching")
    pred_code = portfolio.run("admin", lambda uow: uow.measure(pred).code, readonly=True)
    portfolio.run("alice", lambda uow: dependencies.add(uow, succ, {"predecessor": pred_code,
                                                                    "description": "needs the ERP"}) and None)
    portfolio.run("alice", lambda uow: dependencies.add(uow, succ, {"external": "Works council consent"}) and None)
    with pytest.raises(ValidationFailed, match="cycle"):
        succ_code = portfolio.run("admin", lambda uow: uow.measure(succ).code, readonly=True)
        portfolio.run("alice", lambda uow: dependencies.add(uow, pred, {"predecessor": succ_code}))

    def at(uow, mid, doi):
        uow.measure(mid).doi = doi
    portfolio.run("system", lambda uow: at(uow, succ, 2))
    line = add_line(portfolio, succ)
    put(portfolio, succ, series(line, "plan", {"2027-01": "10"}) + series(line, "forecast", {"2027-01": "10"}))

    def prepare(uow):
        measures.update(uow, succ, {"fields": {"go_live_date": "2027-06-30"}})
        evidence.attach_link(uow, succ, "approval_recommendation", "https://sp.example/rec", "Recommendation")
    portfolio.run("alice", prepare)
    check = portfolio.run("alice", lambda uow: gates.check(uow, succ), readonly=True)
    failed = {f.criterion: f.explanation for f in check.failed}
    assert list(failed) == ["predecessors_implemented"] and "Implemented" in failed["predecessors_implemented"]
    listing = portfolio.run("alice", lambda uow: dependencies.listing(uow, succ), readonly=True)
    assert [d["blocking"] for d in listing] == [True, False]
    portfolio.run("system", lambda uow: at(uow, pred, 4))
    assert portfolio.run("alice", lambda uow: gates.check(uow, succ).passed, readonly=True)


def test_risk_owner_and_status(portfolio):
    from steerco.services.governance import risks

    mid = new_measure(portfolio)
    rid = portfolio.run("alice", lambda uow: measures.add_risk(uow, mid, {"title": "Supplier insolvency",
                                                                          "probability": 4, "impact": 4}).id)
    out = portfolio.run("alice", lambda uow: risks.update(uow, mid, rid, {"owner": "bob", "status": "mitigating",
                                                                          "mitigation": "second source"}))
    assert (out["owner"], out["status"], out["score"]) == ("bob", "mitigating", 16)
    with pytest.raises(ValidationFailed):
        portfolio.run("alice", lambda uow: risks.update(uow, mid, rid, {"impact": 9}))
    assert portfolio.run("alice", lambda uow: risks.listing(uow, mid), readonly=True)[0]["owner"] == "bob"

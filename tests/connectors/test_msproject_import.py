"""Importing MS Project plans as a measure's milestones (SQLite and PostgreSQL)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from steerco.domain.errors import NotFound, PermissionDenied
from steerco.domain.schedule import PlanRejected
from steerco.plugins.connector import SyncContext
from steerco.services.governance import audit, measures
from steerco.services.integration import connectors
from steerco.services.value import changes, status
from steerco_msproject.connector import MSProjectConnector
from steerco_msproject.imports import current, import_file
from support.mspdi import T, programme, project_xml

TODAY = date(2026, 11, 2)


@pytest.fixture
def measure(portfolio):
    def work(uow):
        m = measures.create(uow, {"title": "Supplier consolidation", "node": "PA", "type": "cost"})
        uow.flush()
        measures.add_milestone(uow, m.id, "Steering committee briefed", "2026-12-01")
        return m.id
    return portfolio.run("alice", work)


def rows(store, measure_id):
    def work(uow):
        return [(m.title, m.source, m.due_date, m.baseline_due, m.done_on, m.percent_complete, m.removed_on)
                for m in uow.measure(measure_id).milestones]
    return store.run("system", work, readonly=True)


def plan_import(store, measure_id, tasks, who="alice", name="plan.xml", **kw):
    return import_file(store, who, measure_id, project_xml(tasks), name, **kw)


def test_milestones_come_with_baseline_planned_actual_dates_and_progress(portfolio, measure):
    result = plan_import(portfolio, measure, programme(TODAY))
    assert result["counts"] == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}
    assert (result["title"], result["filename"], result["imported_by"]) == ("Supplier programme", "plan.xml", "alice")
    assert rows(portfolio, measure) == [
        ("Steering committee briefed", "steerco", date(2026, 12, 1), None, None, None, None),
        ("Suppliers shortlisted", "msproject", date(2026, 10, 5), date(2026, 10, 3), date(2026, 10, 5), 100, None),
        ("Contracts signed", "msproject", date(2026, 11, 22), date(2026, 11, 7), None, 0, None),
        ("Go-live", "msproject", date(2027, 1, 31), date(2027, 1, 31), None, 0, None)]
    shown = current(portfolio, "bob", measure)
    assert shown["application"].startswith("Microsoft Project 2016 or later") and shown["tasks"] == 7


def test_a_slip_past_its_baseline_turns_implementation_status_and_asks_for_one_change_request(portfolio, measure):
    result = plan_import(portfolio, measure, programme(TODAY))
    st = portfolio.run("alice", lambda uow: status.statuses(uow, measure), readonly=True)
    assert st["implementation"]["status"] == "delayed"
    assert "slipping against the baseline, the most by 15 days" in st["implementation"]["why"]
    crs = portfolio.run("alice", lambda uow: changes.of_measure(uow, measure), readonly=True)
    assert [c["id"] for c in crs] == [result["change_request"]]
    assert crs[0]["kind"] == "timing" and crs[0]["title"] == "Schedule slip: Contracts signed"
    assert "Contracts signed: 15 days behind baseline 0" in crs[0]["reason"] and crs[0]["status"] == "pending"
    # the same plan again: nothing changes and nothing new is asked
    again = plan_import(portfolio, measure, programme(TODAY))
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 3, "removed": 0}
    assert again["change_request"] is None
    # slipping further asks again
    later = [replace(t, finish=t.finish + timedelta(days=5)) if t.uid == 4 else t for t in programme(TODAY)]
    assert plan_import(portfolio, measure, later)["change_request"] not in (None, result["change_request"])


def test_reimport_updates_by_uid_and_marks_tasks_gone_from_the_plan_removed(portfolio, measure):
    plan_import(portfolio, measure, programme(TODAY))
    moved = [replace(t, name="Contracts signed (all)", finish=TODAY + timedelta(days=8)) if t.uid == 4 else t
             for t in programme(TODAY) if t.uid != 6]
    result = plan_import(portfolio, measure, moved)
    assert result["counts"] == {"created": 0, "updated": 1, "unchanged": 1, "removed": 1}
    got = rows(portfolio, measure)
    assert len(got) == 4 and got[2][:3] == ("Contracts signed (all)", "msproject", TODAY + timedelta(days=8))
    assert got[3][0] == "Go-live" and got[3][6] == TODAY
    facts = portfolio.run("alice", lambda uow: [m["title"] for m in uow.measure(measure).facts(
        TODAY, milestones=uow.measure(measure).milestones)["milestones"]], readonly=True)
    assert "Go-live" not in facts and len(facts) == 3
    back = plan_import(portfolio, measure, programme(TODAY))
    assert back["counts"]["updated"] == 2 and rows(portfolio, measure)[3][6] is None
    trail = portfolio.run("alice", lambda uow: [e["action"] for e in audit.measure_trail(uow, measure)["events"]],
                          readonly=True)
    assert "milestone.removed" in trail and "milestone.restored" in trail and trail.count("plan.imported") == 3


def test_a_damaged_file_changes_nothing(portfolio, measure):
    plan_import(portfolio, measure, programme(TODAY))
    before = (rows(portfolio, measure), current(portfolio, "alice", measure))
    damaged = project_xml([T(1, "Kick-off", TODAY, TODAY, milestone=True)]).replace(b"</Tasks>", b"</Task>")
    with pytest.raises(PlanRejected, match="not well-formed XML at line"):
        import_file(portfolio, "alice", measure, damaged, "plan.xml")
    assert (rows(portfolio, measure), current(portfolio, "alice", measure)) == before


def test_only_editors_of_the_measure_import(portfolio, measure):
    with pytest.raises(PermissionDenied):
        plan_import(portfolio, measure, programme(TODAY), who="sam")
    with pytest.raises(NotFound):
        plan_import(portfolio, measure, programme(TODAY), who="pmo_b")
    assert len(rows(portfolio, measure)) == 1


def test_options_summary_tasks_and_baseline_and_a_sync_applies_stored_plans_again(portfolio, measure):
    plan_import(portfolio, measure, programme(TODAY))
    import steerco_msproject
    from steerco.plugins.manager import make_plugin_manager

    pm = make_plugin_manager(entrypoints=False, plugins=[steerco_msproject])
    portfolio.run("admin", lambda uow: connectors.save_config(
        uow, pm, "msproject", "msproject", {"summary_tasks": True, "baseline": 1, "slip_threshold_days": None}))
    run = connectors.run_sync(portfolio, pm, "msproject")
    assert run["status"] == "succeeded"
    assert run["counts"] == {"created": 2, "updated": 3, "unchanged": 0, "removed": 0}
    got = {r[0]: r for r in rows(portfolio, measure)}
    assert got["Phase 1: Sourcing"][3] is None and got["Contracts signed"][3] == date(2026, 11, 17)
    assert connectors.run_sync(portfolio, pm, "msproject")["counts"]["updated"] == 0


def test_the_connector_declares_itself_and_validates_its_options():
    from steerco.domain.errors import ValidationFailed

    MSProjectConnector.check_declaration()
    with pytest.raises(ValidationFailed) as e:
        MSProjectConnector.load_settings({"baseline": 11})
    assert "settings.baseline" in e.value.errors
    assert MSProjectConnector(MSProjectConnector.load_settings({})).options.slip_threshold_days == 10
    assert SyncContext  # the sync runs through the connectors' run log (see the options test)


def test_the_vendors_files_import_as_milestones(portfolio, measure):
    from support import shared

    sample = shared.require("vendor-samples", "msproject", "sample.xml").read_bytes()
    result = import_file(portfolio, "alice", measure, sample, "sample.xml")
    assert result["counts"]["created"] == 1 and result["title"] == "sample"
    assert rows(portfolio, measure)[1][:3] == ("Third task", "msproject", date(2003, 1, 7))
    baselines = shared.require("vendor-samples", "msproject", "baselines.xml").read_bytes()
    result = import_file(portfolio, "alice", measure, baselines, "baselines.xml")
    # the plan has no milestone: the earlier plan's milestone is marked removed, the odd baselines are warned about
    assert result["counts"] == {"created": 0, "updated": 0, "unchanged": 0, "removed": 1}
    assert len(result["warnings"]) == 10 and "finishes (2000-01-01) before it starts" in result["warnings"][0]

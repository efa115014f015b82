"""Reading MSPDI (MS Project's XML): files the tests write, unsafe and damaged ones, and the vendor's real files."""

from datetime import date

import pytest

from steerco.domain.schedule import Plan, PlanOptions, PlanRejected, PlanTask, as_milestones, slip_days, slipped_beyond
from steerco_msproject.mspdi import read_mspdi
from support import shared
from support.mspdi import BOMB, XXE, T, programme, project_xml

TODAY = date(2026, 11, 2)


def test_milestones_summary_tasks_baselines_and_progress_are_read():
    plan = read_mspdi(project_xml(programme(TODAY)))
    assert plan.title == "Supplier programme"
    assert plan.application == "Microsoft Project 2016 or later XML (SaveVersion 14, build 16.0.10730.20102)"
    by_uid = {t.uid: t for t in plan.tasks}
    assert by_uid["0"].outline_level == 0 and by_uid["0"].summary
    done = by_uid["3"]
    assert (done.milestone, done.percent_complete, done.actual_finish) == (True, 100, date(2026, 10, 5))
    slipping = by_uid["4"]
    assert slipping.finish == date(2026, 11, 22)
    assert slipping.baseline(0) == (date(2026, 11, 7), date(2026, 11, 7))
    assert slipping.baseline(1) == (date(2026, 11, 17), date(2026, 11, 17))
    assert slipping.baseline(2) == (None, None)
    assert by_uid["1"].summary and not by_uid["1"].milestone


def test_which_tasks_become_milestones_is_configurable():
    plan = read_mspdi(project_xml(programme(TODAY)))
    assert [t.uid for t in as_milestones(plan, PlanOptions())] == ["3", "4", "6"]
    # the project summary task (UID 0) is the plan itself, never a milestone
    assert [t.uid for t in as_milestones(plan, PlanOptions(summary_tasks=True))] == ["1", "3", "4", "5", "6"]


def test_blank_inactive_and_external_tasks_are_not_part_of_the_plan():
    xml = project_xml([T(1, "Kept", TODAY, TODAY, milestone=True), T(2, "Inactive", TODAY, TODAY, milestone=True,
                                                                        active=False)])
    xml = xml.replace(b"<Tasks>", b"<Tasks><Task><UID>9</UID><ID>9</ID><IsNull>1</IsNull></Task>", 1)
    assert [t.uid for t in read_mspdi(xml).tasks] == ["0", "1"]


def test_the_compact_form_kept_with_an_import_gives_the_same_task_back():
    from dataclasses import replace

    for task in read_mspdi(project_xml(programme(TODAY))).tasks:
        assert PlanTask.from_json(task.as_json()) == replace(task, line=None)


@pytest.mark.parametrize("payload, entity", [(BOMB, "lol"), (XXE, "secret")], ids=["billion-laughs", "external-entity"])
def test_xml_bombs_and_external_entities_are_refused_naming_the_entity_and_line(payload, entity):
    with pytest.raises(PlanRejected) as e:
        read_mspdi(payload)
    assert e.value.code == "unsafe_xml"
    assert f"declares the XML entity '{entity}'" in e.value.message
    assert e.value.problems[0]["line"] in (2, 3)
    assert "nothing was imported" in e.value.message


def test_a_damaged_file_is_refused_with_its_line_and_column():
    xml = project_xml(programme(TODAY))
    cut = xml[:xml.index(b"<Name>Contracts signed")] + b"<Name>Contracts signed</Nam></Task></Tasks></Project>"
    with pytest.raises(PlanRejected) as e:
        read_mspdi(cut)
    line = cut[:cut.index(b"</Nam>")].count(b"\n") + 1
    assert e.value.code == "not_mspdi"
    assert e.value.problems[0]["line"] == line
    assert f"not well-formed XML at line {line}, column" in e.value.message and "mismatched tag" in e.value.message


def test_values_mspdi_does_not_allow_are_listed_with_task_and_line():
    tasks = programme(TODAY)
    xml = project_xml(tasks).replace(b"<PercentComplete>100</PercentComplete>", b"<PercentComplete>150</PercentComplete>")
    xml = xml.replace(b"<Finish>2026-11-22T17:00:00</Finish>", b"<Finish>2026-11-31T17:00:00</Finish>", 1)
    with pytest.raises(PlanRejected) as e:
        read_mspdi(xml)
    problems = e.value.problems
    lines = xml.decode().splitlines()
    assert [p["task"] for p in problems] == ["1", "2", "3"]
    for p in problems:
        assert f"<UID>{p['task']}</UID>" in lines[p["line"] - 1]
    assert "Finish '2026-11-31T17:00:00' is not a date" in problems[0]["problem"]
    assert "PercentComplete '150'" in problems[1]["problem"] and "PercentComplete '150'" in problems[2]["problem"]


def test_a_uid_used_twice_is_refused():
    xml = project_xml([T(5, "A", TODAY, TODAY, milestone=True), T(5, "B", TODAY, TODAY, milestone=True)])
    with pytest.raises(PlanRejected, match="UID 5 is used by another task too"):
        read_mspdi(xml)


def test_other_xml_is_not_taken_for_a_plan():
    with pytest.raises(PlanRejected, match=r"root element is <html>.*File → Save As → XML"):
        read_mspdi(b"<html><body>plan</body></html>")


def test_slip_is_measured_against_the_baseline_and_reported_once():
    assert slip_days(date(2026, 11, 7), date(2026, 11, 22), None) == 15
    assert slip_days(date(2026, 11, 7), date(2026, 11, 22), date(2026, 11, 5)) == -2
    assert slip_days(None, date(2026, 11, 22), None) is None
    slips = [("4", "Contracts signed", 15), ("6", "Go-live", 3)]
    assert slipped_beyond(slips, 10, {}) == [("4", "Contracts signed", 15)]
    assert slipped_beyond(slips, 10, {"4": 15}) == []
    assert slipped_beyond([("4", "Contracts signed", 20)], 10, {"4": 15}) == [("4", "Contracts signed", 20)]


# -- the vendor's files: saved by Microsoft Project 2002-2019 --------------------------------------------------

def vendor(name: str) -> Plan:
    return read_mspdi(shared.require("vendor-samples", "msproject", name).read_bytes())


def test_vendor_project_2003_file_with_summary_tasks_and_a_milestone():
    plan = vendor("sample.xml")
    assert plan.title == "sample" and "no version recorded" in plan.application
    assert len(plan.tasks) == 20
    assert [(t.uid, t.name) for t in as_milestones(plan, PlanOptions())] == [("3", "Third task")]
    summaries = [t.uid for t in as_milestones(plan, PlanOptions(summary_tasks=True)) if t.summary]
    assert summaries == ["1", "6", "19"]


def test_vendor_baselines_1_to_10_with_finish_before_start_are_read_and_warned_about():
    plan = vendor("baselines.xml")
    task = next(t for t in plan.tasks if t.uid == "1")
    assert sorted(task.baselines) == list(range(1, 11))
    assert task.baseline(10) == (date(2001, 1, 10), date(2000, 1, 10))
    assert len(plan.warnings) == 10 and "baseline 1 finishes (2000-01-01) before it starts (2001-01-01)" in plan.warnings[0]


def test_vendor_project_2010_percent_complete_and_baseline_0():
    plan = vendor("mspdiassignmentfields.xml")
    task = next(t for t in plan.tasks if t.uid == "1")
    assert (task.percent_complete, task.actual_start) == (6, date(2011, 7, 6))
    assert task.baseline(0) == (None, date(2011, 7, 11))
    assert plan.application == "Microsoft Project XML (SaveVersion 14)"


def test_vendor_project_2019_percent_complete_and_actual_start():
    plan = vendor("assignment-assignments-project2019-mspdi.xml")
    assert "2016 or later" in plan.application and "16.0.10730.20102" in plan.application
    assert [(t.uid, t.percent_complete, t.actual_start) for t in plan.tasks if t.outline_level] == [
        ("1", 0, None), ("2", 25, date(2016, 1, 4)), ("3", 50, date(2016, 1, 4))]
    assert as_milestones(plan, PlanOptions(summary_tasks=True)) == []


def test_the_cycle_collector_resumes_after_the_last_parse_and_stays_off_if_it_was_off():
    import gc

    from steerco_msproject.mspdi import gc_paused

    assert gc.isenabled()
    with gc_paused:
        with gc_paused:
            assert not gc.isenabled()
        assert not gc.isenabled()  # an outer parse is still running
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused:
            read_mspdi(project_xml(programme(TODAY)))
        assert not gc.isenabled()
    finally:
        gc.enable()

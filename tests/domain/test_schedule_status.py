"""Implementation Status reads slips against the baseline and ignores milestones removed from their plan."""

from datetime import date

from steerco.domain.measure import Milestone
from steerco.domain.status import implementation_status

TODAY = date(2026, 11, 2)


def ms(due, baseline=None, done=None, removed=None):
    m = Milestone("m", due)
    m.baseline_due, m.done_on, m.removed_on = baseline, done, removed
    return m


def test_a_milestone_slipping_past_its_baseline_delays_before_it_is_overdue():
    status, why = implementation_status([ms(date(2026, 12, 20), baseline=date(2026, 12, 1))], TODAY, 7, 30)
    assert status == "delayed" and "slipping against the baseline, the most by 19 days" in why
    assert implementation_status([ms(date(2026, 12, 20), baseline=date(2026, 11, 1))], TODAY, 7, 30)[0] == "critical"


def test_a_small_slip_within_the_tolerance_stays_on_track_and_says_so():
    status, why = implementation_status([ms(date(2026, 12, 5), baseline=date(2026, 12, 1))], TODAY, 7, 30)
    assert status == "on_track" and "by 4 days (within 7 days)" in why


def test_the_worse_of_overdue_and_slip_counts():
    late = ms(date(2026, 10, 20), baseline=date(2026, 10, 18))
    status, why = implementation_status([late], TODAY, 7, 30)
    assert status == "delayed" and "overdue, the oldest by 13 days" in why


def test_done_and_removed_milestones_do_not_slip_the_status():
    done_late = ms(date(2026, 10, 1), baseline=date(2026, 8, 1), done=date(2026, 10, 1))
    removed = ms(date(2026, 12, 31), baseline=date(2026, 1, 1), removed=date(2026, 11, 1))
    open_ok = ms(date(2026, 12, 1), baseline=date(2026, 12, 1))
    assert implementation_status([done_late, removed, open_ok], TODAY, 7, 30) == ("on_track", "no milestone overdue")
    assert implementation_status([done_late, removed], TODAY, 7, 30) == ("completed", "all 1 milestones done")


def test_slip_days_of_a_milestone():
    assert ms(date(2026, 12, 5), baseline=date(2026, 12, 1)).slip_days == 4
    assert ms(date(2026, 12, 5), baseline=date(2026, 12, 1), done=date(2026, 11, 30)).slip_days == -1
    assert ms(date(2026, 12, 5)).slip_days is None

"""Plugins hear of value changes once committed: figures, grid amounts and imported actuals."""

import pytest

from steerco import hookimpl
from steerco.domain.errors import ValidationFailed
from steerco.plugins.manager import make_plugin_manager
from steerco.services.governance import measures
from steerco.services.value import actuals
from value.helpers import add_line, new_measure, put, series


class Listener:
    def __init__(self):
        self.calls = []

    @hookimpl
    def steerco_on_value_changed(self, measure, changes, actor):
        self.calls.append((measure["code"], changes, actor))


def _listen(store):
    listener = Listener()
    store.plugins = make_plugin_manager(entrypoints=False, plugins=[listener])
    return listener


def test_figures_and_amounts_are_reported_with_before_and_after(portfolio):
    mid = new_measure(portfolio, potential=100000)
    line = add_line(portfolio, mid)
    heard = _listen(portfolio)
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"potential": 120000, "title": "Steel"}) and None)
    put(portfolio, mid, series(line, "plan", {"2026-11": "10.00", "2026-12": "20.00"}))
    put(portfolio, mid, series(line, "plan", {"2026-11": "10.00", "2026-12": None}))
    assert heard.calls == [
        ("M-0001", {"potential": ["100000.00", "120000.00"]}, "alice"),
        ("M-0001", {"amounts": [
            {"line": line, "version": "plan", "period": "2026-11", "before": None, "after": "10.00"},
            {"line": line, "version": "plan", "period": "2026-12", "before": None, "after": "20.00"}]}, "alice"),
        ("M-0001", {"amounts": [
            {"line": line, "version": "plan", "period": "2026-12", "before": "20.00", "after": None}]}, "alice"),
    ]


def test_edits_without_value_figures_and_failed_writes_say_nothing(portfolio):
    mid = new_measure(portfolio)
    line = add_line(portfolio, mid)
    heard = _listen(portfolio)
    portfolio.run("alice", lambda uow: measures.update(uow, mid, {"title": "Only the title"}) and None)
    with pytest.raises(ValidationFailed):
        put(portfolio, mid, [*series(line, "plan", {"2026-11": "1"}), *series(line, "plan", {"2026-13": "2"})])
    assert heard.calls == []


def test_an_import_reports_each_measure_it_changed_once(portfolio):
    first, second = new_measure(portfolio), new_measure(portfolio, title="Second")
    add_line(portfolio, first)
    add_line(portfolio, second)
    heard = _listen(portfolio)
    data = b"measure,category,period,amount\nM-0001,savings,2026-10,5\nM-0001,savings,2026-11,7\n" \
           b"M-0002,savings,2026-11,9\n"
    portfolio.run("carol", lambda uow: actuals.import_file(uow, data, "a.csv"))
    assert [(code, len(ch["amounts"]), actor) for code, ch, actor in heard.calls] == [
        ("M-0001", 2, "carol"), ("M-0002", 1, "carol")]
    assert heard.calls[1][1]["amounts"][0] | {"line": 0} == {
        "line": 0, "version": "actual", "period": "2026-11", "before": None, "after": "9.00"}
    heard.calls.clear()
    portfolio.run("carol", lambda uow: actuals.import_file(uow, data, "a.csv"))
    assert heard.calls == []

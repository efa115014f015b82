"""Tell plugins that a measure's value changed (``steerco_on_value_changed``), after the commit.

Three places change value figures: the measure's own figures (potential,
baseline, target, currency), the value grid (including approved change
requests) and imports of actuals. All of them report the same shape, so a
plugin (a Power BI push, a finance mirror) handles one hook.
"""

from __future__ import annotations

from steerco.plugins.manager import notify_after_commit, subscribed
from steerco.services.views import measure_view

HOOK = "steerco_on_value_changed"
FIGURES = ("potential", "baseline", "target", "currency")


def figures_changed(uow, measure, diff: dict) -> None:
    """:param diff: ``{field: (before, after)}`` of a measure update; non-value fields are ignored."""
    changes = {k: [_text(b), _text(a)] for k, (b, a) in diff.items() if k in FIGURES}
    if changes:
        _queue(uow, measure, changes)


def amounts_changed(uow, measure, cells) -> None:
    """:param cells: ``[(line, version, period, before, after)]`` with text amounts (None = no amount)."""
    if cells:
        _queue(uow, measure, {"amounts": [{"line": ln, "version": ver, "period": p, "before": b, "after": a}
                                          for ln, ver, p, b, a in cells]})


def actuals_imported(uow, cells_by_measure: dict) -> None:
    """One notification per measure an import changed.

    The measure views are built before the commit: an import can touch
    thousands of measures, and loading each one lazily after the commit would
    cost a query per measure. Nothing is built when no plugin listens.
    """
    if not subscribed(uow, HOOK):
        return
    for measure_id, cells in sorted(cells_by_measure.items()):
        view = measure_view(uow.measure(measure_id))
        changes = {"amounts": [{"line": ln, "version": "actual", "period": p, "before": b, "after": a}
                               for ln, p, b, a in cells]}
        notify_after_commit(uow, HOOK, lambda view=view, changes=changes: {
            "measure": view, "changes": changes, "actor": uow.actor})


def _queue(uow, measure, changes: dict) -> None:
    notify_after_commit(uow, HOOK, lambda: {"measure": measure_view(measure), "changes": changes,
                                            "actor": uow.actor})


def _text(v):
    return None if v is None else str(v)

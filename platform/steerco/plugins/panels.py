"""What a plugin adds to the measure page (see ``steerco_register_measure_panels``)."""

from __future__ import annotations

from typing import Callable, NamedTuple


class MeasurePanel(NamedTuple):
    """A block in a tab of the measure page.

    :ivar tab: the tab's key: details, checklist, evidence, reviews, plan, value, changes, dependencies, history.
    :ivar template: the Jinja template rendering it; it gets ``panel`` (what ``data`` returned), ``m`` and ``ui``.
    :ivar data: ``data(uow, measure_id) -> dict``, run in the page's read-only unit of work.
    """

    tab: str
    template: str
    data: Callable


def measure_panels(pm) -> list[MeasurePanel]:
    """Every plugin's panels, in registration order."""
    if pm is None:
        return []
    out = []
    for found in pm.hook.steerco_register_measure_panels():
        out.extend(found or ())
    return out


def web_views(pm) -> list:
    """Every plugin's API and page classes."""
    if pm is None:
        return []
    return [cls for found in pm.hook.steerco_register_web_views() for cls in (found or ())]

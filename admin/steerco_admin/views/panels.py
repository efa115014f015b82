"""Plugins' blocks on the measure page and their routes (hooks ``steerco_register_measure_panels``, ``..._web_views``)."""

from __future__ import annotations

import logging

from flask import current_app
from flask_appbuilder.api import BaseApi

from steerco.plugins.panels import measure_panels, web_views

log = logging.getLogger(__name__)


def register_plugin_views(appbuilder, pm) -> None:
    """APIs under /api/v1 (in the OpenAPI), pages without a menu entry."""
    for cls in web_views(pm):
        if issubclass(cls, BaseApi):
            appbuilder.add_api(cls)
        else:
            appbuilder.add_view_no_menu(cls)


def for_measure(uow, measure_id: int) -> list[dict]:
    """``[{tab, template, data}]`` of every plugin panel, for the page being shown.

    A panel whose data fails is left out and logged: a plugin never takes the measure page down.
    """
    out = []
    for p in measure_panels(current_app.extensions.get("steerco.plugins")):
        try:
            out.append({"tab": p.tab, "template": p.template, "data": p.data(uow, measure_id)})
        except Exception:  # a plugin's bug costs its own block only
            log.exception("measure panel %s failed for measure %s", p.template, measure_id)
    return out

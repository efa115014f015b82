"""Plugins' blocks on the measure page and their routes (hooks ``steerco_register_measure_panels``, ``..._web_views``)."""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import BaseApi

from steerco.plugins.panels import measure_panels, web_views


def register_plugin_views(appbuilder, pm) -> None:
    """APIs under /api/v1 (in the OpenAPI), pages without a menu entry."""
    for cls in web_views(pm):
        if issubclass(cls, BaseApi):
            appbuilder.add_api(cls)
        else:
            appbuilder.add_view_no_menu(cls)


def for_measure(uow, measure_id: int) -> list[dict]:
    """``[{tab, template, data}]`` of every plugin panel, for the page being shown."""
    pm = current_app.extensions.get("steerco.plugins")
    return [{"tab": p.tab, "template": p.template, "data": p.data(uow, measure_id)} for p in measure_panels(pm)]

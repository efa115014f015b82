"""Steerco's own pages (FAB BaseViews) and the menu shown on every page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, url_for
from flask_login import current_user
from steerco.domain import rights

from steerco_admin.views.base import store


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    endpoint: str
    prefix: str


WORK = (MenuItem("inbox", "Inbox", "InboxView.index", "/inbox"),
        MenuItem("measures", "Measures", "MeasuresView.index", "/measures"),
        MenuItem("dashboard", "Dashboard", "DashboardView.index", "/dashboard"),
        MenuItem("cycle", "Monthly cycle", "CycleView.index", "/cycle"))
CONFIGURE = (MenuItem("models", "Governance", "GovernanceView.index", "/governance"),
             MenuItem("types", "Measure types", "TypesView.index", "/types"),
             MenuItem("hierarchy", "Hierarchy & roles", "HierarchyView.index", "/hierarchy"),
             MenuItem("people", "People", "PeopleView.index", "/people"),
             MenuItem("bundles", "Bundles", "BundlesView.index", "/configuration"))
ADMINISTER = (MenuItem("connectors", "Connectors", "ConnectorsPage.index", "/connectors"),)


def register_views(appbuilder) -> None:
    from steerco_admin.views.dashboard import DashboardView
    from steerco_admin.views.governance import GovernanceView
    from steerco_admin.views.hierarchy import HierarchyView
    from steerco_admin.views.inbox import InboxView
    from steerco_admin.views.types import TypesView
    from steerco_admin.views.workspace import MeasuresView

    for view in (InboxView, MeasuresView, DashboardView, GovernanceView, TypesView, HierarchyView):
        appbuilder.add_view_no_menu(view)
    from steerco_admin.views.measure_changes import MeasureChangesView
    from steerco_admin.views.measure_links import MeasureLinksView
    from steerco_admin.views.measure_status import MeasureStatusView
    from steerco_admin.views.measure_value import MeasureValueView

    for view in (MeasureValueView, MeasureStatusView, MeasureChangesView, MeasureLinksView):
        appbuilder.add_view_no_menu(view)
    from steerco_admin.views.bundles import BundlesView
    from steerco_admin.views.connectors import ConnectorSetupView
    from steerco_admin.views.cycle import CycleView
    from steerco_admin.views.exports import ExportsView
    from steerco_admin.views.measure_documents import MeasureDocumentsView

    for view in (ExportsView, BundlesView, MeasureDocumentsView, ConnectorSetupView, CycleView):
        appbuilder.add_view_no_menu(view)
    from steerco_admin.views.people import AccountView, PeopleView

    for view in (PeopleView, AccountView):
        appbuilder.add_view_no_menu(view)
    current_app.context_processor(lambda: {"steerco_menu": menu})
    current_app.jinja_env.filters["web_link"] = web_link


def web_link(url) -> str:
    """A link from stored or connector data as an ``href``: http(s) only, so a ``javascript:`` address a remote
    system (or an old record) holds is never a live link."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else "#"


def may_configure() -> bool:
    """Whether the logged-in user configures Steerco (admin or consultant); once per request."""
    if "steerco_configures" not in g:
        def work(uow):
            user = uow.user(current_user.username)
            return (bool(user and rights.can_configure(user)), bool(user and user.is_admin))
        g.steerco_configures, g.steerco_administers = (current_user.is_authenticated and store().run(
            current_user.username, work, readonly=True)) or (False, False)
    return g.steerco_configures


def menu() -> list[dict]:
    items = WORK + (CONFIGURE if may_configure() else ()) + (ADMINISTER if g.get("steerco_administers") else ())
    return [{"key": i.key, "label": i.label, "url": url_for(i.endpoint), "prefix": i.prefix} for i in items]

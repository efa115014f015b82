"""The index: logged-in users land on their inbox, visitors on the login page."""

from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import IndexView, expose

from steerco_admin.views.base import login_required


class HomeView(IndexView):
    @expose("/")
    @login_required
    def index(self):
        return redirect(url_for("InboxView.index"))

"""The status cards' posts: override a derived status with a reason, or clear the override."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import SteercoError, ValidationFailed
from steerco.services.value import status
from steerco_admin.views.base import Page, login_required, run
from steerco_admin.views.measure_tabs import refused, render_measure
from steerco_admin.views.workspace import TABS


class MeasureStatusView(Page):
    route_base = "/measures"

    @expose("/<int:measure_id>/status/<kind>", methods=["POST"])
    @login_required
    def override_status(self, measure_id, kind):
        f = request.form
        tab = f.get("tab") if f.get("tab") in TABS else "details"
        clear = f.get("clear") == "1"
        chosen = None if clear else (f.get("status") or "")
        reason = f.get("reason", "")
        try:
            run(lambda uow: status.override(uow, measure_id, kind, chosen, reason) and None)
        except ValidationFailed as e:
            typed = {f"{kind}.status": chosen or "", f"{kind}.reason": reason}
            return render_measure(self, measure_id, tab, typed=typed,
                                  tab_errors={f"{kind}.{k}": v for k, v in e.errors.items()}, open_override=kind)
        except SteercoError as e:
            return refused(e, url_for("MeasuresView.show", measure_id=measure_id, tab=tab))
        flash("Override cleared: the derived status applies again." if clear else "Status overridden.", "success")
        return redirect(url_for("MeasuresView.show", measure_id=measure_id, tab=tab))

"""Downloads of the measure list as CSV or Excel, with the list's filters and the reader's scope."""

from __future__ import annotations

from flask import request
from flask_appbuilder import expose

from steerco.domain.errors import ValidationFailed
from steerco.services.reporting import reports
from steerco_admin.exports import FORMATS, download
from steerco_admin.views.base import Page, login_required, run


class ExportsView(Page):
    route_base = "/exports"
    default_view = "measures"

    @expose("/measures.<fmt>")
    @login_required
    def measures(self, fmt):
        """:raises ValidationFailed: an unknown format or DoI (shown as a 422 page naming it)."""
        if fmt not in FORMATS:
            raise ValidationFailed({"format": [f"one of {', '.join(FORMATS)}, not {fmt!r}"]})
        args = request.args
        doi = args.get("doi") or None
        if doi is not None and not doi.isdigit():
            raise ValidationFailed({"doi": [f"a whole number, not {doi!r}"]})
        def work(uow):
            rows = reports.measure_rows(uow, q=args.get("q") or None, node=args.get("node") or None,
                                        doi=None if doi is None else int(doi), mine=args.get("mine") == "1",
                                        model=args.get("model") or None, with_fields=True)
            return rows, reports.columns(uow, rows)
        rows, (columns, numeric) = run(work, readonly=True)
        return download(fmt, "measures", columns, rows, numeric)

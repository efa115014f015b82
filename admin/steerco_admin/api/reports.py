"""/api/v1/reports: flat reports for BI tools (Power BI, Excel) and exports."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose

from steerco.domain.errors import ValidationFailed
from steerco.services.reporting import reports
from steerco_admin.api.base import SteercoApi, actor, authenticated, int_arg, store
from steerco_admin.exports import FORMATS, download


class ReportApi(SteercoApi):
    resource_name = "reports"
    openapi_spec_tag = "Reports"

    @expose("/measures", methods=["GET"])
    @authenticated
    def measures(self):
        """One row per measure you may see: gate, statuses, people, value totals in the reporting currency.
        ---
        get:
          summary: The measure report (JSON for Power BI, CSV or Excel)
          description: >
            In Power BI: Get data → Web → Advanced, URL `…/api/v1/reports/measures`, header
            `Authorization: Bearer <token>` (from POST /api/v1/security/login); or Power Query
            `Json.Document(Web.Contents(url, [Headers=[Authorization="Bearer " & token]]))[rows]`.
          parameters:
          - {in: query, name: format, schema: {type: string, enum: [json, csv, xlsx], default: json}}
          - {in: query, name: q, schema: {type: string}, description: part of a code or title}
          - {in: query, name: node, schema: {type: string}, description: a node code; its subtree}
          - {in: query, name: doi, schema: {type: integer}}
          - {in: query, name: mine, schema: {type: boolean}, description: only measures you own, sponsor or control}
          responses:
            200: {description: "json: {columns, rows, count}; csv and xlsx: a file with the same columns"}
            422: {description: an unknown format or a bad filter, named}
            404: {description: no such node}
        """
        fmt = request.args.get("format", "json")
        if fmt not in ("json", *FORMATS):
            raise ValidationFailed({"format": [f"one of json, {', '.join(FORMATS)}, not {fmt!r}"]})
        doi = int_arg("doi", -1, lo=0, hi=99) if request.args.get("doi") else None
        mine = request.args.get("mine", "").lower() in ("1", "true", "yes")
        rows = store().run(actor(), lambda uow: reports.measure_rows(
            uow, q=request.args.get("q") or None, node=request.args.get("node") or None, doi=doi, mine=mine),
            readonly=True)
        if fmt == "json":
            return self.response(200, columns=list(reports.COLUMNS), rows=rows, count=len(rows))
        return download(fmt, "measures", reports.COLUMNS, rows, reports.NUMERIC)


APIS = (ReportApi,)

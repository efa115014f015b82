"""/api/v1/value: value grid and lines, roll-up, period locks, FX rates, actuals import (issue 4).

Statuses, change requests, comparisons, dependencies and risks are in value_changes.py.
"""

from __future__ import annotations

import json

from flask import request
from flask_appbuilder.api import expose

from steerco.domain.errors import ValidationFailed
from steerco.services.value import actuals, rollup
from steerco.services.value import amounts as value
from steerco.services.value import locks as value_locks
from steerco.services.value import configure as value_configure
from steerco_admin.api import schemas_value as sv
from steerco_admin.api import value_changes
from steerco_admin.api.base import SteercoApi, authenticated, body, int_arg, precondition


class ValueApi(SteercoApi):
    resource_name = "value"
    openapi_spec_tag = "Value"

    # -- grid -----------------------------------------------------------------
    @expose("/measures/<int:measure_id>/grid", methods=["GET"])
    @authenticated
    def get_grid(self, measure_id):
        """The value grid: lines, amounts per version and period, totals in the reporting currency.
        ---
        get:
          summary: Read the value grid
          responses:
            200:
              description: "lines with amounts {version: {period: amount}}, totals, locked periods; 'version'
                (also the ETag) is the grid's, to send back when writing it or adding a line"
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            404: {description: no such measure (or not visible to you)}
        """
        return self.run_versioned(lambda uow: value.grid(uow, measure_id), readonly=True)

    @expose("/measures/<int:measure_id>/grid", methods=["PUT"])
    @authenticated
    def put_grid(self, measure_id):
        """Set amounts; all or nothing. Amount null removes a cell.
        ---
        put:
          summary: Write the value grid
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    version: {type: integer, description: "the grid's version you read (or If-Match)"}
                    cells:
                      type: array
                      items:
                        type: object
                        properties:
                          line: {type: integer}
                          version: {type: string, enum: [plan, forecast, actual]}
                          period: {type: string, example: "2027-01"}
                          amount: {type: string, example: "125000.50", nullable: true}
          responses:
            200: {description: the grid after the write, with how many cells changed}
            403: {description: "reason segregation_of_duties: actual cells from the measure's owner"}
            409:
              description: "a locked period (period_locked, with periods), a closed measure (value_read_only),
                or the grid changed since the version you sent (stale_update: who, when, both versions)"
            422: {description: "problems per cell: cells[i].field"}
            428: {$ref: '#/components/responses/PreconditionRequired'}
        """
        data = body(sv.GridIn())
        sent = precondition(data)

        def work(uow):
            out = value.write(uow, measure_id, data["cells"], expected_version=sent)
            return {**value.grid(uow, measure_id), **out}

        return self.run_versioned(work)

    @expose("/measures/<int:measure_id>/lines", methods=["POST"])
    @authenticated
    def add_line(self, measure_id):
        """Add a value line.
        ---
        post:
          summary: Add a value line
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    category: {type: string, example: savings}
                    currency: {type: string, example: EUR}
                    title: {type: string}
                    cost_centre: {type: string}
                    account: {type: string}
                    wbs: {type: string}
                    version: {type: integer, description: "the grid's version you read (or If-Match)"}
          responses:
            201: {description: the line}
            409: {$ref: '#/components/responses/StaleUpdate'}
            422: {description: unknown category or bad currency}
            428: {$ref: '#/components/responses/PreconditionRequired'}
        """
        data = body(sv.LineIn())
        sent = precondition(data)
        return self.run(lambda uow: value.add_line(uow, measure_id, data, expected_version=sent).as_dict(),
                        status=201)

    # -- portfolio ------------------------------------------------------------
    @expose("/rollup", methods=["GET"])
    @authenticated
    def rollup(self):
        """Roll-up of a node's subtree by child node x DoI x category, in the reporting currency.
        ---
        get:
          summary: Portfolio roll-up
          parameters:
          - {in: query, name: node, required: true, schema: {type: string}}
          - {in: query, name: fiscal_year, schema: {type: integer}}
          - {in: query, name: from, schema: {type: string, example: "2027-01"}}
          - {in: query, name: to, schema: {type: string, example: "2027-12"}}
          responses:
            200: {description: "totals and rows: plan, forecast, actual, baseline, risk_adjusted, committed, realized, value_at_risk"}
            404: {description: no such node (or not visible to you)}
        """
        node = request.args.get("node")
        if not node:
            raise ValidationFailed({"node": ["required: the code of the subtree's root"]})
        fy = int_arg("fiscal_year", 0, lo=1900, hi=3000) if request.args.get("fiscal_year") else None
        first, last = request.args.get("from") or None, request.args.get("to") or None
        return self.run(lambda uow: rollup.rollup(uow, node, fiscal_year=fy, first=first, last=last), readonly=True)

    @expose("/locks", methods=["GET"])
    @authenticated
    def list_locks(self):
        """Period locks: global ones, or those that apply to a measure (?measure_id=).
        ---
        get:
          summary: List period locks
          parameters: [{in: query, name: measure_id, schema: {type: integer}}]
          responses:
            200: {description: the locks}
        """
        mid = int_arg("measure_id", 0, lo=1) if request.args.get("measure_id") else None
        return self.run(lambda uow: {"result": value_locks.locks(uow, mid)}, readonly=True)

    @expose("/locks", methods=["POST"])
    @authenticated
    def lock(self):
        """The controller's sign-off of a period, for one measure (measure_id) or for all.
        ---
        post:
          summary: Lock a period
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    period: {type: string, example: "2027-01"}
                    measure_id: {type: integer}
                    reason: {type: string}
          responses:
            201: {description: the lock}
            403: {description: "not a controller of the measure (or organisation-wide for a global lock); reason segregation_of_duties: the measure's owner, or for a global lock the owner of any open measure"}
            409: {description: already locked}
        """
        data = body(sv.LockIn())
        return self.run(lambda uow: value_locks.lock_period(uow, data.get("period"), data.get("measure_id"),
                                                           data.get("reason") or "").as_dict(), status=201)

    @expose("/fx-rates", methods=["PUT"])
    @authenticated
    def fx_rates(self):
        """Set FX rates to the reporting currency per period.
        ---
        put:
          summary: Set FX rates
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    rates:
                      type: array
                      items: {type: object, properties: {currency: {type: string}, period: {type: string}, rate: {type: string}}}
          responses:
            200: {description: how many rates changed}
            403: {description: admin or organisation-wide controller only}
        """
        rates = body().get("rates")
        return self.run(lambda uow: {"changed": value_configure.set_fx_rates(uow, rates)})

    @expose("/actuals/import", methods=["POST"])
    @authenticated
    def import_actuals(self):
        """Import actuals from a CSV or XLSX file; all or nothing, idempotent.
        ---
        post:
          summary: Import actuals
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    file: {type: string, format: binary}
                    mapping: {type: string, description: 'JSON object: file column -> measure|category|cost_centre|account|period|amount|currency'}
                    dry_run: {type: boolean}
          responses:
            200: {description: "counts: rows, amounts, inserted, updated, unchanged, measures, repeat"}
            403: {description: "reason segregation_of_duties with rows [{row, measure}]: rows book to measures you own; nothing was written"}
            413: {description: "the file is larger than STEERCO_MAX_UPLOAD_MB"}
            415: {description: "unsupported_media_type: not a .csv or .xlsx file"}
            422: {description: "import_rejected: problems [{row, column, problem}]; nothing was written"}
        """
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed({"file": ["attach the file in a form field named 'file'"]})
        try:
            mapping = json.loads(request.form.get("mapping") or "{}")
        except ValueError:
            raise ValidationFailed({"mapping": ["a JSON object"]}) from None
        if not isinstance(mapping, dict):
            raise ValidationFailed({"mapping": ["a JSON object"]})
        dry = (request.form.get("dry_run") or "").lower() in ("1", "true", "yes")
        data, name = upload.read(), upload.filename or "upload.csv"
        return self.run(lambda uow: actuals.import_file(uow, data, name, mapping=mapping, dry_run=dry))


APIS: tuple = (ValueApi, *value_changes.APIS)

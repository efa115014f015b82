"""REST endpoints of ERP connectors (SAP...): the reconciliation and what the last reads could not book."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose

from steerco.services.value import reconciliation
from steerco_admin.api.base import SteercoApi, authenticated, int_arg


class ErpApi(SteercoApi):
    resource_name = "connectors"
    openapi_spec_tag = "Connectors"

    @expose("/<name>/reconciliation", methods=["GET"])
    @authenticated
    def reconciliation(self, name):
        """ERP total vs Steerco actual per node, measure and period, with the difference and the ERP keys behind it.
        ---
        get:
          summary: Reconcile an ERP connector's totals with Steerco's actuals (controllers, PMO, admins)
          parameters:
          - {in: query, name: period, schema: {type: string, example: "2026-11"}, description: one period (YYYY-MM)}
          - {in: query, name: node, schema: {type: string}, description: a node code; its subtree}
          - {in: query, name: differences, schema: {type: boolean, default: false},
             description: only rows outside the connector's tolerance}
          - {in: query, name: limit, schema: {type: integer, default: 1000, maximum: 10000}}
          responses:
            200: {description: "rows (node, measure, period, erp, steerco, difference, reconciled, keys, held),
              totals per node and period, the unmapped and held records, the periods read"}
            403: {description: not a controller, PMO or admin}
            404: {description: no such connector configuration or node}
            422: {description: a period that is not YYYY-MM, or a limit out of range}
        """
        period, node = request.args.get("period") or None, request.args.get("node") or None
        only = request.args.get("differences", "").lower() in ("1", "true", "yes")
        limit = int_arg("limit", 1000, lo=1, hi=reconciliation.MAX_ROWS)
        return self.run(lambda uow: reconciliation.report(uow, name, period=period, node=node,
                                                          differences_only=only, limit=limit), readonly=True)

    @expose("/<name>/exceptions", methods=["GET"])
    @authenticated
    def exceptions(self, name):
        """What the last read of each period could not book: unmapped keys and held amounts, with the reason.
        ---
        get:
          summary: Unmapped and held ERP amounts (controllers, PMO, admins)
          parameters:
          - {in: query, name: period, schema: {type: string, example: "2026-11"}}
          - {in: query, name: limit, schema: {type: integer, default: 1000, maximum: 10000}}
          responses:
            200: {description: "one entry per record: period, kind (unmapped or held), keys, measure, currency,
              amount, problem"}
            403: {description: not a controller, PMO or admin}
            404: {description: no such connector configuration}
        """
        period = request.args.get("period") or None
        limit = int_arg("limit", 1000, lo=1, hi=reconciliation.MAX_ROWS)
        return self.run(lambda uow: {"result": reconciliation.unbooked(uow, name, period, limit)}, readonly=True)

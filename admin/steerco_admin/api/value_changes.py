"""/api/v1/value: statuses, change requests, baseline comparison, dependencies and risks (issue 4)."""

from __future__ import annotations

from flask_appbuilder.api import expose

from steerco.services.governance import dependencies, risks
from steerco.services.value import changes, status
from steerco_admin.api import schemas_value as sv
from steerco_admin.api.base import SteercoApi, authenticated, body, precondition


class ValueChangeApi(SteercoApi):
    """The second half of /api/v1/value: what changes a measure's value or judges it."""

    resource_name = "value"
    openapi_spec_tag = "Value"

    # -- statuses -------------------------------------------------------------
    @expose("/measures/<int:measure_id>/statuses", methods=["GET"])
    @authenticated
    def statuses(self, measure_id):
        """Implementation and Potential Status, derived and effective, with history.
        ---
        get:
          summary: Statuses with history
          responses:
            200: {description: "implementation, potential ({status, derived, why, override}) and history"}
        """
        return self.run(lambda uow: status.statuses(uow, measure_id), readonly=True)

    @expose("/measures/<int:measure_id>/statuses/<kind>", methods=["PUT"])
    @authenticated
    def override(self, measure_id, kind):
        """Override a status with a reason (status null clears the override).
        ---
        put:
          summary: Override a status
          parameters:
          - {in: path, name: kind, required: true, schema: {type: string, enum: [implementation, potential]}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    status: {type: string, nullable: true}
                    reason: {type: string}
          responses:
            200: {description: both statuses now}
            403: {description: only sponsor, controller or PMO judge a status}
            422: {description: unknown status or no reason}
        """
        data = body(sv.StatusOverrideIn())
        return self.run(lambda uow: status.override(uow, measure_id, kind, data.get("status"),
                                                    data.get("reason") or ""))

    # -- change requests and comparison ---------------------------------------
    @expose("/measures/<int:measure_id>/change-requests", methods=["GET"])
    @authenticated
    def list_changes(self, measure_id):
        """Change requests of a measure.
        ---
        get:
          summary: List change requests
          responses:
            200: {description: the change requests, oldest first}
        """
        return self.run(lambda uow: {"result": changes.of_measure(uow, measure_id)}, readonly=True)

    @expose("/measures/<int:measure_id>/change-requests", methods=["POST"])
    @authenticated
    def request_change(self, measure_id):
        """Request a change of plan through the change gate.
        ---
        post:
          summary: Request a change
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    kind: {type: string, enum: [scope, cost, timing, value]}
                    title: {type: string}
                    reason: {type: string}
                    changes:
                      type: array
                      items: {type: object, properties: {line: {type: integer}, period: {type: string}, amount: {type: string}}}
          responses:
            201: {description: the change request}
            422: {description: per field}
        """
        data = body(sv.ChangeRequestIn())
        return self.run(lambda uow: changes.request(uow, measure_id, data).as_dict(), status=201)

    @expose("/change-requests/<int:change_id>/decision", methods=["POST"])
    @authenticated
    def decide_change(self, change_id):
        """Approve or reject a change request at its current step.
        ---
        post:
          summary: Decide a change request
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    decision: {type: string, enum: [approve, reject]}
                    comment: {type: string}
          responses:
            200: {description: the change request; approved at the last step it is a new plan revision}
            403: {description: not an approver of this step, or the requester}
            409: {description: already decided}
        """
        data = body(sv.ChangeDecisionIn())
        return self.run(lambda uow: changes.decide(uow, change_id, data.get("decision"),
                                                   data.get("comment") or "").as_dict())

    @expose("/measures/<int:measure_id>/comparison", methods=["GET"])
    @authenticated
    def comparison(self, measure_id):
        """Baseline against current plan, per period, with the plan revisions.
        ---
        get:
          summary: Baseline vs current plan of a measure
          responses:
            200: {description: periods and totals with the delta}
        """
        return self.run(lambda uow: changes.comparison(uow, measure_id), readonly=True)

    @expose("/nodes/<node>/comparison", methods=["GET"])
    @authenticated
    def node_comparison(self, node):
        """Baseline against current plan for a node's subtree, by child node x DoI x category.
        ---
        get:
          summary: Baseline vs current plan of a node
          responses:
            200: {description: rows and totals with the delta}
        """
        return self.run(lambda uow: changes.node_comparison(uow, node), readonly=True)

    # -- dependencies ---------------------------------------------------------
    @expose("/measures/<int:measure_id>/dependencies", methods=["GET"])
    @authenticated
    def list_dependencies(self, measure_id):
        """Dependencies of a measure, each with whether it blocks the next gate.
        ---
        get:
          summary: List dependencies
          responses:
            200: {description: the dependencies}
        """
        return self.run(lambda uow: {"result": dependencies.listing(uow, measure_id)}, readonly=True)

    @expose("/measures/<int:measure_id>/dependencies", methods=["POST"])
    @authenticated
    def add_dependency(self, measure_id):
        """Add a dependency on a predecessor measure (its code) or on something external.
        ---
        post:
          summary: Add a dependency
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    predecessor: {type: string, example: M-0001}
                    external: {type: string}
                    description: {type: string}
          responses:
            201: {description: the dependency}
            422: {description: unknown predecessor, a cycle, or neither given}
        """
        data = body()

        def work(uow):
            d = dependencies.add(uow, measure_id, data)
            return {"id": d.id, **d.facts()}

        return self.run(work, status=201)

    # -- risks ----------------------------------------------------------------
    @expose("/measures/<int:measure_id>/risks", methods=["GET"])
    @authenticated
    def list_risks(self, measure_id):
        """Risks of a measure with owner and status.
        ---
        get:
          summary: List risks
          responses:
            200: {description: the risks}
        """
        return self.run(lambda uow: {"result": risks.listing(uow, measure_id)}, readonly=True)

    @expose("/measures/<int:measure_id>/risks/<int:risk_id>", methods=["PUT"])
    @authenticated
    def update_risk(self, measure_id, risk_id):
        """Change a risk's owner, status, mitigation, probability or impact.
        ---
        put:
          summary: Update a risk
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    owner: {type: string}
                    status: {type: string, enum: [open, mitigating, closed, occurred]}
                    mitigation: {type: string}
                    probability: {type: integer, minimum: 1, maximum: 5}
                    impact: {type: integer, minimum: 1, maximum: 5}
                    version: {type: integer, description: "the risk's version you read (or If-Match)"}
          responses:
            200:
              description: the risk
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            409: {$ref: '#/components/responses/StaleUpdate'}
            422: {description: per field}
            428: {$ref: '#/components/responses/PreconditionRequired'}
        """
        data = body()
        sent = precondition(data)
        return self.run_versioned(lambda uow: risks.update(uow, measure_id, risk_id, data, expected_version=sent))


APIS: tuple = (ValueChangeApi,)

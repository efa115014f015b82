"""/api/v1/ui: JSON endpoints behind the configuration pages (draft saving, rule test, impact preview).

Like every endpoint, they accept a bearer token, or the browser session together
with the page's CSRF token in ``X-CSRFToken`` (steerco_admin.api.base.authenticated).
"""

from __future__ import annotations

from flask_appbuilder.api import expose

from steerco.services.configuration import drafts, preview, rule_checks
from steerco_admin.api import schemas_value as sv
from steerco_admin.api.base import SteercoApi, authenticated, body, precondition


class UiApi(SteercoApi):
    resource_name = "ui"
    openapi_spec_tag = "Configuration UI"

    @expose("/models/<code>/draft", methods=["PUT"])
    @authenticated
    def save_draft(self, code):
        """Save the draft of a governance model (it may be incomplete).
        ---
        put:
          summary: Save a model draft
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    definition: {type: object}
                    version: {type: integer, description: "the draft's version you read (0: no draft was open)"}
          responses:
            200:
              description: "saved; 'problem' says what would stop publication (null if none), 'warnings'
                the fields no measure type of the model has yet; 'version' (also the ETag) the draft's"
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            403: {description: not an admin or consultant}
            409: {$ref: '#/components/responses/StaleUpdate'}
            422: {description: "refused: 'problems' lists each criterion reading a path no measure can have"}
            428: {$ref: '#/components/responses/PreconditionRequired'}
        """
        data = body()
        sent = precondition(data)
        return self.run_versioned(lambda uow: drafts.save_draft(uow, code, data.get("definition"),
                                                                expected_version=sent))

    @expose("/rules/check", methods=["POST"])
    @authenticated
    def check_rule(self):
        """Validate a rule (the expert tab), and what it reads against what measures of the model have.
        ---
        post:
          summary: Validate a rule
          requestBody: {content: {application/json: {schema: {type: object, properties: {rule: {},
            model: {type: string, description: "the governance model; omitted, custom fields are not judged"},
            gate: {type: string}, criterion: {type: string}}}}}}
          responses:
            200: {description: "ok, the fact paths it reads, the problem (null when ok), errors and warnings
              (each with location, path and problem)"}
            403: {description: not an admin or consultant}
        """
        data = body()
        model, gate, criterion = (data.get(k) if isinstance(data.get(k), str) else None
                                  for k in ("model", "gate", "criterion"))
        return self.run(lambda uow: rule_checks.check_rule(uow, data.get("rule"), model, gate, criterion),
                        readonly=True)

    @expose("/rules/test", methods=["POST"])
    @authenticated
    def test_rule(self):
        """Test a rule against one measure.
        ---
        post:
          summary: Test a rule on a measure
          requestBody: {content: {application/json: {schema: {type: object, properties: {rule: {}, measure: {type: string}}}}}}
          responses:
            200: {description: "passed, the missing values, and warnings about fields no measure type has yet"}
            422: {description: "bad rule, a rule reading what no measure of the measure's model can have,
              or unknown measure"}
        """
        data = body()
        return self.run(lambda uow: preview.test_rule(uow, data.get("rule"), str(data.get("measure") or "")),
                        readonly=True)

    @expose("/models/<code>/impact", methods=["POST"])
    @authenticated
    def impact(self, code):
        """Impact of a drafted gate on the measures that face it next.
        ---
        post:
          summary: Impact preview
          description: "definition: the model as edited; omitted, the saved draft (or the latest version)."
          requestBody: {content: {application/json: {schema: {type: object, properties: {definition: {type: object}, doi: {type: integer}}}}}}
          responses:
            200: {description: "pass/fail counts now and with the draft, per criterion (criteria), and every
              measure whose gate or criterion result changes (changed)"}
            422: {description: the draft does not validate}
        """
        data = body(sv.ImpactIn())
        return self.run(lambda uow: preview.impact(uow, code, data.get("definition"), data["doi"]), readonly=True)


APIS: tuple = (UiApi,)

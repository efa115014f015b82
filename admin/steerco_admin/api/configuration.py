"""/api/v1/configuration: export, diff and apply configuration bundles (what ``steerco config`` does)."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_appbuilder.api import expose
from marshmallow import Schema, fields
from steerco.domain.errors import UnsupportedFile
from steerco.services.configuration import exchange
from steerco.services.configuration import migrate_measures as migration

from steerco_admin.api.base import SteercoApi, actor, authenticated, body, store


class ConfigurationApi(SteercoApi):
    resource_name = "configuration"
    openapi_spec_tag = "Configuration bundles"

    @expose("/export", methods=["GET"])
    @authenticated
    def export(self):
        """The whole configuration as one YAML bundle.
        ---
        get:
          summary: Export the configuration
          parameters:
            - {in: query, name: with_nodes, schema: {type: boolean}, description: include the hierarchy's nodes}
            - {in: query, name: with_people, schema: {type: boolean}, description: include the people and their
               roles (no passwords)}
          responses:
            200: {description: "the bundle (application/yaml): keys sorted, named by codes, secrets never
              included, only the names of their environment variables", content: {application/yaml: {}}}
            403: {description: not an admin or consultant}
        """
        with_nodes = request.args.get("with_nodes") in ("1", "true", "yes")
        with_people = request.args.get("with_people") in ("1", "true", "yes")
        text = store().run(actor(), lambda uow: exchange.export_text(uow, with_nodes=with_nodes,
                                                                     with_people=with_people), readonly=True)
        return Response(text, mimetype="application/yaml",
                        headers={"Content-Disposition": "attachment; filename=steerco-config.yaml"})

    @expose("/diff", methods=["POST"])
    @authenticated
    def diff(self):
        """What differs between two bundles, by object and field.
        ---
        post:
          summary: Compare two bundles
          requestBody: {content: {application/json: {schema: {type: object, properties: {
            before: {type: string, description: "YAML text of a bundle, or 'live' for this instance"},
            after: {type: string, description: "YAML text of a bundle, or 'live' for this instance"},
            with_nodes: {type: boolean}, with_people: {type: boolean}}}}}}
          responses:
            200: {description: "changes: [{object, where, change: added|removed|changed, what, text}]"}
            403: {description: not an admin or consultant}
            415: {description: "unsupported_media_type: not sent as application/json"}
            422: {description: "a side is not a bundle (not YAML, not a mapping), naming which"}
        """
        data = _bundle_body()
        return self.run(lambda uow: {"changes": exchange.compare(uow, data.get("before", exchange.LIVE),
                                                                 data.get("after"),
                                                                 with_nodes=bool(data.get("with_nodes")),
                                                                 with_people=bool(data.get("with_people")))},
                        readonly=True)

    @expose("/apply", methods=["POST"])
    @authenticated
    def apply(self):
        """Apply a bundle, all or nothing (or only say what would change).
        ---
        post:
          summary: Apply a bundle
          requestBody: {content: {application/json: {schema: {type: object, required: [bundle], properties: {
            bundle: {type: string, description: YAML text of the bundle},
            name: {type: string, description: "the file name, recorded in the audit trail with the SHA-256"},
            dry_run: {type: boolean, description: check and report what would change; apply nothing}}}}}}
          responses:
            200: {description: "created, updated, unchanged, warnings, sha256, dry_run"}
            403: {description: not an admin or consultant}
            413: {description: "the bundle is larger than STEERCO_MAX_UPLOAD_MB"}
            415: {description: "unsupported_media_type: not sent as application/json"}
            422: {description: "refused, nothing applied: 'problems' lists each with its location (path in the
              bundle, and in words) and problem"}
        """
        data = _bundle_body()
        name = data.get("name") if isinstance(data.get("name"), str) else "bundle.yaml"
        return jsonify(exchange.apply_text(store(), actor(), data.get("bundle"), name=name[:200],
                                           dry_run=bool(data.get("dry_run"))))

    @expose("/migrations/preview", methods=["POST"])
    @authenticated
    def migration_preview(self):
        """What moving measures to another version of their model would do, per measure.
        ---
        post:
          summary: Preview moving measures to a model version
          requestBody: {content: {application/json: {schema: {type: object, required: [model, version], properties: {
            model: {type: string}, version: {type: integer},
            measures: {type: array, items: {type: string}, description: "measure codes; omitted: the filter"},
            node: {type: string, description: every measure of the model under this node}, doi: {type: integer}}}}}}
          responses:
            200: {description: "measures: [{measure, from_version, doi, level {from, to}, renamed, gate,
              newly_failing, withdrawn_review, blocked}]"}
            403: {description: not an admin}
            404: {description: no such model version, measure or node}
        """
        data = body(MigrationSchema(partial=("reason",)))
        return self.run(lambda uow: migration.preview(uow, data["model"], data["version"],
                                                      codes=data.get("measures") or None, node=data.get("node"),
                                                      doi=data.get("doi")), readonly=True)

    @expose("/migrations", methods=["POST"])
    @authenticated
    def migrate(self):
        """Move measures to another version of their model, all or none, with a reason.
        ---
        post:
          summary: Move measures to a model version
          requestBody: {content: {application/json: {schema: {type: object, required: [model, version, measures,
            reason], properties: {model: {type: string}, version: {type: integer},
            measures: {type: array, items: {type: string}}, reason: {type: string}}}}}}
          responses:
            200: {description: "moved: the measure codes; measures: the plan of each (open reviews withdrawn)"}
            403: {description: not an admin}
            422: {description: "no reason, or measures that cannot move (each named); nothing moved"}
        """
        data = body(MigrationSchema())
        return self.run(lambda uow: migration.migrate(uow, data["model"], data["version"], data.get("measures") or [],
                                                      data.get("reason", "")))


class MigrationSchema(Schema):
    model = fields.String(required=True)
    version = fields.Integer(required=True, strict=True)
    measures = fields.List(fields.String())
    node = fields.String()
    doi = fields.Integer(strict=True)
    reason = fields.String(required=True)


APIS: tuple = (ConfigurationApi,)


def _bundle_body() -> dict:
    """A bundle comes as the YAML text inside a JSON object; any other kind of body is refused (415)."""
    if not request.is_json:
        raise UnsupportedFile(f"send the bundle as JSON {{\"bundle\": \"<YAML text>\"}} with Content-Type: "
                              f"application/json, not {request.mimetype or 'no content type'}")
    return body()

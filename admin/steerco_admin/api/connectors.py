"""REST endpoints of the 'connectors' area: plugins, connector configurations, syncs and their run log."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_appbuilder.api import expose

from steerco.domain.errors import ValidationFailed
from steerco.plugins.manager import plugin_infos
from steerco.services.integration import connectors as svc
from steerco.services.integration import remote_evidence, work_items
from steerco.services.integration.connector_settings import save_checked
from steerco_admin.api import schemas_value as sv
from steerco_admin.api.base import SteercoApi, actor, authenticated, body, etag, int_arg, precondition, store
from steerco_admin.api.connectors_erp import ErpApi
from steerco_admin.api.connectors_pages import ConnectorsPage
from steerco_admin.api.connectors_triggers import TriggerApi
from steerco_admin.jobs import enqueue_sync


def plugins():
    return current_app.extensions["steerco.plugins"]


class ConnectorApi(SteercoApi):
    resource_name = "connectors"
    openapi_spec_tag = "Connectors"

    @expose("/plugins", methods=["GET"])
    @authenticated
    def plugins(self):
        """Installed plugins with their version, hooks, connectors and operators.
        ---
        get:
          summary: List plugins
          responses:
            200: {description: one entry per plugin}
        """
        return jsonify({"result": [i.__dict__ for i in plugin_infos(plugins())]})

    @expose("/", methods=["GET"])
    @authenticated
    def list(self):
        """Configured connectors (settings name environment variables, never secrets).
        ---
        get:
          summary: List connector configurations
          responses:
            200: {description: the configurations}
        """
        def work(uow):
            svc.require_admin(uow)
            return {"result": svc.configs(uow)}

        return self.run(work, readonly=True)

    @expose("/<name>", methods=["GET"])
    @authenticated
    def read(self, name):
        """One connector configuration (admin).
        ---
        get:
          summary: Read a connector configuration
          responses:
            200:
              description: the configuration; send its ETag back in If-Match when you change it
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            403: {description: not an admin}
            404: {description: no configuration of that name}
        """
        def work(uow):
            svc.require_admin(uow)
            return svc.config_view(svc.config(uow, name))

        return self.run_versioned(work, readonly=True)

    @expose("/<name>", methods=["PUT"])
    @authenticated
    def save(self, name):
        """Create or replace a connector configuration (admin).
        ---
        put:
          summary: Configure a connector
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [connector]
                  properties:
                    connector: {type: string, description: "a registered connector, e.g. ldap, jira"}
                    settings: {type: object}
                    enabled: {type: boolean}
                    version: {type: integer, description: "the version you read (0: create only)"}
          responses:
            200:
              description: the configuration
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            409: {$ref: '#/components/responses/StaleUpdate'}
            422: {description: "the settings field that is wrong, e.g. settings.url, or one the external system
              refuses (settings.fields.cost_centre of an SAP connector, checked against the service's $metadata)"}
            428: {$ref: '#/components/responses/PreconditionRequired'}
            502: {description: the external system could not be asked to check the settings}
        """
        data = body(sv.ConnectorIn())
        sent = precondition(data)
        result = save_checked(store(), actor(), plugins(), name, data["connector"], data.get("settings") or {},
                              enabled=data["enabled"], expected_version=sent)
        response = jsonify(result)
        response.headers["ETag"] = etag(result["version"])
        return response

    @expose("/<name>/sync", methods=["POST"])
    @authenticated
    def sync(self, name):
        """Start a sync of the connector as a background job (admin).
        ---
        post:
          summary: Start a sync
          parameters:
          - {in: query, name: full, schema: {type: boolean, default: false},
             description: "a full re-sync: read every period and write every total (ERP connectors)"}
          responses:
            202: {description: the sync was queued; follow it in the run log}
            404: {description: no such connector configuration}
        """
        def work(uow):
            svc.require_admin(uow)
            svc.config(uow, name)

        self.run(work, readonly=True)
        full = request.args.get("full", "").lower() in ("1", "true", "yes")
        job = enqueue_sync(current_app, name, full=full)
        return jsonify({"queued": name, "job": job, "full": full}), 202

    @expose("/<name>/links", methods=["POST"])
    @authenticated
    def link(self, name):
        """Link a measure to an epic, an issue or a JQL query of a work-items connector (measure editors).
        ---
        post:
          summary: Link a measure to external work items
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  required: [measure, kind, target]
                  properties:
                    measure: {type: integer, description: the measure id}
                    kind: {type: string, enum: [epic, issue, jql]}
                    target: {type: string, description: "an issue key such as OPS-12, or a JQL query"}
          responses:
            201: {description: the link}
            422: {description: what was wrong, per field}
        """
        data = body()
        if not isinstance(data.get("measure"), int) or isinstance(data.get("measure"), bool):
            raise ValidationFailed({"measure": ["the measure id, a whole number"]})
        return self.run(lambda uow: work_items.link(uow, name, data["measure"], data.get("kind"), data.get("target")),
                        status=201)

    @expose("/documents", methods=["GET"])
    @authenticated
    def documents(self):
        """One page of a folder of the evidence document store (SharePoint), to pick a file to link.
        ---
        get:
          summary: Browse the evidence document store
          parameters:
          - {in: query, name: measure, required: true, schema: {type: integer}, description: the measure the file is for (you must be able to edit it)}
          - {in: query, name: folder, schema: {type: string}, description: "a folder's item id; the library root if absent"}
          - {in: query, name: cursor, schema: {type: string}, description: the 'next' value of the previous page}
          responses:
            200: {description: "{store, items: [{id, name, folder, size, web_url}], next}"}
            422: {description: "no measure given, no document store configured, or a folder Steerco cannot read"}
            404: {description: no such measure, or one you may not see}
            502: {description: the document store could not be reached}
        """
        measure = request.args.get("measure", "")
        if not measure.isdigit():
            raise ValidationFailed({"measure": ["the id of the measure the file is for, a whole number"]})
        return jsonify(remote_evidence.browse(store(), plugins(), actor(), int(measure),
                                              request.args.get("folder") or None, request.args.get("cursor") or None))

    @expose("/runs", methods=["GET"])
    @authenticated
    def runs(self):
        """The run log of every connector, newest first: started, finished, counts, errors.
        ---
        get:
          summary: Connector run log
          parameters:
          - {in: query, name: connector, schema: {type: string}}
          - {in: query, name: limit, schema: {type: integer, default: 50}}
          responses:
            200: {description: the runs}
        """
        name = request.args.get("connector") or None
        limit = int_arg("limit", 50, lo=1, hi=500)

        def work(uow):
            svc.require_admin(uow)
            return {"result": svc.runs(uow, name, limit)}

        return self.run(work, readonly=True)


# ConnectorsPage is a page, not an API; add_api registers any view without a menu entry.
APIS: tuple = (ConnectorApi, ErpApi, TriggerApi, ConnectorsPage)

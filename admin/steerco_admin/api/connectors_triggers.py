"""/api/v1/triggers: CRM webhooks in (signature-verified, no JWT), and their administration."""

from __future__ import annotations

from urllib.parse import quote

from flask import jsonify, request
from flask_appbuilder.api import expose

from steerco.domain.errors import ValidationFailed
from steerco.services.integration import triggers
from steerco_admin.api.base import SteercoApi, actor, authenticated, body, int_arg, precondition, store


class TriggerApi(SteercoApi):
    resource_name = "triggers"
    openapi_spec_tag = "Triggers"

    @expose("/<source>", methods=["POST"])
    def receive(self, source):
        """A CRM webhook delivery. Authenticated by its signature, not by a login.
        ---
        post:
          summary: Receive a CRM webhook (HubSpot v3 signature, or X-Steerco-Signature HMAC)
          security: []
          responses:
            200: {description: "counts: accepted, duplicate, ignored, failed"}
            401: {description: signature, timestamp or body refused; listed as rejected}
            404: {description: no such trigger source}
        """
        delivery = triggers.Delivery(request.method, url_as_received(), dict(request.headers), request.get_data())
        status, result = triggers.receive(store(), source, delivery)
        return jsonify(result), status

    @expose("/sources/<code>", methods=["PUT"])
    @authenticated
    def save_source(self, code):
        """Create or update a trigger source (admin).
        ---
        put:
          summary: Save a trigger source
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    kind: {type: string, enum: [hubspot, salesforce, dynamics]}
                    secret_env: {type: string, description: environment variable holding the secret}
                    replay_window: {type: integer, default: 300}
                    public_url: {type: string}
                    enabled: {type: boolean}
                    version: {type: integer, description: "the version you read (0: create only)"}
          responses:
            200:
              description: the source
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            409: {$ref: '#/components/responses/StaleUpdate'}
            422: {description: what was wrong, per field}
            428: {$ref: '#/components/responses/PreconditionRequired'}
        """
        data = body()
        sent = precondition(data)
        unknown = set(data) - {"kind", "secret_env", "replay_window", "public_url", "enabled"}
        if unknown:
            raise ValidationFailed({k: ["unknown field"] for k in sorted(unknown)})
        return self.run_versioned(lambda uow: triggers.save_source(
            uow, code, data.get("kind"), data.get("secret_env"), replay_window=data.get("replay_window", 300),
            public_url=data.get("public_url", ""), enabled=data.get("enabled", True), expected_version=sent))

    @expose("/sources/<code>/rules", methods=["POST"])
    @authenticated
    def save_rule(self, code):
        """Create or replace a trigger rule of a source (admin).
        ---
        post:
          summary: Save a trigger rule
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    name: {type: string}
                    condition: {description: JsonLogic over the event}
                    measure_type: {type: string}
                    node: {type: string}
                    owner: {description: JsonLogic giving the owner's e-mail}
                    fields: {type: object, description: measure field -> JsonLogic over the event}
                    position: {type: integer}
                    enabled: {type: boolean}
          responses:
            200: {description: the rule}
            422: {description: what was wrong, per field}
        """
        data = body()
        return self.run(lambda uow: triggers.save_rule(uow, code, data))

    @expose("/events", methods=["GET"])
    @authenticated
    def events(self):
        """Received events, newest first; ``dead=1`` lists only the rejected and failed (admin).
        ---
        get:
          summary: Trigger events and the dead-letter list
          parameters:
          - {in: query, name: dead, schema: {type: integer, enum: [0, 1]}}
          - {in: query, name: source, schema: {type: string}}
          - {in: query, name: limit, schema: {type: integer, default: 100}}
          responses:
            200: {description: the events with status and reason}
        """
        dead = bool(int_arg("dead", 0, lo=0, hi=1))
        limit = int_arg("limit", 100, lo=1, hi=1000)
        source = request.args.get("source") or None
        return self.run(lambda uow: {"result": triggers.events(uow, source=source, dead=dead, limit=limit)},
                        readonly=True)

    @expose("/events/<int:event_id>/replay", methods=["POST"])
    @authenticated
    def replay(self, event_id):
        """Process a failed event again, once its cause is fixed (admin).
        ---
        post:
          summary: Replay a failed event
          responses:
            200: {description: the event after the replay}
            409: {description: not a failed event}
        """
        return jsonify(triggers.replay(store(), actor(), event_id))


def url_as_received() -> str:
    """The URL of the current request with its escapes as the sender wrote them.

    Not ``request.url``: Werkzeug rebuilds that one and decodes escapes such as
    %7E, %3A and %2F on the way, while a HubSpot signature covers the URL as
    called (v3 decodes only the escapes of its own table).
    """
    env = request.environ
    target = env.get("REQUEST_URI") or env.get("RAW_URI")
    if not target:
        # WSGI passes the query string raw but the path decoded: escape the path again.
        path = (env.get("SCRIPT_NAME", "") + env.get("PATH_INFO", "")).encode("latin-1")
        query = env.get("QUERY_STRING", "")
        target = quote(path, safe="/!$&'()*+,;=:@") + (f"?{query}" if query else "")
    if not target.startswith("/"):
        return target  # the absolute form a client sends to a proxy
    return f"{request.scheme}://{request.host}{target}"

"""Domain errors to HTTP, class by class. Nothing else turns into a 4xx here."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from steerco.domain import errors as e
from steerco.domain.schedule import PlanRejected
from steerco.plugins.connector import ConnectorError
from steerco.services.governance.evidence import TooLarge

log = logging.getLogger(__name__)

STATUS = [
    (TooLarge, 413),
    (ConnectorError, 502),  # an external system (directory, Jira...) failed; the message names it
    (e.CriteriaNotMet, 422),
    (e.ImportRejected, 422),  # a file with problems (row, column, problem); nothing written (issue 4)
    (PlanRejected, 422),  # a plan file (MS Project) with problems, each with its line; nothing written
    (e.PreconditionRequired, 428),
    (e.UnsupportedFile, 415),
    (e.PeriodLocked, 409),
    (e.ValueReadOnly, 409),
    (e.IdempotencyKeyReused, 422),
    (e.ValidationFailed, 422),
    (e.ConfigError, 422),
    (e.PermissionDenied, 403),
    (e.NotFound, 404),
    (e.TransitionNotAllowed, 409),
    (e.ReviewClosed, 409),
    (e.Conflict, 409),
    (e.GateError, 409),
]


def status_of(err: e.SteercoError) -> int:
    for cls, status in STATUS:
        if isinstance(err, cls):
            return status
    return 400


def register(app: Flask) -> None:
    @app.errorhandler(e.SteercoError)
    def _domain(err):
        if not _wants_json():
            return html_error(status_of(err), err.message)
        return jsonify(err.payload()), status_of(err)

    @app.errorhandler(HTTPException)
    def _http(err):
        if not _wants_json():
            return err
        return jsonify({"error": _slug(err.name), "message": err.description}), err.code

    @app.errorhandler(500)
    def _internal(err):
        # Last resort: the details go to the log under an incident id, never to the client.
        incident = uuid.uuid4().hex[:12]
        log.error("incident %s on %s %s", incident, request.method, request.path,
                  exc_info=getattr(err, "original_exception", None))
        body = {"error": "internal_error", "message": f"Steerco could not complete this request (incident {incident})",
                "incident": incident}
        if _wants_json():
            return jsonify(body), 500
        return f"<h1>Something went wrong</h1><p>{body['message']}.</p>", 500


def html_error(status: int, message: str):
    """A page in the app's layout for errors met while browsing (not for /api/)."""
    from flask import current_app, render_template

    titles = {403: "Not allowed", 404: "Not found", 409: "Not possible now", 413: "File too large"}
    return render_template("steerco/error.html", appbuilder=current_app.appbuilder,
                           base_template=current_app.appbuilder.base_template,
                           title=titles.get(status, "Cannot do that"), message=message), status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_")

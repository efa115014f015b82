"""What every endpoint shares: who is calling, the store, reading JSON bodies.

Endpoints only translate: request -> service call in a unit of work -> JSON.
"""

from __future__ import annotations

import functools
import re

from apispec.exceptions import DuplicateComponentNameError
from flask import current_app, jsonify, request
from flask_appbuilder.api import BaseApi
from flask_jwt_extended import current_user as jwt_user
from flask_jwt_extended import verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user as session_user
from flask_wtf.csrf import CSRFError, validate_csrf
from jwt.exceptions import ExpiredSignatureError, PyJWTError
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest
from wtforms import ValidationError as WtfValidationError

from steerco.domain.errors import PreconditionRequired, ValidationFailed
from steerco.store import versions


class SteercoApi(BaseApi):
    version = "v1"
    # Decision rights are domain rules, checked by the services, not view permissions.
    base_permissions: list = []

    def run(self, work, *, readonly: bool = False, status: int = 200):
        result = store().run(actor(), work, readonly=readonly)
        return jsonify(result), status

    def run_versioned(self, work, *, readonly: bool = False, status: int = 200, key: str = "version"):
        """Like :meth:`run` for one editable object: its version (``result[key]``) goes out as the ETag."""
        result = store().run(actor(), work, readonly=readonly)
        response = jsonify(result)
        response.headers["ETag"] = etag(result[key])
        return response, status

    def add_apispec_components(self, api_spec) -> None:
        super().add_apispec_components(api_spec)
        for kind, name, spec in _VERSION_COMPONENTS:
            try:
                getattr(api_spec.components, kind[:-1])(name, **spec)
            except DuplicateComponentNameError:
                pass

    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs) -> None:
        """Document every path parameter from the route itself (``<int:measure_id>`` is a required
        integer), so docstrings describe only what a route adds: query parameters, bodies, responses."""
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        found = {name: "integer" if converter == "int" else "string"
                 for url, _methods in getattr(func, "_urls", ()) for converter, name in _PATH_PARAM.findall(url)}
        for operation in operations.values():
            given = operation.get("parameters", [])  # a name (str) refers to a component, e.g. IfMatch
            named = {p.get("name") for p in given if isinstance(p, dict) and p.get("in") == "path"}
            operation["parameters"] = [{"in": "path", "name": name, "required": True, "schema": {"type": kind}}
                                       for name, kind in found.items() if name not in named] + given


_STALE_BODY = {"type": "object", "properties": {
    "error": {"type": "string", "enum": ["stale_update"]}, "message": {"type": "string"},
    "object": {"type": "object", "properties": {"kind": {"type": "string"}, "id": {}}},
    "sent_version": {"type": "integer"}, "current_version": {"type": "integer", "nullable": True},
    "changed_by": {"type": "string", "nullable": True},
    "changed_at": {"type": "string", "format": "date-time", "nullable": True}}}
_VERSION_COMPONENTS = (
    ("headers", "ETag", {"component": {
        "description": 'the version of what was read, e.g. W/"3": send it back in If-Match to change it',
        "schema": {"type": "string"}}}),
    ("parameters", "IfMatch", {"location": "header", "component": {
        "name": "If-Match", "required": False, "schema": {"type": "string"},
        "description": 'the ETag you read (or send "version" in the body). The write is refused with 409 '
                       "when the object changed since. Without either, the write applies to the stored "
                       "version, unless the instance sets STEERCO_REQUIRE_IF_MATCH (then 428)."}}),
    ("responses", "StaleUpdate", {"component": {
        "description": "changed by someone else since the version you sent: who, when, the version you sent "
                       "and the current one; reload and apply your change again",
        "content": {"application/json": {"schema": _STALE_BODY}}}}),
    ("responses", "PreconditionRequired", {"component": {
        "description": "this instance requires If-Match (or a version) on writes of existing objects"}}),
)

_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def store():
    return current_app.extensions["steerco.store"]


def settings():
    return current_app.config["STEERCO_SETTINGS"]


def plugin_manager():
    return current_app.extensions.get("steerco.plugins")


def actor() -> str:
    return request.environ["steerco.actor"]


def authenticated(view):
    """Require a JWT bearer token, or a logged-in browser session (with the CSRF token for writes)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        username = None
        try:
            if verify_jwt_in_request(optional=True) and jwt_user:
                username = jwt_user.username
        except ExpiredSignatureError:
            return jsonify({"error": "token_expired",
                            "message": "the access token has expired: get a new one from POST "
                                       "/api/v1/security/refresh with the refresh token, or log in again"}), 401
        except (JWTExtendedException, PyJWTError) as err:
            return jsonify({"error": "unauthorized", "message": f"invalid token: {err}"}), 401
        if username is None and session_user and session_user.is_authenticated:
            refused = _csrf_refusal()
            if refused is not None:
                return refused
            username = session_user.username
        if username is None:
            return jsonify({"error": "unauthorized",
                            "message": "log in first: POST /api/v1/security/login, then send "
                                       "'Authorization: Bearer <access_token>'"}), 401
        request.environ["steerco.actor"] = username
        return view(*args, **kwargs)

    return wrapper


def _csrf_refusal():
    """A browser sends the session cookie with any request to this host, whichever page (or port) made it:
    a write on the strength of the cookie alone must prove it comes from Steerco's pages (their CSRF token)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    try:
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except (CSRFError, WtfValidationError) as err:
        return jsonify({"error": "csrf", "message": f"send the page's CSRF token in X-CSRFToken, or a bearer "
                                                    f"token; reload the page and try again ({err})"}), 400
    return None


def body(schema: Schema | None = None) -> dict:
    """The JSON object in the request, validated by ``schema`` when given."""
    if not request.is_json:
        raise ValidationFailed({"body": ["send a JSON object with Content-Type: application/json"]})
    try:
        data = request.get_json()
    except BadRequest as err:  # not JSON, or nested past the cap (steerco_admin.requests)
        raise ValidationFailed({"body": [err.description]}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({"body": ["expected a JSON object"]})
    if schema is None:
        return data
    try:
        return schema.load(data)
    except ValidationError as err:
        raise ValidationFailed(_flatten(err.messages)) from None


def etag(version: int) -> str:
    return f'W/"{version}"'


def precondition(data: dict | None = None) -> int | None:
    """The version a write is based on: ``If-Match`` (its ETag), else ``version`` in the JSON body.

    None when neither is sent (the write then applies to whatever version is stored), unless the
    instance requires one (STEERCO_REQUIRE_IF_MATCH): 428.
    """
    raw = request.headers.get("If-Match")
    where = "If-Match"
    if raw is None or raw.strip() == "*":
        raw, where = (data or {}).pop("version", None), "version"
    try:
        sent = versions.parse(raw)
    except ValueError:
        raise ValidationFailed({where: ['the version you read: an ETag such as W/"3", or a whole number']}) from None
    if sent is None and settings().require_if_match:
        raise PreconditionRequired("send If-Match with the ETag you read (or 'version' in the body): "
                                   "this instance refuses writes that may overwrite someone else's change")
    return sent


def int_arg(name: str, default: int, *, lo: int = 0, hi: int = 10**9) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({name: ["expected a whole number"]}) from None
    if not lo <= value <= hi:
        raise ValidationFailed({name: [f"between {lo} and {hi}"]})
    return value


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for k, v in messages.items():
            # List positions read as the services write them: cells[0].amount.
            key = f"{prefix}[{k}]" if isinstance(k, int) else f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                out.update(_flatten(v, key))
            else:
                out[key] = [str(m) for m in (v if isinstance(v, list) else [v])]
    else:
        out[prefix or "body"] = [str(m) for m in messages]
    return out

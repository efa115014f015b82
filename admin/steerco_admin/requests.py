"""What a request may carry before a view sees it: bounded ids in paths, bounded JSON."""

from __future__ import annotations

import json

from flask import Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter

# Ids and counters are INTEGER columns (32-bit signed on PostgreSQL); a larger number cannot name a row,
# and the database would fail on it rather than find nothing.
MAX_ID = 2**31 - 1
# Deeper than any body an endpoint documents, and far below the interpreter's recursion limit.
MAX_JSON_DEPTH = 64


class IdConverter(IntegerConverter):
    """``<int:...>`` that answers 404 with a reason for a number too large to be an id (instead of
    letting the database overflow on it)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound(f"no such record: {value} in the path is larger than any id (at most {MAX_ID})")
        return number


class JsonProvider(DefaultJSONProvider):
    def loads(self, s, **kwargs):
        try:
            data = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ValueError(f"nested more than {MAX_JSON_DEPTH} levels deep")
        return data


class SteercoRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None):
        # A BadRequest, which FAB's own endpoints (login) answer as 400; Steerco's turn it into ValidationFailed.
        if e is None:
            raise BadRequest("send a JSON object with Content-Type: application/json")
        raise BadRequest(f"not valid JSON: {e}")


def _depth(data) -> int:
    deepest, todo = 0, [(data, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            return level
        todo.extend((child, level + 1) for child in item)
    return deepest


def install(app) -> None:
    """Before any route is added: the converter is bound when a rule is."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = SteercoRequest
    app.json = JsonProvider(app)

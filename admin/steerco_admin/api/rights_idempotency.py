"""The Idempotency-Key header on write endpoints (issue 3)."""

from __future__ import annotations

import json

from flask import jsonify, request

from steerco.services.rights.idempotency import check_key, fingerprint, run_once
from steerco_admin.api.base import actor, store

HEADER = "Idempotency-Key"


def run_idempotent(work, status: int = 201):
    """Run ``work(uow)`` in one transaction; with an Idempotency-Key header, at most once per key.

    A repeat with the same key and the same request gets the first answer (with
    ``Idempotent-Replayed: true``); the same key with another request is refused (422).
    """
    raw = request.headers.get(HEADER)
    if raw is None:
        return jsonify(store().run(actor(), work)), status
    key = check_key(raw)
    payload = json.dumps(request.get_json(silent=True), sort_keys=True, separators=(",", ":"))
    code, result, replayed = run_once(store(), actor(), key, fingerprint(request.method, request.path, payload),
                                      work, status)
    response = jsonify(result)
    response.status_code = code
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response

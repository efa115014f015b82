"""Parsed governance models, one per published version, compiled once per process."""

from __future__ import annotations

import hashlib
import json
import threading

from steerco.domain.governance import GovernanceModel, parse_model

_cache: dict[tuple[int, str], GovernanceModel] = {}
_lock = threading.Lock()


def checksum(definition: dict) -> str:
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def model_of(version) -> GovernanceModel:
    """The compiled model of a stored version (versions are immutable, so caching is safe)."""
    key = (version.id, version.checksum)
    model = _cache.get(key)
    if model is None:
        with _lock:
            model = _cache.get(key)
            if model is None:
                model = parse_model(version.definition)
                _cache[key] = model
    return model

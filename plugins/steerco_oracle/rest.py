"""The HTTP side of the Fusion connector: Oracle's REST collection envelope over httpx.

A collection answers ``{"items": [...], "count", "hasMore", "limit",
"offset", "links"}``; pages are asked for with ``limit`` and ``offset`` until
``hasMore`` is false, filtered with ``q`` and cut to the attributes read with
``fields``. Basic auth or an OAuth client-credentials bearer token (fetched
again once when Oracle refuses it as expired); 429 and 503 waited out per
``Retry-After``; every other failure raised as a :class:`ConnectorError`
carrying Oracle's own error text.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Callable, Iterator

import httpx

from steerco.plugins.connector import ConnectorError
from steerco.plugins.http import VendorClient



class FusionClient(VendorClient):
    vendor = "Oracle"

    def __init__(self, connector: str, settings: dict, *, sleep: Callable[[float], None] = time.sleep):
        super().__init__(connector, settings, sleep=sleep)
        self.url = settings["base_url"].rstrip("/") + settings["resource"]
        self.digest = hashlib.sha256()

    def attributes(self) -> set[str]:
        """The attribute names the resource's ``describe`` declares."""
        body = self._json(self._send(self.url + "/describe", "describe the resource", {}), "describe the resource")
        resources = body.get("Resources") if isinstance(body, dict) else None
        if not isinstance(resources, dict) or not resources:
            raise self._malformed("describe the resource", "no Resources in the answer")
        names = set()
        for resource in resources.values():
            for attr in (resource or {}).get("attributes") or ():
                if isinstance(attr, dict) and attr.get("name"):
                    names.add(attr["name"])
        return names

    def items(self, q: str, fields: list[str]) -> Iterator[list[dict]]:
        """Every page of the collection filtered by ``q``, each a list of items."""
        offset, limit, operation = 0, self.settings["limit"], "read " + self.settings["resource"].rsplit("/", 1)[-1]
        while True:
            params = {"q": q, "fields": ",".join(fields), "limit": limit, "offset": offset, "onlyData": "true"}
            r = self._send(self.url, operation, params)
            self.digest.update(r.content)
            page = self._json(r, operation)
            items, has_more, count = (page.get("items"), page.get("hasMore"), page.get("count")) \
                if isinstance(page, dict) else (None, None, None)
            if not isinstance(items, list) or not isinstance(has_more, bool):
                raise self._malformed(operation, f"a page at offset {offset} without items or hasMore")
            if count is not None and count != len(items):
                raise self._malformed(operation, f"the page at offset {offset} says count {count} "
                                                 f"but holds {len(items)} items")
            yield items
            if not has_more:
                return
            if not items:
                raise self._malformed(operation, f"hasMore is true but the page at offset {offset} is empty")
            offset += len(items)

    # -- HTTP -----------------------------------------------------------------------------------------------
    def _send(self, url, operation, params):
        return self.checked(operation, lambda auth: self._http.get(url, params=params, headers=auth))

    def _json(self, r, operation):
        try:
            return r.json()
        except ValueError:
            raise self._malformed(operation, f"an answer that is not JSON: {r.text[:80]!r}") from None

    def _malformed(self, operation, problem) -> ConnectorError:
        return ConnectorError(self.connector, operation, f"malformed payload: {problem}")

    def error_text(self, content: bytes) -> str:
        return error_text(content)


def error_text(content: bytes) -> str:
    """Oracle's message from an error body: the REST framework's JSON (``title``, ``detail``,
    ``o:errorDetails``) or, from older framework versions, plain text."""
    try:
        body = json.loads(content or b"null")
    except ValueError:
        return content.decode("utf-8", "replace").strip()[:300]
    if not isinstance(body, dict):
        return ""
    details = [f"{d.get('o:errorCode')}: {d.get('detail')}" if d.get("o:errorCode") else str(d.get("detail"))
               for d in body.get("o:errorDetails") or () if isinstance(d, dict) and d.get("detail")]
    head = body.get("detail") or body.get("title") or ""
    return "; ".join(x for x in [head, *details[:3]] if x)[:500]

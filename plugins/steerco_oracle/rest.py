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

import base64
import hashlib
import json
import time
from typing import Callable, Iterator

import httpx

from steerco.plugins.connector import ConnectorError

MAX_WAITS = 3        # 429 / 503 answers waited out per request before giving up (retryable)
MAX_WAIT = 120.0     # seconds; a longer Retry-After fails the attempt and lets the run log say so


class FusionClient:
    def __init__(self, connector: str, settings: dict, *, sleep: Callable[[float], None] = time.sleep):
        self.connector, self.settings, self.sleep = connector, settings, sleep
        self.url = settings["base_url"].rstrip("/") + settings["resource"]
        self.digest = hashlib.sha256()
        self._token: str | None = None
        self._token_expires = 0.0
        self._http = httpx.Client(timeout=settings["timeout"], headers={"Accept": "application/json"})

    def close(self):
        self._http.close()

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
        refreshed, waits = False, 0
        while True:
            try:
                r = self._http.get(url, params=params, headers=self._auth(operation))
            except httpx.HTTPError as e:
                raise ConnectorError(self.connector, operation, f"cannot reach {_host(url)} ({type(e).__name__})",
                                     retryable=True) from None
            if r.status_code == 401 and self.settings["auth"] == "oauth" and not refreshed:
                self._token, refreshed = None, True   # expired or revoked: one fresh token, then give up
                continue
            if r.status_code in (429, 503):
                wait = _retry_after(r)
                if waits < MAX_WAITS and wait <= MAX_WAIT:
                    waits += 1
                    self.sleep(wait)
                    continue
                what = "rate limited by Oracle (429)" if r.status_code == 429 else "Oracle service unavailable (503)"
                raise ConnectorError(self.connector, operation, what, retryable=True, retry_after=wait,
                                     status=r.status_code)
            if r.status_code >= 400:
                raise ConnectorError(self.connector, operation, self._problem(r), status=r.status_code,
                                     retryable=r.status_code >= 500)
            return r

    def _json(self, r, operation):
        try:
            return r.json()
        except ValueError:
            raise self._malformed(operation, f"an answer that is not JSON: {r.text[:80]!r}") from None

    def _malformed(self, operation, problem) -> ConnectorError:
        return ConnectorError(self.connector, operation, f"malformed payload: {problem}")

    def _auth(self, operation) -> dict:
        s = self.settings
        if s["auth"] == "basic":
            pair = f"{s['user']}:{s['password'].reveal()}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        if self._token is None or time.monotonic() >= self._token_expires:
            self._fetch_token(operation)
        return {"Authorization": "Bearer " + self._token}

    def _fetch_token(self, operation):
        s = self.settings
        form = {"grant_type": "client_credentials", **({"scope": s["scope"]} if s.get("scope") else {})}
        try:
            r = self._http.post(s["token_url"], data=form, auth=(s["client_id"], s["client_secret"].reveal()))
        except httpx.HTTPError as e:
            raise ConnectorError(self.connector, operation, f"cannot reach the token endpoint {_host(s['token_url'])} "
                                 f"({type(e).__name__})", retryable=True) from None
        try:
            body = r.json()
        except ValueError:
            body = {}
        if r.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            body = body if isinstance(body, dict) else {}
            why = body.get("error_description") or body.get("error") or f"HTTP {r.status_code}"
            raise ConnectorError(self.connector, operation, f"no OAuth token from {_host(s['token_url'])} for client "
                                 f"'{s['client_id']}': {why} (check client_id and client_secret_env)",
                                 status=r.status_code, retryable=r.status_code >= 500)
        self._token = body["access_token"]
        # renewed a minute early, so a token never expires between two pages
        self._token_expires = time.monotonic() + max(0.0, float(body.get("expires_in") or 300) - 60)

    def _problem(self, r: httpx.Response) -> str:
        if r.status_code == 401:
            return ("authentication failed (check user and password_env)" if self.settings["auth"] == "basic"
                    else "the OAuth token was refused twice (check the client's roles in Oracle)")
        what = {403: "permission denied", 404: "not found", 400: "request refused"}.get(r.status_code,
                                                                                      f"HTTP {r.status_code}")
        text = error_text(r.content)
        return f"{what}: {text}" if text else what


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


def _retry_after(r: httpx.Response) -> float:
    try:
        return max(0.0, float(r.headers.get("Retry-After", "5")))
    except ValueError:
        return 5.0


def _host(url: str) -> str:
    return httpx.URL(url).host or url

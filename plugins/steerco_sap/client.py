"""The HTTP side of the SAP connector: SAP's OData client (pyodata) over an httpx connection.

pyodata reads the service's ``$metadata`` and builds the requests (the entity
set's path, ``$select``, ``$filter``, ``__next`` links); this module is the
*connection* it sends them through: Basic auth or an OAuth client-credentials
bearer token (fetched again once when it expired), ``sap-client``, 429 and
503 waited out per ``Retry-After``, and every other failure raised as a
:class:`ConnectorError` carrying SAP Gateway's error code and message.

Pages are parsed straight from the JSON into plain dicts: an aggregate read
returns up to millions of rows, and pyodata's per-entity proxies would cost
more than the rest of the sync.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterator

import httpx
import pyodata
from pyodata.exceptions import PyODataException
from pyodata.v2.service import GetEntitySetRequest

from steerco.plugins.connector import ConnectorError

MAX_WAITS = 3        # 429 / 503 answers waited out per request before giving up (retryable)
MAX_WAIT = 120.0     # seconds; a longer Retry-After fails the attempt and lets the run log say so


class _UnsupportedAnnotations(logging.Filter):
    # pyodata warns on every parse about OData V4 vocabulary it does not model; the metadata
    # check reads the ones the connector needs (FilterRestrictions) itself.
    def filter(self, record):
        return not record.getMessage().startswith("Unsupported Annotation(")


logging.getLogger("pyodata.model").addFilter(_UnsupportedAnnotations())


class SapClient:
    """One session with one OData V2 service; pass it to pyodata as the connection."""

    def __init__(self, connector: str, settings: dict, *, sleep: Callable[[float], None] = time.sleep):
        self.connector = connector
        self.settings = settings
        self.sleep = sleep
        self.service_url = settings["service_url"].rstrip("/") + "/"
        self.params = {"sap-client": settings["sap_client"]} if settings.get("sap_client") else {}
        self.digest = hashlib.sha256()
        self._token: str | None = None
        self._token_expires = 0.0
        # secrets travel only in the Authorization header built here; they are never formatted into text
        self._http = httpx.Client(timeout=settings["timeout"], headers={"Accept": "application/json"})

    def close(self):
        self._http.close()

    # -- what pyodata calls -------------------------------------------------------------------------------
    def request(self, method, url, headers=None, params=None, data=None):
        return self._send(method, url, "read " + self.settings["entity_set"], headers=headers, params=params,
                          data=data)

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    # -- reads ----------------------------------------------------------------------------------------------
    def metadata(self) -> bytes:
        r = self._send("GET", self.service_url + "$metadata", "read $metadata", headers={"Accept": "application/xml"})
        if "xml" not in r.headers.get("content-type", ""):
            raise ConnectorError(self.connector, "read $metadata",
                                 f"{self.service_url}$metadata did not answer XML "
                                 f"({r.headers.get('content-type') or 'no content type'})")
        return r.content

    def service(self, metadata: bytes):
        """pyodata's service object for ``metadata``.

        :raises ConnectorError: the document is not OData V2 metadata pyodata can read.
        """
        try:
            return pyodata.Client(self.service_url, self, metadata=metadata)
        except (PyODataException, ValueError, KeyError, AttributeError) as e:
            raise ConnectorError(self.connector, "read $metadata", f"not readable OData V2 metadata: {e}") from None

    def pages(self, service, entity_set: str, select: list[str], where: str) -> Iterator[list[dict]]:
        """Every page of ``entity_set`` for ``$select`` / ``$filter``, following ``__next`` links.

        The next page is fetched while this one is parsed and booked: SAP answers ``__next`` at the end of
        a page, so it is found there without parsing the page first.
        """
        es = service.schema.entity_set(entity_set)
        request = self._request(service, es)
        request.select(",".join(select))
        if where:
            request.filter(where)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sap-page") as pool:
            pending = pool.submit(request.execute)
            while pending is not None:
                try:
                    page = pending.result()
                except PyODataException as e:  # e.g. a __next link to another host, which pyodata refuses
                    raise ConnectorError(self.connector, f"read {entity_set}",
                                         f"refused by the OData client: {e}") from None
                pending = pool.submit(self._request(service, es).next_url(page.next_url).execute) \
                    if page.next_url else None
                yield page.results()

    def _request(self, service, es):
        request = GetEntitySetRequest(service.url, self, self._page, es.name, es.entity_type)
        for k, value in self.params.items():
            request.custom(k, value)
        return request

    def _page(self, response) -> "_Page":
        self.digest.update(response.content)
        return _Page(self, response)

    # -- HTTP -----------------------------------------------------------------------------------------------
    def _send(self, method, url, operation, *, headers=None, params=None, data=None):
        refreshed = False
        waits = 0
        while True:
            try:
                r = self._http.request(method, url, headers={**(headers or {}), **self._auth(operation)},
                                       params=_merge(params, self.params), content=data)
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
                what = "rate limited by SAP (429)" if r.status_code == 429 else "SAP service unavailable (503)"
                raise ConnectorError(self.connector, operation, what, retryable=True, retry_after=wait,
                                     status=r.status_code)
            if r.status_code >= 400:
                raise ConnectorError(self.connector, operation, self._problem(r), status=r.status_code,
                                     retryable=r.status_code >= 500)
            return r

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
            r = self._http.post(s["token_url"], data=form, auth=(s["client_id"], s["client_secret"].reveal()),
                                headers={"Accept": "application/json"})
        except httpx.HTTPError as e:
            raise ConnectorError(self.connector, operation, f"cannot reach the token endpoint {_host(s['token_url'])} "
                                 f"({type(e).__name__})", retryable=True) from None
        try:
            body = r.json()
        except ValueError:
            body = {}
        if r.status_code != 200 or not body.get("access_token"):
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
                    else "the OAuth token was refused twice (check the client's roles in SAP)")
        what = {403: "permission denied", 404: "not found", 400: "request refused"}.get(r.status_code,
                                                                                      f"HTTP {r.status_code}")
        gateway = gateway_message(r.content)
        return f"{what}: {gateway}" if gateway else what


class _Page:
    """One page as received: ``next_url`` read from its tail, the rows parsed when asked for."""

    NEXT = re.compile(rb'"__next"\s*:\s*"((?:[^"\\]|\\.)*)"\s*}\s*}\s*$')

    def __init__(self, client: SapClient, response):
        self.client, self.content, self.url = client, response.content, str(response.url)
        m = self.NEXT.search(self.content[-4096:])
        self._parsed = None if m or not self.content.rstrip().endswith(b"}") else self._parse()
        self.next_url = json.loads(b'"' + m.group(1) + b'"') if m else (self._parsed or ([], None))[1]

    def results(self) -> list[dict]:
        results, next_url = self._parsed or self._parse()
        if next_url != self.next_url:
            raise self._malformed("its __next link is not the one at its end")
        return results

    def _parse(self):
        try:
            d = json.loads(self.content)["d"]
            results = d["results"] if isinstance(d, dict) else d
            if not isinstance(results, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise self._malformed(f"expected JSON with d.results, got {self.content[:80]!r}") from None
        return results, d.get("__next") if isinstance(d, dict) else None

    def _malformed(self, problem) -> ConnectorError:
        return ConnectorError(self.client.connector, f"read {self.client.settings['entity_set']}",
                              f"malformed payload from {self.url}: {problem}")


def gateway_message(content: bytes) -> str | None:
    """SAP Gateway's error as one line: ``code: message (transaction id)``; None for a body of another shape."""
    try:
        err = json.loads(content)["error"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(err, dict):
        return None
    message = err.get("message")
    text = message.get("value") if isinstance(message, dict) else message
    inner = err.get("innererror") if isinstance(err.get("innererror"), dict) else {}
    # SAP spells it transactionid in some releases and transactionId in others
    txn = inner.get("transactionid") or inner.get("transactionId")
    details = [d.get("message") for d in inner.get("errordetails") or [] if isinstance(d, dict)
               and d.get("message") and d.get("message") != text]
    return (f"{err.get('code') or 'error'}: {text or 'no message'}" + (f" ({'; '.join(details[:3])})" if details else "")
            + (f" [transaction {txn}]" if txn else ""))


def _merge(params, extra: dict):
    if not extra:
        return params or None
    merged = httpx.QueryParams(params or "")
    for k, value in extra.items():
        if k not in merged:
            merged = merged.set(k, value)
    return merged


def _retry_after(r: httpx.Response) -> float:
    try:
        return max(0.0, float(r.headers.get("Retry-After", "5")))
    except ValueError:
        return 5.0


def _host(url: str) -> str:
    return httpx.URL(url).host or url

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
from steerco.plugins.http import VendorClient



class _UnsupportedAnnotations(logging.Filter):
    # pyodata warns on every parse about OData V4 vocabulary it does not model; the metadata
    # check reads the ones the connector needs (FilterRestrictions) itself.
    def filter(self, record):
        return not record.getMessage().startswith("Unsupported Annotation(")


logging.getLogger("pyodata.model").addFilter(_UnsupportedAnnotations())


class SapClient(VendorClient):
    """One session with one OData V2 service; pass it to pyodata as the connection."""

    vendor = "SAP"

    def __init__(self, connector: str, settings: dict, *, sleep: Callable[[float], None] = time.sleep):
        super().__init__(connector, settings, sleep=sleep)
        self.service_url = settings["service_url"].rstrip("/") + "/"
        self.params = {"sap-client": settings["sap_client"]} if settings.get("sap_client") else {}
        self.digest = hashlib.sha256()

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
        return self.checked(operation, lambda auth: self._http.request(
            method, url, headers={**(headers or {}), **auth}, params=_merge(params, self.params), content=data))

    def error_text(self, content: bytes) -> str:
        return gateway_message(content) or ""


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

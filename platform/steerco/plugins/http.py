"""An HTTP session with a vendor's API as connectors need it: basic auth or OAuth client credentials with
secrets from the environment, one fresh token when a token is refused, 429 and 503 waited out by their
Retry-After, and every failure turned into a :class:`~steerco.plugins.connector.ConnectorError` that names
the operation and what the vendor said.

A connector subclasses :class:`VendorClient`, names its ``vendor`` and, where the vendor writes its errors in
its own shape, overrides :meth:`VendorClient.error_text`. Settings it reads: ``auth`` (``basic`` or
``oauth``), ``user`` and ``password`` (a :class:`~steerco.plugins.connector.Secret`), ``token_url``,
``client_id``, ``client_secret`` (a Secret), ``scope`` and ``timeout``.
"""

from __future__ import annotations

import base64
import time
from typing import Callable

import httpx

from steerco.plugins.connector import ConnectorError

MAX_WAITS = 3        # 429 / 503 answers waited out per request before giving up (retryable)
MAX_WAIT = 120.0     # seconds; a longer Retry-After fails the attempt and lets the run log say so


class VendorClient:
    vendor = "the service"

    def __init__(self, connector: str, settings: dict, *, sleep: Callable[[float], None] = time.sleep):
        self.connector, self.settings, self.sleep = connector, settings, sleep
        self._token: str | None = None
        self._token_expires = 0.0
        # secrets travel only in the Authorization header built here; they are never formatted into text
        self._http = httpx.Client(timeout=settings["timeout"], headers={"Accept": "application/json"})

    def close(self):
        self._http.close()

    def checked(self, operation: str, attempt: Callable[[dict], httpx.Response]) -> httpx.Response:
        """The answer of ``attempt(auth_headers)``, tried again as the vendor asks; a 2xx or 3xx only.

        :raises ConnectorError: unreachable, refused, or still throttled after :data:`MAX_WAITS` waits.
        """
        refreshed, waits = False, 0
        while True:
            try:
                r = attempt(self._auth(operation))
            except httpx.HTTPError as e:
                raise ConnectorError(self.connector, operation, f"cannot reach {self._host_of(e)} "
                                     f"({type(e).__name__})", retryable=True) from None
            if r.status_code == 401 and self.settings["auth"] == "oauth" and not refreshed:
                self._token, refreshed = None, True   # expired or revoked: one fresh token, then give up
                continue
            if r.status_code in (429, 503):
                wait = retry_after(r)
                if waits < MAX_WAITS and wait <= MAX_WAIT:
                    waits += 1
                    self.sleep(wait)
                    continue
                what = (f"rate limited by {self.vendor} (429)" if r.status_code == 429
                        else f"{self.vendor} service unavailable (503)")
                raise ConnectorError(self.connector, operation, what, retryable=True, retry_after=wait,
                                     status=r.status_code)
            if r.status_code >= 400:
                raise ConnectorError(self.connector, operation, self.problem(r), status=r.status_code,
                                     retryable=r.status_code >= 500)
            return r

    def error_text(self, content: bytes) -> str:
        """The vendor's own words from an error body ("" when it has none)."""
        return ""

    def problem(self, r: httpx.Response) -> str:
        if r.status_code == 401:
            return ("authentication failed (check user and password_env)" if self.settings["auth"] == "basic"
                    else f"the OAuth token was refused twice (check the client's roles in {self.vendor})")
        what = {403: "permission denied", 404: "not found", 400: "request refused"}.get(r.status_code,
                                                                                      f"HTTP {r.status_code}")
        text = self.error_text(r.content)
        return f"{what}: {text}" if text else what

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
            raise ConnectorError(self.connector, operation, f"cannot reach the token endpoint {host(s['token_url'])} "
                                 f"({type(e).__name__})", retryable=True) from None
        try:
            body = r.json()
        except ValueError:
            body = {}
        if r.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            body = body if isinstance(body, dict) else {}
            why = body.get("error_description") or body.get("error") or f"HTTP {r.status_code}"
            raise ConnectorError(self.connector, operation, f"no OAuth token from {host(s['token_url'])} for client "
                                 f"'{s['client_id']}': {why} (check client_id and client_secret_env)",
                                 status=r.status_code, retryable=r.status_code >= 500)
        self._token = body["access_token"]
        # renewed a minute early, so a token never expires between two pages
        self._token_expires = time.monotonic() + max(0.0, float(body.get("expires_in") or 300) - 60)

    @staticmethod
    def _host_of(e: httpx.HTTPError) -> str:
        try:
            return host(str(e.request.url))
        except RuntimeError:  # an error raised before a request was made
            return "the service"


def retry_after(r: httpx.Response) -> float:
    try:
        return max(0.0, float(r.headers.get("Retry-After", "5")))
    except ValueError:
        return 5.0


def host(url: str) -> str:
    return httpx.URL(url).host or url

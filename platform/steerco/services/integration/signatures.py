"""Signatures of CRM webhook deliveries: HubSpot v3, and a shared-secret HMAC.

HubSpot (v3): ``X-HubSpot-Signature-v3`` is base64(HMAC-SHA256(client secret,
method + URI + body + timestamp)) with ``X-HubSpot-Request-Timestamp`` in
milliseconds; the URI is the one HubSpot called, with only the escapes of
HubSpot's table decoded. The v1 and v2 signatures HubSpot sends beside it
cover no timestamp, so they are not accepted.
Salesforce and Dynamics 365 senders (a Flow/Apex callout, a plugin step) are
set up to send ``X-Steerco-Signature: sha256=<hex HMAC-SHA256(secret,
"<timestamp>.<body>")>`` and ``X-Steerco-Timestamp`` in seconds. Both are
refused outside the source's replay window.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

HMAC_SIGNATURE = "X-Steerco-Signature"
HMAC_TIMESTAMP = "X-Steerco-Timestamp"

# HubSpot's "Validate the v3 request signature" table: it decodes these escapes
# and no others, so %20, %25, %2B or %7E stay in the signed text as sent.
HUBSPOT_V3_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
                      "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}
# The hex digits may be lowercase: RFC 3986 makes %3a and %3A the same character.
_HUBSPOT_V3_ESCAPES = re.compile("|".join(HUBSPOT_V3_DECODED), re.IGNORECASE)


class Rejected(Exception):
    """A delivery refused at the door; ``reason`` is stored and returned."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    """One HTTP request as received: what the signature covers.

    ``url`` is the URL as the request line carried it, escapes untouched:
    HubSpot signs that text, decoded by its own table.
    """

    method: str
    url: str
    headers: dict
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


def verify(source, d: Delivery, now, env) -> None:
    """:raises Rejected: the secret is unset, a header is missing, the timestamp is stale, the signature differs."""
    secret = env.get(source.secret_env)
    if not secret:
        raise Rejected(f"the secret of source '{source.code}' is not configured (${source.secret_env})")
    if source.kind == "hubspot":
        signature, stamp = d.header("X-HubSpot-Signature-v3"), d.header("X-HubSpot-Request-Timestamp")
        if not signature or not stamp:
            reason = "missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp"
            if d.header("X-HubSpot-Signature"):
                reason += " (a v1 or v2 signature carries no timestamp and is not accepted)"
            raise Rejected(reason)
        check_window(stamp, 1000, source.replay_window, now)
        uri = hubspot_v3_uri(source.public_url or d.url)
        text = d.method.upper().encode() + uri.encode() + d.body + stamp.encode()
        expected = base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()
    else:
        signature, stamp = d.header(HMAC_SIGNATURE), d.header(HMAC_TIMESTAMP)
        if not signature or not stamp:
            raise Rejected(f"missing {HMAC_SIGNATURE} or {HMAC_TIMESTAMP}")
        check_window(stamp, 1, source.replay_window, now)
        digest = hmac.new(secret.encode(), stamp.encode() + b"." + d.body, hashlib.sha256).hexdigest()
        expected = f"sha256={digest}"
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise Rejected("signature does not match")


def hubspot_v3_uri(url: str) -> str:
    """The URI as HubSpot puts it in the v3 signed text."""
    return _HUBSPOT_V3_ESCAPES.sub(lambda m: HUBSPOT_V3_DECODED[m.group().upper()], url)


def check_window(stamp: str, per_second: int, window: int, now) -> None:
    try:
        sent = int(stamp) / per_second
    except ValueError:
        raise Rejected("timestamp is not a number") from None
    if abs(now.timestamp() - sent) > window:
        raise Rejected(f"timestamp outside the replay window of {window} s")

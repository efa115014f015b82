"""Signed CRM webhook deliveries shaped as the vendors document them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


# HubSpot's table of the escapes it decodes in the URI before signing (v3); every other
# escape, such as %20, %25, %2B or %7E, stays in the signed text as it was sent.
HUBSPOT_V3_DECODED = {"%3A": ":", "%2F": "/", "%3F": "?", "%40": "@", "%21": "!", "%24": "$",
                      "%27": "'", "%28": "(", "%29": ")", "%2A": "*", "%2C": ",", "%3B": ";"}


def hubspot_v3_signature(secret: str, method: str, uri: str, body: bytes, timestamp_ms, *,
                         decoded: dict = HUBSPOT_V3_DECODED) -> str:
    """base64(HMAC-SHA256(client secret, method + URI + body + timestamp)), the URI's listed escapes decoded."""
    for escape, char in decoded.items():
        uri = uri.replace(escape, char)
    text = method.encode() + uri.encode() + body + str(timestamp_ms).encode()
    return base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()


def hubspot_v2_signature(secret: str, method: str, uri: str, body: bytes) -> str:
    """hex(SHA-256(client secret + method + URI + body)): no timestamp, the URI exactly as called."""
    return hashlib.sha256(secret.encode() + method.encode() + uri.encode() + body).hexdigest()


def hubspot_v1_signature(secret: str, body: bytes) -> str:
    """hex(SHA-256(client secret + body)): neither the URI nor a timestamp."""
    return hashlib.sha256(secret.encode() + body).hexdigest()


def hubspot_headers(secret: str, method: str, url: str, body: bytes, timestamp_ms: int) -> dict:
    """The headers of a webhooks-API delivery: the v3 signature, and the v1 one HubSpot still sends beside it."""
    return {"Content-Type": "application/json",
            "X-HubSpot-Signature-v3": hubspot_v3_signature(secret, method, url, body, timestamp_ms),
            "X-HubSpot-Request-Timestamp": str(timestamp_ms),
            "X-HubSpot-Signature": hubspot_v1_signature(secret, body), "X-HubSpot-Signature-Version": "v1",
            "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)"}


def hmac_headers(secret: str, body: bytes, timestamp_s: int) -> dict:
    """The shared-secret HMAC Salesforce (Apex/Flow callout) and Dynamics 365 senders are set up with."""
    digest = hmac.new(secret.encode(), str(timestamp_s).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Steerco-Signature": f"sha256={digest}",
            "X-Steerco-Timestamp": str(timestamp_s)}


def hubspot_deal_stage_event(event_id: int, deal_id: int, stage: str, occurred_ms: int, attempt: int = 0) -> dict:
    """One event of a HubSpot webhooks-API batch (subscription ``deal.propertyChange`` on ``dealstage``)."""
    return {"eventId": event_id, "subscriptionId": 2471936, "portalId": 62515, "appId": 1160452,
            "occurredAt": occurred_ms, "subscriptionType": "deal.propertyChange", "attemptNumber": attempt,
            "objectId": deal_id, "propertyName": "dealstage", "propertyValue": stage, "changeSource": "CRM",
            "sourceId": "userId:1234567"}


def salesforce_opportunity(event_id: str, opp_id: str, name: str, stage: str, amount, owner_email: str) -> dict:
    """An Opportunity change posted by a Salesforce Flow HTTP callout (record fields as the REST API names them)."""
    return {"id": event_id, "type": "OpportunityClosedWon", "createdDate": "2026-11-02T08:59:00.000Z",
            "sobject": {"attributes": {"type": "Opportunity", "url": f"/services/data/v61.0/sobjects/Opportunity/{opp_id}"},
                        "Id": opp_id, "Name": name, "StageName": stage, "Amount": amount, "CurrencyIsoCode": "EUR",
                        "CloseDate": "2026-11-01", "Owner": {"Email": owner_email}}}


def body_of(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()

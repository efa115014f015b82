"""Signed CRM webhook deliveries shaped as the vendors document them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import unquote


def hubspot_headers(secret: str, method: str, url: str, body: bytes, timestamp_ms: int) -> dict:
    """HubSpot's v3 request signature: base64(HMAC-SHA256(secret, method + uri + body + timestamp))."""
    text = method.encode() + unquote(url).encode() + body + str(timestamp_ms).encode()
    sig = base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest()).decode()
    return {"Content-Type": "application/json", "X-HubSpot-Signature-v3": sig,
            "X-HubSpot-Request-Timestamp": str(timestamp_ms), "X-HubSpot-Signature-Version": "v3",
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

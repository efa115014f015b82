"""HubSpot's own signature test vectors and v3 URI decoding table, run through the trigger verifier.

The vectors are public data kept in shared/ beside the repository (see shared/SOURCES.md): they are
read there, never copied in.
"""

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import unquote

import pytest

from steerco.services.integration.signatures import Delivery, Rejected, verify
from support import shared
from support.crm import HUBSPOT_V3_DECODED, hubspot_v1_signature, hubspot_v2_signature, hubspot_v3_signature

VECTORS = shared.path("vendor-samples", "hubspot", "signature-vectors.json")
if not VECTORS.is_file():
    pytest.skip(f"HubSpot's signature vectors are not at {VECTORS}: shared/ beside the repository holds them",
                allow_module_level=True)
DATA = json.loads(VECTORS.read_text(encoding="utf-8"))
TABLE = DATA["uri_decoding_before_v3_signing"]["map"]
BASE = DATA["v3"][0]
SECRET_ENV = "HUBSPOT_CLIENT_SECRET"
SOURCE = SimpleNamespace(code="hubspot", kind="hubspot", secret_env=SECRET_ENV, replay_window=300, public_url="")
# Escapes outside the table, which stay encoded (the file names %20 and %2B); decoding %25 or %2B would
# also change what the value means.
KEPT = ("%20", "%25", "%2B", "%7E", "%3D", "%26", "%23", "%C3%A9")


def at(timestamp_ms) -> datetime:
    return datetime.fromtimestamp(int(timestamp_ms) / 1000, tz=timezone.utc)


def check(uri, signature, timestamp, *, body=BASE["body"], secret=BASE["client_secret"], now=None, method="POST"):
    headers = {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp}
    verify(SOURCE, Delivery(method, uri, headers, body.encode()), now or at(timestamp), {SECRET_ENV: secret})


@pytest.mark.parametrize("v", DATA["v3"], ids=lambda v: v["id"])
def test_hubspot_v3_vectors_are_accepted_and_refused_once_altered(v):
    check(v["uri"], v["expected_signature"], v["timestamp"], body=v["body"], secret=v["client_secret"],
          method=v["method"])
    with pytest.raises(Rejected, match="^signature does not match$"):
        check(v["uri"], v["expected_signature"], v["timestamp"], body=v["body"] + " ", secret=v["client_secret"])


@pytest.mark.parametrize("escape", sorted(TABLE))
def test_an_escape_in_hubspots_table_is_signed_decoded(escape):
    uri = f"{BASE['uri']}?a=x{escape}y&b=%20"
    check(uri, hubspot_v3_signature("s", "POST", uri, BASE["body"].encode(), 1, decoded=TABLE), "1", secret="s")
    with pytest.raises(Rejected, match="^signature does not match$"):
        check(uri, hubspot_v3_signature("s", "POST", uri, BASE["body"].encode(), 1, decoded={}), "1", secret="s")


def test_an_escape_in_the_table_may_be_written_in_lowercase():
    """RFC 3986 makes %3a and %3A the same character, and the table lists characters."""
    sent = f"{BASE['uri']}?at=10%3a30&to=a%2fb"
    signed = hubspot_v3_signature("s", "POST", sent.replace("%3a", "%3A").replace("%2f", "%2F"),
                                  BASE["body"].encode(), 1, decoded=TABLE)
    check(sent, signed, "1", secret="s")


@pytest.mark.parametrize("escape", KEPT)
def test_an_escape_outside_hubspots_table_is_signed_as_sent(escape):
    uri = f"{BASE['uri']}?a=x{escape}y&path=a%2Fb"
    check(uri, hubspot_v3_signature("s", "POST", uri, BASE["body"].encode(), 1, decoded=TABLE), "1", secret="s")
    with pytest.raises(Rejected, match="^signature does not match$"):
        check(uri, hubspot_v3_signature("s", "POST", unquote(uri), BASE["body"].encode(), 1), "1", secret="s")


def test_the_derived_decoded_uri_case():
    """Computed from the table by the file's author, not by HubSpot: a check on the table, not a vendor vector."""
    derived = DATA["derived_not_from_hubspot"][0]
    check(derived["received_uri"], derived["expected_signature"], derived["timestamp"], body=derived["body"])
    with pytest.raises(Rejected, match="^signature does not match$"):
        check(derived["received_uri"], derived["signature_if_uri_not_decoded"], derived["timestamp"],
              body=derived["body"])


def test_the_test_helper_signs_every_hubspot_vector():
    """The end-to-end tests sign with this helper: it must be HubSpot's procedure, table included."""
    assert HUBSPOT_V3_DECODED == TABLE
    for v in DATA["v3"]:
        assert hubspot_v3_signature(v["client_secret"], v["method"], v["uri"], v["body"].encode(),
                                    v["timestamp"]) == v["expected_signature"], v["id"]
    for v in DATA["v2"]:
        assert hubspot_v2_signature(v["client_secret"], v["method"], v["uri"],
                                    v["body"].encode()) == v["expected_signature"], v["id"]
    for v in DATA["v1"]:
        assert hubspot_v1_signature(v["client_secret"], v["body"].encode()) == v["expected_signature"], v["id"]


@pytest.mark.parametrize("v", DATA["v1"] + DATA["v2"], ids=lambda v: v["id"])
def test_a_v1_or_v2_signature_alone_is_refused_for_want_of_a_timestamp(v):
    headers = {"X-HubSpot-Signature": v["expected_signature"], "X-HubSpot-Signature-Version": v["id"][:2]}
    delivery = Delivery(v.get("method", "POST"), v.get("uri", BASE["uri"]), headers, v["body"].encode())
    with pytest.raises(Rejected, match="missing X-HubSpot-Signature-v3 .* carries no timestamp"):
        verify(SOURCE, delivery, at(BASE["timestamp"]), {SECRET_ENV: v["client_secret"]})


def test_hubspots_timestamp_cases():
    """Missing, expired and non-numeric timestamps are refused; a signature made now is accepted."""
    ts, sig = BASE["timestamp"], BASE["expected_signature"]
    with pytest.raises(Rejected, match="missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp"):
        verify(SOURCE, Delivery("POST", BASE["uri"], {"X-HubSpot-Signature-v3": sig}, BASE["body"].encode()),
               at(ts), {SECRET_ENV: BASE["client_secret"]})
    with pytest.raises(Rejected, match="outside the replay window of 300 s"):
        check(BASE["uri"], sig, ts, now=at(ts) + timedelta(seconds=301))
    with pytest.raises(Rejected, match="timestamp is not a number"):
        check(BASE["uri"], sig, "wrong_timestamp", now=at(ts))
    now = datetime.now(timezone.utc)
    stamp = str(int(now.timestamp() * 1000))
    check(BASE["uri"], hubspot_v3_signature(BASE["client_secret"], "POST", BASE["uri"], BASE["body"].encode(), stamp),
          stamp, now=now)

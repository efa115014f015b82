"""A local S/4HANA journal-entry OData V2 service (API_JOURNALENTRYITEMBASIC_SRV) on 127.0.0.1.

It answers like SAP Gateway: ``$metadata`` (SAP's published file from ../shared when present, else
``sap_metadata.xml``), ``d.results`` aggregated by the ``$select``-ed dimensions (the entity is
``sap:semantics="aggregate"``), ``$filter`` on filterable properties only, server-driven paging with
``__next`` / ``$skiptoken``, ``$inlinecount``, Basic auth or OAuth client-credentials bearer tokens,
401 / 403 / 429 (Retry-After) / 503, and errors as Gateway JSON bodies
(``error.code``, ``error.message.value``, ``error.innererror``)::

    with FakeSap("STEERCO_COMM", "pw") as sap:
        sap.post(CompanyCode="1010", FiscalYearPeriod="2026011", CostCenter="10101101", amount="125.00")
        sap.service_url
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from support import shared
from support.fake_http import FakeHttpServer

SERVICE = "/sap/opu/odata/sap/API_JOURNALENTRYITEMBASIC_SRV"
ENTITY_SET = "A_JournalEntryItemBasic"
TOKEN_PATH = "/oauth/token"
OWN_METADATA = Path(__file__).with_name("sap_metadata.xml")
_EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
_SAP = "{http://www.sap.com/Protocols/SAPData}"
_ODATA4 = "{http://docs.oasis-open.org/odata/ns/edm}"
RESOLUTION = {"SAP_Transaction": "For backend administrators: use ADT feed reader \"SAP Gateway Error Log\" or "
                                 "run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries "
                                 "with the timestamp above for more details",
              "SAP_Note": "See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)"}


def metadata_bytes(prefer_vendor: bool = True) -> bytes:
    """SAP's published $metadata from ../shared when it is there, else Steerco's own minimal file."""
    vendor = shared.path("vendor-samples", "sap", "API_JOURNALENTRYITEMBASIC_SRV.edmx")
    return (vendor if prefer_vendor and vendor.exists() else OWN_METADATA).read_bytes()


def gateway_error(code: str, message: str, *, transaction: str | None = None) -> dict:
    """An error body in SAP Gateway's OData V2 JSON shape."""
    return {"error": {"code": code, "message": {"lang": "en", "value": message}, "innererror": {
        "application": {"component_id": "FI-GL-IS", "service_namespace": "/SAP/",
                        "service_id": "API_JOURNALENTRYITEMBASIC_SRV", "service_version": "0001"},
        "transactionid": transaction or secrets.token_hex(16).upper(), "timestamp": "20261102090000.1234560",
        "Error_Resolution": RESOLUTION, "errordetails": []}}}


class FakeSap:
    def __init__(self, user: str = "STEERCO_COMM", password: str = "secret", *, client_id: str | None = None,
                 client_secret: str | None = None, metadata: bytes | None = None, page_size: int = 1000):
        self.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.client = (client_id, client_secret)
        self.metadata = metadata if metadata is not None else metadata_bytes()
        self.properties, self.type_name = _properties(self.metadata)
        self.page_size = page_size
        self.postings: list[dict] = []
        self.tokens: set[str] = set()
        self.rate_limited = 0        # answer the next N data calls with 429 and Retry-After
        self.unavailable = 0         # ... with 503 and Retry-After
        self.failing = 0             # ... with 500 and a Gateway body
        self.retry_after = "0"
        self.next_error: tuple[int, dict] | None = None   # answer the next data call with this status and body
        self.malformed: str | None = None                  # "truncated", "no_results", "amount"
        self.queries: list[dict] = []
        self._cache: dict[tuple, list[dict]] = {}
        self._server = FakeHttpServer(self.handle)

    def __enter__(self):
        self._server.__enter__()
        self.url = self._server.url
        self.service_url = self.url + SERVICE
        self.token_url = self.url + TOKEN_PATH
        return self

    def __exit__(self, *exc):
        self._server.__exit__(*exc)

    @property
    def requests(self):
        return self._server.requests

    # -- data ---------------------------------------------------------------------------------------------
    def post(self, *, amount, currency="EUR", Ledger="0L", CompanyCode="1010", FiscalYearPeriod="2026011", **dims):
        """Book a journal entry item; the amount goes to the company-code (and transaction, global) amount."""
        year, period = FiscalYearPeriod[:4], FiscalYearPeriod[4:]
        item = {"Ledger": Ledger, "CompanyCode": CompanyCode, "LedgerFiscalYear": year, "FiscalPeriod": period,
                "FiscalYearPeriod": FiscalYearPeriod, "CompanyCodeCurrency": currency,
                "TransactionCurrency": currency, "GlobalCurrency": currency, **dims}
        for k in ("AmountInCompanyCodeCurrency", "AmountInTransactionCurrency", "AmountInGlobalCurrency"):
            item[k] = Decimal(str(amount))
        self.postings.append(item)
        self._cache.clear()

    def expire_tokens(self):
        self.tokens.clear()

    # -- HTTP ---------------------------------------------------------------------------------------------
    def handle(self, req):
        if req.path == TOKEN_PATH:
            return self._token(req)
        auth = req.headers.get("authorization", "")
        if auth.startswith("Bearer "):
            if auth[7:] not in self.tokens:
                return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, \
                    {"error": "invalid_token", "error_description": "The access token expired"}
        elif auth != self.basic:
            return 401, {"WWW-Authenticate": 'Basic realm="SAP NetWeaver Application Server [S4H/100]"',
                         "Content-Type": "text/html; charset=utf-8"}, \
                b"<html><head><title>Logon Error Message</title></head><body>Anmeldung fehlgeschlagen</body></html>"
        if req.path == SERVICE + "/$metadata":
            return 200, {"Content-Type": "application/xml", "dataserviceversion": "2.0"}, self.metadata
        if not req.path.startswith(SERVICE + "/"):
            return 404, {}, gateway_error("/IWFND/MED/170", f"No service found for namespace '', name "
                                                            f"'{req.path.rsplit('/', 1)[-1]}', version '0001'")
        name = req.path[len(SERVICE) + 1:]
        if name != ENTITY_SET:
            return 404, {}, gateway_error("/IWBEP/CM_MGW_RT/021", f"Resource not found for segment '{name}'")
        if self.next_error:
            status, body = self.next_error
            self.next_error = None
            return status, {}, body
        for attr, status, body in (("rate_limited", 429, b"Too many requests"),
                                   ("unavailable", 503, b"<html><body>Service Unavailable</body></html>"),
                                   ("failing", 500, None)):
            if getattr(self, attr):
                setattr(self, attr, getattr(self, attr) - 1)
                if body is None:
                    return 500, {}, gateway_error("/IWBEP/CM_MGW_RT/004", "Runtime Error: TSV_TNEW_PAGE_ALLOC_FAILED")
                return status, {"Retry-After": self.retry_after, "Content-Type": "text/html"}, body
        return self._entities(req)

    def _token(self, req):
        auth = req.headers.get("authorization", "")
        form = dict(parse_qsl(req.body.decode()))
        expected = "Basic " + base64.b64encode(f"{self.client[0]}:{self.client[1]}".encode()).decode()
        if req.method != "POST" or form.get("grant_type") != "client_credentials":
            return 400, {}, {"error": "unsupported_grant_type"}
        if self.client[0] is None or auth != expected:
            return 401, {}, {"error": "invalid_client", "error_description": "Bad credentials"}
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {}, {"access_token": token, "token_type": "bearer", "expires_in": 43199, "scope": "uaa.resource"}

    def _entities(self, req):
        q = req.query
        select = [s for s in (q.get("$select") or "").split(",") if s]
        unknown = [s for s in select if s not in self.properties]
        if unknown:
            return 400, {}, gateway_error("/IWBEP/CM_MGW_RT/022", f"Property '{unknown[0]}' is invalid")
        try:
            predicate = Filter(q.get("$filter") or "", self.properties).parse()
        except FilterError as e:
            return 400, {}, gateway_error(e.code, str(e))
        self.queries.append({"select": select, "filter": q.get("$filter"), "skiptoken": q.get("$skiptoken")})
        key = (tuple(select), q.get("$filter"))
        rows = self._cache.get(key)
        if rows is None:
            rows = self._cache[key] = self._aggregate([p for p in self.postings if predicate(p)], select)
        start = int(q.get("$skiptoken") or 0)
        size = int(q["$top"]) if q.get("$top") else self.page_size
        page = rows[start:start + size]
        d: dict = {"results": [self._entry(r) for r in page]}
        if q.get("$inlinecount") == "allpages":
            d["__count"] = str(len(rows))
        if not q.get("$top") and start + size < len(rows):
            rest = [(k, v) for k, v in q.items() if k != "$skiptoken"] + [("$skiptoken", str(start + size))]
            d["__next"] = f"{self.service_url}/{ENTITY_SET}?{urlencode(rest, quote_via=quote, safe='$,()')}"
        return 200, {"dataserviceversion": "2.0"}, self._encode({"d": d})

    def _aggregate(self, items, select):
        dims = [s for s in select if self.properties[s]["role"] != "measure"] or \
            [n for n, p in self.properties.items() if p["role"] == "dimension"]
        measures = [s for s in select if self.properties[s]["role"] == "measure"]
        groups: dict[tuple, dict] = {}
        sums: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))
        for item in items:
            k = tuple(item.get(d, "") for d in dims)
            groups.setdefault(k, {d: item.get(d, "") for d in dims})
            for m in measures:
                sums[k][m] += item.get(m, Decimal(0))
        out = []
        for k, row in groups.items():
            row = dict(row)
            row.update({m: sums[k][m] for m in measures})
            row["ID"] = ".".join(f"{i}~{v}" for i, v in enumerate(k, 1))
            out.append(row)
        return out

    def _entry(self, row):
        uri = f"{self.service_url}/{ENTITY_SET}('{quote(row['ID'], safe='')}')"
        out = {"__metadata": {"id": uri, "uri": uri, "type": self.type_name}}
        for k, v in row.items():
            if k == "ID":
                continue
            out[k] = f"{v:.3f}" if isinstance(v, Decimal) else v
        if self.malformed == "amount" and "AmountInCompanyCodeCurrency" in out:
            out["AmountInCompanyCodeCurrency"] = "12,5O"
        return out

    def _encode(self, body):
        if self.malformed == "truncated":
            return json.dumps(body).encode()[:-7]
        if self.malformed == "no_results":
            return json.dumps({"d": {"entries": body["d"]["results"]}}).encode()
        return body


def _properties(metadata: bytes):
    """``{name: {"type", "filterable", "role"}}`` of the journal-entry entity type, and its qualified name."""
    root = ET.fromstring(metadata)
    schema = next(root.iter(f"{_EDM}Schema"))
    entity = next(e for e in schema.iter(f"{_EDM}EntityType") if e.get("Name") == "A_JournalEntryItemBasicType")
    restricted = {p.text for a in root.iter(f"{_ODATA4}Annotation") if a.get("Term") == "Capabilities.FilterRestrictions"
                  for p in a.iter(f"{_ODATA4}PropertyPath")}
    props = {p.get("Name"): {"type": p.get("Type"), "role": p.get(f"{_SAP}aggregation-role") or "attribute",
                             "filterable": p.get(f"{_SAP}filterable") != "false" and p.get("Name") not in restricted}
             for p in entity.iter(f"{_EDM}Property")}
    return props, f"{schema.get('Namespace')}.{entity.get('Name')}"


class FilterError(Exception):
    def __init__(self, code, message):
        self.code = code
        super().__init__(message)


class Filter:
    """The $filter subset the journal-entry service is asked: ``eq ne gt ge lt le``, ``and or not``, parentheses,
    string literals; a property that is not filterable is refused as SAP does."""

    TOKEN = re.compile(r"\s*(?:(\()|(\))|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_]*)|(\S))")
    OPS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
           "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b}

    def __init__(self, text, properties):
        self.properties = properties
        self.tokens = []
        pos = 0
        while pos < len(text.rstrip()):
            m = self.TOKEN.match(text, pos)
            if not m or m.group(5):
                raise FilterError("/IWBEP/CM_MGW_RT/001", f"Invalid token detected at position {pos + 1}")
            pos = m.end()
            kind = "(" if m.group(1) else ")" if m.group(2) else "str" if m.group(3) is not None else "name"
            self.tokens.append((kind, m.group(3).replace("''", "'") if kind == "str" else m.group(m.lastindex)))
        self.i = 0

    def parse(self):
        if not self.tokens:
            return lambda _item: True
        pred = self._or()
        if self.i != len(self.tokens):
            raise FilterError("/IWBEP/CM_MGW_RT/001", f"Invalid token detected at position {self.i + 1}")
        return pred

    def _peek(self, value=None):
        tok = self.tokens[self.i] if self.i < len(self.tokens) else (None, None)
        return tok if value is None or tok[1] == value else None

    def _take(self):
        tok = self._peek()
        self.i += 1
        return tok

    def _or(self):
        left = self._and()
        while self._peek("or"):
            self._take()
            right, prev = self._and(), left
            left = lambda item, a=prev, b=right: a(item) or b(item)  # noqa: E731
        return left

    def _and(self):
        left = self._not()
        while self._peek("and"):
            self._take()
            right, prev = self._not(), left
            left = lambda item, a=prev, b=right: a(item) and b(item)  # noqa: E731
        return left

    def _not(self):
        if self._peek("not"):
            self._take()
            inner = self._not()
            return lambda item: not inner(item)
        if self._peek("("):
            self._take()
            inner = self._or()
            if self._take()[0] != ")":
                raise FilterError("/IWBEP/CM_MGW_RT/001", "Closing parenthesis expected")
            return inner
        kind, name = self._take()
        if kind != "name":
            raise FilterError("/IWBEP/CM_MGW_RT/001", "Property name expected")
        if name not in self.properties:
            raise FilterError("/IWBEP/CM_MGW_RT/022", f"Property '{name}' is invalid")
        if not self.properties[name]["filterable"]:
            raise FilterError("/IWBEP/CM_MGW_RT/020", f"Property '{name}' is not filterable")
        _k, op = self._take()
        kind, value = self._take()
        if op not in self.OPS or kind != "str":
            raise FilterError("/IWBEP/CM_MGW_RT/001", f"Invalid filter expression for '{name}'")
        test = self.OPS[op]
        return lambda item: test(item.get(name, ""), value)

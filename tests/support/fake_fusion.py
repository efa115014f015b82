"""A local Oracle Fusion Cloud ERP REST service (journal lines) on 127.0.0.1.

It answers like Oracle's REST framework: the collection envelope (``items``,
``count``, ``hasMore``, ``limit``, ``offset``, ``links``), ``limit``/``offset``
paging, ``fields`` to cut the attributes, ``q`` filters in the expression form
(``Attr = 'v' and Attr > 'v'``), ``describe`` with the resource's attributes,
Basic auth or OAuth client-credentials bearer tokens, 401 / 403 / 429
(Retry-After) / 503, and errors as the framework's JSON error bodies
(``title``, ``detail``, ``o:errorCode``, ``o:errorDetails``)::

    with FakeFusion("STEERCO.INTEGRATION", "pw") as fusion:
        fusion.post(period="Nov-26", account="101-10101101-61000", debit="125.00")
        fusion.base_url
"""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from support.fake_http import FakeHttpServer

RESOURCE = "/fscmRestApi/resources/11.13.18.05/journalLines"
TOKEN_PATH = "/oauth2/v1/token"
ATTRIBUTES = ("JeHeaderId", "JeLineNumber", "LedgerName", "PeriodName", "CurrencyCode", "EnteredDebitAmount",
              "EnteredCreditAmount", "AccountedDebitAmount", "AccountedCreditAmount", "AccountCombination",
              "Description", "ProjectNumber", "Status", "LastUpdateDate", "LastUpdatedBy", "CreationDate")
_CONDITION = re.compile(r"^\s*(\w+)\s*(=|>=|<=|>|<|!=)\s*'((?:[^']|'')*)'\s*$")


def oracle_error(status: int, title: str, detail: str, code: str | None = None) -> dict:
    """An error body in the REST framework's JSON shape."""
    return {"type": "http://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html", "title": title, "status": str(status),
            "detail": detail, **({"o:errorCode": code} if code else {}),
            "o:errorDetails": [{"detail": detail, **({"o:errorCode": code} if code else {})}]}


class FakeFusion:
    def __init__(self, user: str = "STEERCO.INTEGRATION", password: str = "secret", *, client_id: str | None = None,
                 client_secret: str | None = None, max_limit: int = 500):
        self.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.client = (client_id, client_secret)
        self.max_limit = max_limit
        self.lines: list[dict] = []
        self.tokens: set[str] = set()
        self.rate_limited = 0        # answer the next N data calls with 429 and Retry-After
        self.unavailable = 0         # ... with 503 and Retry-After
        self.failing = 0             # ... with 500 and an error body
        self.retry_after = "0"
        self.next_error: tuple[int, dict] | None = None
        self.malformed: str | None = None     # "no_items", "count", "amount", "text"
        self.attributes = list(ATTRIBUTES)
        self.queries: list[dict] = []
        self.clock = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
        self._server = FakeHttpServer(self.handle)

    def __enter__(self):
        self._server.__enter__()
        self.base_url = self._server.url
        self.token_url = self._server.url + TOKEN_PATH
        return self

    def __exit__(self, *exc):
        self._server.__exit__(*exc)

    # -- the ledger -----------------------------------------------------------------------------------------
    def post(self, *, period: str, account: str, debit=None, credit=None, currency: str = "EUR",
             ledger: str = "DE Primary Ledger", description: str = "", project: str = "") -> dict:
        """Post a journal line; its LastUpdateDate is the fake's clock, one second later each time."""
        self.clock += timedelta(seconds=1)
        line = {"JeHeaderId": 300000001 + len(self.lines) // 10, "JeLineNumber": len(self.lines) % 10 + 1,
                "LedgerName": ledger, "PeriodName": period, "CurrencyCode": currency,
                "EnteredDebitAmount": _number(debit), "EnteredCreditAmount": _number(credit),
                "AccountedDebitAmount": _number(debit), "AccountedCreditAmount": _number(credit),
                "AccountCombination": account, "Description": description, "ProjectNumber": project or None,
                "Status": "P", "LastUpdateDate": self._stamp(), "LastUpdatedBy": "FIN.ACCOUNTANT",
                "CreationDate": self._stamp()}
        self.lines.append(line)
        return line

    def change(self, line: dict, **values) -> None:
        """Change a posted line (e.g. ``EnteredDebitAmount=...``); its LastUpdateDate moves on."""
        self.clock += timedelta(seconds=1)
        line.update(values, LastUpdateDate=self._stamp())

    def _stamp(self) -> str:
        return self.clock.isoformat(timespec="milliseconds")

    # -- HTTP -----------------------------------------------------------------------------------------------
    def handle(self, req):
        if req.path == TOKEN_PATH and req.method == "POST":
            return self._token(req)
        if not self._authorised(req.headers.get("authorization") or ""):
            return 401, {"WWW-Authenticate": 'Basic realm="Oracle"'}, oracle_error(401, "Unauthorized",
                                                                                  "Authentication failed.")
        if req.path == RESOURCE + "/describe":
            return 200, {}, {"Resources": {"journalLines": {
                "discrColumnType": False, "title": "Journal Lines",
                "attributes": [{"name": a, "type": "string", "queryable": True} for a in self.attributes],
                "links": [{"rel": "self", "href": self.base_url + RESOURCE + "/describe", "name": "self",
                           "kind": "describe"}]}}}
        if req.path != RESOURCE:
            return 404, {}, oracle_error(404, "Not Found", f"The resource {req.path} is not found.")
        for attr, status, title in (("rate_limited", 429, "Too Many Requests"),
                                    ("unavailable", 503, "Service Unavailable")):
            if getattr(self, attr):
                setattr(self, attr, getattr(self, attr) - 1)
                return status, {"Retry-After": self.retry_after}, oracle_error(status, title, "Try again later.")
        if self.failing:
            self.failing -= 1
            return 500, {}, oracle_error(500, "Internal Server Error", "JBO-29000: Unexpected exception caught.",
                                         "JBO-29000")
        if self.next_error:
            status, body = self.next_error
            self.next_error = None
            return status, {}, body
        return self._collection(req)

    def _authorised(self, header: str) -> bool:
        if header == self.basic:
            return True
        return header.startswith("Bearer ") and header[7:] in self.tokens

    def _token(self, req):
        pair = req.headers.get("authorization") or ""
        expected = "Basic " + base64.b64encode(f"{self.client[0]}:{self.client[1]}".encode()).decode()
        if not self.client[0] or pair != expected:
            return 401, {}, {"error": "invalid_client", "error_description": "Client authentication failed."}
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {}, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def _collection(self, req):
        q = req.query
        fields = [f for f in (q.get("fields") or "").split(",") if f] or list(self.attributes)
        unknown = [f for f in fields if f not in self.attributes]
        if unknown:
            return 400, {}, oracle_error(400, "Bad Request", f"URL request parameter fields with value "
                                                             f"{unknown[0]} is invalid.")
        try:
            conditions = _parse(q.get("q") or "")
        except ValueError as e:
            return 400, {}, oracle_error(400, "Bad Request", str(e))
        for attr, _op, _v in conditions:
            if attr not in self.attributes:
                return 400, {}, oracle_error(400, "Bad Request", f"Attribute {attr} in the query is not found.",
                                             "27024")
        limit, offset = min(int(q.get("limit") or 25), self.max_limit), int(q.get("offset") or 0)
        self.queries.append({"q": q.get("q"), "fields": fields, "limit": limit, "offset": offset})
        found = [line for line in self.lines if all(_holds(line.get(a), op, v) for a, op, v in conditions)]
        page = [{f: line.get(f) for f in fields} for line in found[offset:offset + limit]]
        has_more = offset + limit < len(found)
        if self.malformed == "amount" and page:
            page[0]["EnteredDebitAmount"] = "twelve"
        body = {"items": page, "count": len(page), "hasMore": has_more, "limit": limit, "offset": offset,
                "links": [{"rel": "self", "href": self._link(q, offset), "name": "journalLines",
                           "kind": "collection"}]}
        if self.malformed == "no_items":
            del body["items"]
        elif self.malformed == "count":
            body["count"] = len(page) + 1
        elif self.malformed == "text":
            return 200, {"Content-Type": "text/html"}, b"<html><body>Oracle Fusion maintenance</body></html>"
        return 200, {"Content-Type": "application/json"}, body

    def _link(self, q, offset) -> str:
        return f"{self.base_url}{RESOURCE}?{urlencode({**q, 'offset': offset})}"


def _number(value):
    return None if value is None else float(value)


def _parse(q: str) -> list[tuple[str, str, str]]:
    """``Attr op 'value'`` conditions joined by ``and`` (the expression form of ``q``)."""
    if not q.strip():
        return []
    out = []
    for part in re.split(r"\s+and\s+", q.strip(), flags=re.IGNORECASE):
        m = _CONDITION.match(part)
        if not m:
            raise ValueError(f"The query expression {part!r} is not valid.")
        out.append((m.group(1), m.group(2), m.group(3).replace("''", "'")))
    return out


def _holds(value, op: str, literal: str) -> bool:
    if value is None:
        return False
    a, b = str(value), literal
    if op in (">", ">=", "<", "<=") and re.match(r"^\d{4}-\d\d-\d\dT", a) and re.match(r"^\d{4}-\d\d-\d\dT", b):
        a, b = datetime.fromisoformat(a), datetime.fromisoformat(b)
    return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]

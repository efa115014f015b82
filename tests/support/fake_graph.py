"""A local Microsoft Graph (drive items, upload sessions, paging, errors) with an Entra ID token endpoint.

Answers with the shapes of Graph's documentation as kept in
``shared/vendor-samples/msgraph/`` (driveItem, uploadSession with
``nextExpectedRanges``, ``@odata.nextLink``, the error envelope, 429 with
``Retry-After``). HTTPS on 127.0.0.1 with a self-signed certificate
(``ca_file``), because msal only talks to https authorities::

    with FakeGraph(tmp_path) as graph:
        graph.url            # https://127.0.0.1:PORT  (authority host)
        graph.graph_url      # https://127.0.0.1:PORT/v1.0
        graph.add_file("Plans/budget.xlsx", b"...")

File contents are not kept: only their size and hashes, so that a large
upload costs the fake no memory.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import itertools
import json
import ssl
from urllib.parse import parse_qs, quote, unquote

from support.fake_http import FakeHttpServer

TENANT, CLIENT_ID, SECRET = "8a2d6c1e-4b1f-4a57-9c5e-2f6d0e3b7a11", "5f0c2b7e-9d3a-4e61-8f2b-0c1d2e3f4a5b", "graph~s3cret.value"
SITE, DRIVE = "contoso.sharepoint.com,2C712604-1370-44E7-A1F5-426573FDA80A,2D2244C3-251A-49EA-93A8-39E1C3A060FE", \
    "b!BGFxLHATSUeh9UJlc_2oCsNEIi0aJepJk6g54cOgYP46WZ4cWH-CQ7WlfF5gKTAv"
WEB = "https://contoso.sharepoint.com/sites/pmo/Shared%20Documents"
EXPIRES = "2031-01-29T09:21:55.523Z"


def _error(status: int, code: str, message: str, headers=None):
    return status, headers or {}, {"error": {"code": code, "message": message, "innerError": {
        "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2", "date": "2026-12-02T12:51:51"}}}


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "graph-cert.pem", tmp_path / "graph-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class FakeGraph:
    def __init__(self, tmp_path, *, secret: str = SECRET, page_size_cap: int = 200):
        self.secret = secret
        self.cert_file, key_file = _self_signed(tmp_path)
        self.ca_file = str(self.cert_file)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, key_file)
        self._server = FakeHttpServer(self.handle, ssl_context=ctx)
        self.page_size_cap = page_size_cap
        self.tokens: set[str] = set()
        self.items: dict[str, dict] = {"root": {"id": "root", "name": "root", "folder": True, "parent": None,
                                                "path": "", "version": 1}}
        self.sessions: dict[str, dict] = {}
        self.forbidden: set[str] = set()
        self.throttled = 0  # answer the next N Graph calls with 429
        self.retry_after = "0"
        self.interrupt_fragments: set[int] = set()  # fragment numbers (1-based) cut off halfway with a 500
        self.fragments = 0
        self.conflict_body: bytes | None = None  # answer the last fragment with 409 and this body
        self._ids = itertools.count(1)

    def __enter__(self):
        self._server.__enter__()
        self.url = self._server.url
        self.graph_url = f"{self.url}/v1.0"
        return self

    def __exit__(self, *exc):
        self._server.__exit__(*exc)

    @property
    def requests(self):
        return self._server.requests

    def connector_settings(self, **extra) -> dict:
        """Settings of the SharePoint connector pointed at this fake (secret in ``GRAPH_SECRET``)."""
        return {"tenant_id": TENANT, "client_id": CLIENT_ID, "client_secret_env": "GRAPH_SECRET", "site_id": SITE,
                "drive_id": DRIVE, "authority_host": self.url, "graph_url": self.graph_url, "ca_file": self.ca_file,
                "page_size": 2, "chunk_size": 2 * 320 * 1024, **extra}

    def quiet(self):
        """Stop keeping request bodies (large uploads)."""
        self._server.record_bodies = False

    # -- data ----------------------------------------------------------------------------
    def add_file(self, path: str, content: bytes) -> str:
        item = self._at(path, create=True)
        self._write(item, len(content), hashlib.sha1(content), hashlib.sha256(content))
        return item["id"]

    def edit(self, item_id: str, content: bytes):
        self._write(self.items[item_id], len(content), hashlib.sha1(content), hashlib.sha256(content))

    def rename(self, item_id: str, name: str):
        """A metadata-only edit: Graph changes the eTag, not the content hashes or the cTag."""
        self.items[item_id]["name"] = name
        self.items[item_id]["version"] += 1

    def delete(self, item_id: str):
        del self.items[item_id]

    def add_folder(self, path: str) -> str:
        return self._at(path + "/", create=True)["id"]

    def sha256(self, item_id: str) -> str:
        return self.items[item_id]["sha256"]

    def web_url(self, item_id: str) -> str:
        return f"{WEB}/{quote(self.items[item_id]['path'])}"

    def _at(self, path: str, *, create: bool) -> dict | None:
        parent = self.items["root"]
        parts = [p for p in path.split("/") if p]
        for n, name in enumerate(parts):
            last = n == len(parts) - 1 and not path.endswith("/")
            child = next((i for i in self.items.values() if i.get("parent") == parent["id"] and i["name"] == name), None)
            if child is None:
                if not create:
                    return None
                child = {"id": f"01BYE5RZ{next(self._ids):06d}GQZRBFAVM7DXDRWUPJ", "name": name, "folder": not last,
                         "parent": parent["id"], "path": f"{parent['path']}/{name}".lstrip("/"), "version": 0,
                         "content_version": 0}
                self.items[child["id"]] = child
            parent = child
        return parent

    def _write(self, item, size, sha1, sha256):
        item.update(size=size, sha1=base64.b64encode(sha1.digest()).decode(), sha256=sha256.hexdigest(),
                    version=item["version"] + 1, content_version=item.get("content_version", 0) + 1)

    def drive_item(self, item: dict) -> dict:
        body = {"createdDateTime": "2026-09-16T03:37:04.72Z", "lastModifiedDateTime": "2026-12-01T10:00:00Z",
                "id": item["id"], "name": item["name"], "webUrl": f"{WEB}/{quote(item['path'])}",
                "eTag": f"\"{{{item['id']}}},{item['version']}\"",
                "cTag": f"\"c:{{{item['id']}}},{item.get('content_version', 0)}\"",
                "lastModifiedBy": {"user": {"displayName": "Daron Spektor", "id": "d4648f06c91d9d3d"}},
                "parentReference": {"driveId": DRIVE, "id": item["parent"], "path": "/drive/root:/"}}
        if item["folder"]:
            body.update(size=0, folder={"childCount": sum(1 for i in self.items.values()
                                                          if i.get("parent") == item["id"])})
        else:
            body.update(size=item["size"], file={"mimeType": "application/octet-stream",
                                                 "hashes": {"sha1Hash": item["sha1"]}})
        return body

    # -- HTTP ----------------------------------------------------------------------------
    def handle(self, req):
        parts = [unquote(p) for p in req.path.split("/") if p]
        if parts[:1] == [TENANT]:
            return self._identity(req, parts[1:])
        if parts[:1] == ["up"]:
            return self._fragment(req, parts[1])
        if parts[:1] != ["v1.0"]:
            return _error(404, "itemNotFound", f"no route {req.path}")
        token = req.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.tokens:
            return _error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if self.throttled:
            self.throttled -= 1
            status, headers, body = 429, {"Retry-After": self.retry_after}, json.loads(
                '{"error": {"code": "TooManyRequests", "innerError": {"code": "429", "date": "2020-08-18T12:51:51",'
                ' "message": "Please retry after", "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2",'
                ' "status": "429"}, "message": "Please retry again later."}}')
            return status, headers, body
        return self._graph(req, parts[1:])

    def _identity(self, req, rest):
        if rest == ["v2.0", ".well-known", "openid-configuration"]:
            base = f"{self.url}/{TENANT}"
            return 200, {}, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                             "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                             "issuer": f"{base}/v2.0", "token_endpoint_auth_methods_supported":
                                 ["client_secret_post", "private_key_jwt", "client_secret_basic"]}
        if rest == ["oauth2", "v2.0", "token"] and req.method == "POST":
            form = {k: v[0] for k, v in parse_qs(req.body.decode()).items()}
            ok = form.get("client_id") == CLIENT_ID and form.get("grant_type") == "client_credentials" and (
                form.get("client_secret") == self.secret or form.get("client_assertion_type") ==
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" and form.get("client_assertion"))
            if not ok:
                return 401, {}, {"error": "invalid_client", "error_description":
                                 "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
                                 "the request is the client secret value, not the client secret ID.",
                                 "error_codes": [7000215], "timestamp": "2026-12-02 12:00:00Z",
                                 "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333"}
            token = f"eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik{next(self._ids)}"
            self.tokens.add(token)
            return 200, {}, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                             "access_token": token}
        return 404, {}, {"error": "not_found"}

    def _graph(self, req, parts):
        if parts[:1] == ["shares"] and parts[2:] == ["driveItem"]:
            encoded = parts[1].removeprefix("u!")
            link = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
            item = next((i for i in self.items.values() if not i["folder"] and self.web_url(i["id"]) == link), None)
            return self._answer_item(item)
        if parts[:3] == ["sites", SITE, "drive"]:  # the site's default document library
            parts = ["drives", DRIVE, *parts[3:]]
        if parts[:2] != ["drives", DRIVE]:
            return _error(404, "itemNotFound", "The resource could not be found.")
        rest = parts[2:]
        if rest == ["root"] and req.method == "GET":
            return 200, {}, self.drive_item(self.items["root"])
        if rest[:1] == ["items"] and len(rest) == 2 and req.method == "GET":
            return self._answer_item(self.items.get(rest[1]))
        if rest[:1] in (["items"], ["root"]) and rest[-1] == "children" and req.method == "GET":
            folder = self.items.get(rest[1] if rest[0] == "items" else "root")
            return self._children(req, folder, "/".join(["drives", DRIVE, *rest]))
        if rest and rest[0].startswith("root:"):
            path, _, action = "/".join(rest)[len("root:"):].rpartition(":")
            if action == "/content" and req.method == "PUT":
                item = self._at(self._free_name(path), create=True)
                self._write(item, len(req.body), hashlib.sha1(req.body), hashlib.sha256(req.body))
                return 201, {}, self.drive_item(item)
            if action == "/createUploadSession" and req.method == "POST":
                sid = f"fe6987415ace7X4e1eF8663{next(self._ids)}"
                self.sessions[sid] = {"path": self._free_name(path), "received": 0, "sha1": hashlib.sha1(),
                                      "sha256": hashlib.sha256()}
                return 200, {}, {"uploadUrl": f"{self.url}/up/{sid}", "expirationDateTime": EXPIRES}
        return _error(400, "invalidRequest", f"unsupported {req.method} {req.path}")

    def _free_name(self, path: str) -> str:
        # conflictBehavior=rename: "budget.xlsx" becomes "budget 1.xlsx" when taken.
        stem, dot, ext = path.rpartition(".") if "." in path.rsplit("/", 1)[-1] else (path, "", "")
        candidate, n = path, 0
        while self._at(candidate, create=False) is not None:
            n += 1
            candidate = f"{stem} {n}{dot}{ext}"
        return candidate

    def _answer_item(self, item):
        if item is None:
            return _error(404, "itemNotFound", "The resource could not be found.")
        if item["id"] in self.forbidden:
            return _error(403, "accessDenied", "Access denied. You do not have permission to perform this action "
                                               "or access this resource.")
        return 200, {}, self.drive_item(item)

    def _children(self, req, folder, route):
        if folder is None:
            return _error(404, "itemNotFound", "The resource could not be found.")
        top = min(int(req.query.get("$top", "200")), self.page_size_cap)
        skip = int(req.query.get("$skiptoken", "0"))
        kids = sorted((i for i in self.items.values() if i.get("parent") == folder["id"]), key=lambda i: i["name"])
        page = {"value": [self.drive_item(i) for i in kids[skip:skip + top]]}
        if skip + top < len(kids):
            page["@odata.nextLink"] = f"{self.graph_url}/{route}?$top={top}&$skiptoken={skip + top}"
        return 200, {}, page

    def _fragment(self, req, sid):
        s = self.sessions.get(sid)
        if s is None:
            return _error(404, "itemNotFound", "The upload session was not found.")
        if "authorization" in req.headers:
            return _error(401, "unauthenticated", "The upload URL does not accept an Authorization header.")
        if req.method == "GET":
            return 200, {}, {"expirationDateTime": EXPIRES, "nextExpectedRanges": [f"{s['received']}-"]}
        first, last, total = _content_range(req.headers.get("content-range", ""))
        if first != s["received"] or last - first + 1 != len(req.body):
            return _error(416, "invalidRange", "Uploaded fragment overlaps with existing data.")
        self.fragments += 1
        body = req.body
        if self.fragments in self.interrupt_fragments:
            body = body[: len(body) // 2]  # the connection broke halfway: Graph kept what arrived
        s["sha1"].update(body)
        s["sha256"].update(body)
        s["received"] += len(body)
        if len(body) < len(req.body):
            return _error(500, "generalException", "An unspecified error has occurred.")
        if s["received"] < total:
            return 202, {}, {"expirationDateTime": EXPIRES, "nextExpectedRanges": [f"{s['received']}-"]}
        if self.conflict_body is not None:
            return 409, {"Content-Type": "application/json"}, self.conflict_body
        del self.sessions[sid]
        item = self._at(s["path"], create=True)
        self._write(item, total, s["sha1"], s["sha256"])
        # Graph's documented completion answer is a bare item: id, name, size, file.
        return 201, {}, {"id": item["id"], "name": item["name"], "size": total, "file": {}}


def _content_range(value: str) -> tuple[int, int, int]:
    try:
        span, total = value.removeprefix("bytes ").split("/")
        first, last = span.split("-")
        return int(first), int(last), int(total)
    except ValueError:
        return -1, -1, -1

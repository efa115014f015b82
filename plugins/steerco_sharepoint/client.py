"""Microsoft Graph drive calls (httpx): items, children with paging, small and resumable uploads.

Throttling (429, 503) is waited out per ``Retry-After`` a few times before
giving up as retryable; 403 and 404 on an item become :class:`ItemUnreadable`
with Graph's own message, which the checklist shows as the reason.
"""

from __future__ import annotations

import base64
import time
from typing import BinaryIO, Callable
from urllib.parse import quote

import httpx

from steerco.plugins.connector import ConnectorError
from steerco.plugins.evidence_store import ItemUnreadable, RemoteItem
from steerco.plugins.http import retry_after

MAX_WAITS = 3
MAX_WAIT = 60.0
MAX_RESUMES = 5
SELECT = "id,name,webUrl,size,eTag,cTag,file,folder,parentReference"


class GraphClient:
    def __init__(self, connector: str, http: httpx.Client, graph_url: str, site_id: str, drive_id: str | None,
                 token: Callable[[], str], *, sleep: Callable[[float], None] = time.sleep):
        """:param drive_id: a document library of the site; None: the site's default library."""
        self.connector = connector
        self.http = http
        self.base = graph_url.rstrip("/")
        self.drive = (f"{self.base}/drives/{quote(drive_id, safe='')}" if drive_id
                      else f"{self.base}/sites/{quote(site_id, safe=',')}/drive")
        self.token = token
        self.sleep = sleep

    # -- reading ---------------------------------------------------------------------
    def item(self, item_id: str) -> RemoteItem:
        url = f"{self.drive}/items/{quote(item_id, safe='')}"
        return to_item(self.call("GET", url, "read item", item=True, params={"$select": SELECT}))

    def shared(self, link: str) -> RemoteItem:
        # Graph's "shares" API takes any sharing or web URL encoded as u!<base64url, unpadded>.
        token = "u!" + base64.urlsafe_b64encode(link.encode()).decode().rstrip("=")
        return to_item(self.call("GET", f"{self.base}/shares/{token}/driveItem", "open link", item=True,
                                 params={"$select": SELECT}))

    def children(self, folder_id: str | None, cursor: str | None, top: int) -> tuple[list[RemoteItem], str | None]:
        if cursor:
            # The cursor comes back from a browser: only a Graph URL may ever receive the token.
            if not cursor.startswith(self.base + "/"):
                raise ItemUnreadable(self.connector, "list folder", "the page cursor is not one this drive gave")
            url, params = cursor, None
        else:
            where = f"items/{quote(folder_id, safe='')}" if folder_id else "root"
            url, params = f"{self.drive}/{where}/children", {"$top": str(top), "$select": SELECT}
        page = self.call("GET", url, "list folder", item=True, params=params)
        return [to_item(v) for v in page.get("value") or []], page.get("@odata.nextLink")

    # -- writing ---------------------------------------------------------------------
    def put_small(self, stream: BinaryIO, path: str, size: int) -> dict:
        url = f"{self.drive}/root:/{path}:/content"
        return self.call("PUT", url, "upload file", content=_Reader(stream, size),
                         params={"@microsoft.graph.conflictBehavior": "rename"},
                         headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)})

    def put_large(self, stream: BinaryIO, path: str, name: str, size: int, chunk: int) -> dict:
        """Upload in ``chunk``-byte fragments through an upload session, resuming where Graph says it stopped."""
        session = self.call("POST", f"{self.drive}/root:/{path}:/createUploadSession", "start upload session",
                            json={"item": {"@microsoft.graph.conflictBehavior": "rename", "name": name}})
        upload_url = session["uploadUrl"]
        offset, resumes = 0, 0
        while True:
            stream.seek(offset)
            length = min(chunk, size - offset)
            # The upload URL carries its own authorization: Graph refuses a bearer token on it. The
            # fragment is streamed too: httpx keeps a sent body alive until its reference cycles are
            # collected, so whole fragments would pile up between collections.
            try:
                r = self.http.put(upload_url, content=_Reader(stream, length), headers={
                    "Content-Length": str(length), "Content-Range": f"bytes {offset}-{offset + length - 1}/{size}"})
            except httpx.HTTPError:
                r = None
            if r is not None and r.status_code in (200, 201):
                return r.json()
            if r is not None and r.status_code == 202:
                offset = _next_offset(r.json(), size)
                continue
            if r is not None and r.status_code == 429:
                self.sleep(min(retry_after(r), MAX_WAIT))
                continue
            if r is not None and r.status_code not in (416,) and r.status_code < 500:
                raise self._error(r, "upload fragment")
            resumes += 1
            if resumes > MAX_RESUMES:
                raise ConnectorError(self.connector, "upload fragment", f"the upload stopped at byte {offset} "
                                     f"of {size} {MAX_RESUMES} times", retryable=True)
            # An interrupted or refused fragment: ask the session what it still expects.
            offset = _next_offset(self.call("GET", upload_url, "read upload session", auth=False), size)

    # -- HTTP ------------------------------------------------------------------------
    def call(self, method: str, url: str, operation: str, *, item: bool = False, auth: bool = True, **kw) -> dict:
        for wait_round in range(MAX_WAITS + 1):
            headers = dict(kw.pop("headers", None) or {})
            if auth:
                headers["Authorization"] = "Bearer " + self.token()
            try:
                r = self.http.request(method, url, headers=headers, **kw)
            except httpx.HTTPError as e:
                raise ConnectorError(self.connector, operation, f"cannot reach Microsoft Graph ({type(e).__name__})",
                                     retryable=True) from None
            kw["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if r.status_code in (429, 503):
                wait = retry_after(r)
                if wait_round < MAX_WAITS and wait <= MAX_WAIT and "content" not in kw:
                    self.sleep(wait)
                    continue
                raise ConnectorError(self.connector, operation, f"throttled by Microsoft Graph ({r.status_code})",
                                     retryable=True, retry_after=wait, status=r.status_code)
            if r.status_code >= 400:
                if item and r.status_code in (403, 404):
                    raise ItemUnreadable(self.connector, operation, _problem(r), status=r.status_code)
                raise self._error(r, operation)
            return r.json() if r.content else {}
        raise AssertionError("unreachable")

    def _error(self, r: httpx.Response, operation: str) -> ConnectorError:
        return ConnectorError(self.connector, operation, _problem(r), status=r.status_code,
                              retryable=r.status_code >= 500)


class _Reader:
    """Feeds httpx a file piece by piece, so that a PUT never holds the whole file."""

    def __init__(self, stream: BinaryIO, size: int, piece: int = 1 << 16):
        self.stream, self.size, self.piece = stream, size, piece

    def __iter__(self):
        left = self.size
        while left > 0 and (data := self.stream.read(min(self.piece, left))):
            left -= len(data)
            yield data


def to_item(d: dict) -> RemoteItem:
    hashes = (d.get("file") or {}).get("hashes") or {}
    kind = next((k for k in ("quickXorHash", "sha256Hash", "sha1Hash") if hashes.get(k)), None)
    return RemoteItem(item_id=str(d.get("id") or ""), name=str(d.get("name") or ""), web_url=d.get("webUrl"),
                      size=d.get("size"), etag=d.get("eTag"), hash=f"{kind}:{hashes[kind]}" if kind else None,
                      folder="folder" in d)


def _next_offset(session: dict, size: int) -> int:
    """The first byte Graph still expects ("12345-" or "12345-55232"); ``size`` when none is left."""
    ranges = session.get("nextExpectedRanges") or []
    if not ranges:
        return size
    try:
        return int(str(ranges[0]).split("-", 1)[0])
    except ValueError:
        return 0


def _problem(r: httpx.Response) -> str:
    what = {401: "authentication failed (check the tenant, client id and credential)",
            403: "access denied", 404: "not found (deleted or moved)", 409: "name conflict",
            416: "range not satisfiable"}.get(r.status_code, f"HTTP {r.status_code}")
    try:
        err = r.json().get("error") or {}
        message = f"{err.get('code', '')}: {err.get('message', '')}".strip(": ")
    except ValueError:
        # Graph's documented 409 body is not valid JSON (a trailing comma): still report the status.
        message = ""
    return what + (f" ({message[:300]})" if message else "")

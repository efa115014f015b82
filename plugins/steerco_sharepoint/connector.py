"""The SharePoint connector: a document library (site, drive, root folder) evidence files are kept in."""

from __future__ import annotations

import re
import ssl
import time
from urllib.parse import quote

import httpx
from marshmallow import ValidationError, fields, validate, validates_schema

from steerco.plugins.connector import Connector, ConnectorSettings, Secret
from steerco.plugins.evidence_store import EvidenceStore, RemoteItem
from steerco.services.integration.remote_evidence import check_items
from steerco_sharepoint.auth import TokenSource
from steerco_sharepoint.client import GraphClient, to_item

FRAGMENT = 320 * 1024  # Graph requires upload-session fragments in multiples of 320 KiB
SIMPLE_LIMIT = 4 * 1024 * 1024  # Graph's limit for a single PUT of content


class SharePointSettings(ConnectorSettings):
    tenant_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    client_secret = Secret(load_default=None, data_key="client_secret_env")
    certificate_key = Secret(load_default=None, data_key="certificate_key_env")
    certificate_thumbprint = fields.String(load_default=None, allow_none=True,
                                           validate=validate.Regexp(r"^[0-9A-Fa-f]{40}$",
                                                                    error="the certificate's SHA-1 thumbprint (hex)"))
    site_id = fields.String(required=True, validate=validate.Length(min=1, max=400))
    drive_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=400),
                             metadata={"description": "a library of the site; the site's default one if absent"})
    folder = fields.String(load_default="Steerco", validate=validate.Length(min=1, max=400))
    authority_host = fields.Url(load_default="https://login.microsoftonline.com", require_tld=False, schemes={"https"})
    graph_url = fields.Url(load_default="https://graph.microsoft.com/v1.0", require_tld=False)
    scope = fields.String(load_default="https://graph.microsoft.com/.default")
    ca_file = fields.String(load_default=None, allow_none=True)
    chunk_size = fields.Integer(load_default=10 * FRAGMENT,
                                validate=validate.Range(min=FRAGMENT, max=192 * FRAGMENT))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=999))
    timeout = fields.Float(load_default=30.0, validate=validate.Range(min=0.5, max=300))

    @validates_schema
    def _credential(self, data, **_kw):
        has_secret, has_cert = data.get("client_secret") is not None, data.get("certificate_key") is not None
        if has_secret == has_cert:
            raise ValidationError("set client_secret_env or certificate_key_env (with certificate_thumbprint), "
                                  "not both", "client_secret_env")
        if has_cert and not data.get("certificate_thumbprint"):
            raise ValidationError("required with certificate_key_env", "certificate_thumbprint")
        if data["chunk_size"] % FRAGMENT:
            raise ValidationError(f"a multiple of {FRAGMENT} bytes (320 KiB)", "chunk_size")


class SharePointConnector(Connector):
    name = "sharepoint"
    title = "SharePoint (Microsoft 365)"
    capabilities = frozenset({"documents"})
    Settings = SharePointSettings

    def evidence_store(self, sleep=time.sleep) -> SharePointStore:
        return SharePointStore(self, sleep)

    def sync(self, ctx):
        """Check every evidence item kept in this library: changed since submitted, or no longer readable."""
        with self.evidence_store(ctx.sleep) as store:
            # Reach the library first: a wrong credential or site fails the run, not each item.
            store.graph.call("GET", f"{store.graph.drive}/root", "open document library")
            return check_items(ctx.store, ctx.config_name, store)


class SharePointStore(EvidenceStore):
    title = "SharePoint"

    def __init__(self, connector: SharePointConnector, sleep=time.sleep):
        s = connector.settings
        self.settings = s
        verify = ssl.create_default_context(cafile=s["ca_file"]) if s["ca_file"] else True
        self.http = httpx.Client(timeout=s["timeout"], verify=verify,
                                 headers={"Accept": "application/json"})
        tokens = TokenSource(connector.name, self.http, authority=f"{s['authority_host'].rstrip('/')}/{s['tenant_id']}",
                             client_id=s["client_id"], credential=lambda: _credential(s), scope=s["scope"],
                             validate_authority=s["authority_host"].startswith("https://login.microsoftonline.com"))
        self.graph = GraphClient(connector.name, self.http, s["graph_url"], s["site_id"], s["drive_id"], tokens.token,
                                 sleep=sleep)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.http.close()

    def put(self, stream, *, name, size, folder):
        root = [p for p in self.settings["folder"].split("/") if p.strip()]
        path = "/".join(quote(_segment(p), safe="") for p in (*root, *folder, name) if p)
        if size <= SIMPLE_LIMIT:
            done = self.graph.put_small(stream, path, size)
        else:
            done = self.graph.put_large(stream, path, _segment(name), size, self.settings["chunk_size"])
        # An upload session's last answer may be a bare item (id, name, size): read its URL and version.
        item = self.graph.item(done["id"]) if not done.get("webUrl") or not done.get("eTag") else to_item(done)
        return item

    def item(self, item_id: str) -> RemoteItem:
        return self.graph.item(item_id)

    def resolve(self, url: str) -> RemoteItem:
        return self.graph.shared(url)

    def children(self, folder_id=None, cursor=None):
        return self.graph.children(folder_id, cursor, self.settings["page_size"])


def _credential(s):
    if s["client_secret"] is not None:
        return s["client_secret"].reveal()
    return {"private_key": s["certificate_key"].reveal(), "thumbprint": s["certificate_thumbprint"]}


def _segment(name: str) -> str:
    # Characters SharePoint refuses in a file or folder name.
    cleaned = re.sub(r'["*:<>?/\\|#%\x00-\x1f]', "_", str(name)).strip(" .")
    return cleaned[:200] or "_"

"""App-only tokens for Microsoft Graph with msal (client credentials: a secret or a certificate)."""

from __future__ import annotations

import httpx
import msal

from steerco.plugins.connector import ConnectorError


class _MsalHttp:
    """msal's HTTP client interface over the connector's httpx client (same TLS trust, timeouts)."""

    def __init__(self, http: httpx.Client):
        self._http = http

    def post(self, url, params=None, data=None, headers=None, **_kw):
        return self._http.post(url, params=params, data=data, headers=headers)

    def get(self, url, params=None, headers=None, **_kw):
        return self._http.get(url, params=params, headers=headers)

    def close(self):
        pass


class TokenSource:
    """Gets and caches (msal's token cache) an app token for the configured tenant."""

    def __init__(self, connector: str, http: httpx.Client, *, authority: str, client_id: str, credential,
                 scope: str, validate_authority: bool):
        self.connector = connector
        self._args = dict(client_id=client_id, authority=authority, http_client=_MsalHttp(http),
                          # A private authority (a test's fake, a sovereign cloud proxy) is not in
                          # Microsoft's instance list; its openid-configuration is still read.
                          validate_authority=validate_authority, instance_discovery=validate_authority)
        self._credential = credential
        self._scope = scope
        self._app = None

    def token(self) -> str:
        try:
            if self._app is None:
                self._app = msal.ConfidentialClientApplication(client_credential=self._credential(), **self._args)
            result = self._app.acquire_token_for_client(scopes=[self._scope])
        except (ValueError, httpx.HTTPError) as e:
            # msal's ValueError names the authority URL, never the credential.
            raise ConnectorError(self.connector, "get a token", f"the authority did not answer: {e}",
                                 retryable=isinstance(e, httpx.HTTPError)) from None
        if "access_token" not in result:
            raise ConnectorError(self.connector, "get a token",
                                 f"{result.get('error', 'error')}: {str(result.get('error_description', ''))[:300]}")
        return result["access_token"]

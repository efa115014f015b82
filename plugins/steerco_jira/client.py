"""A small Jira Cloud REST v3 client (httpx): JQL search with token paging, create issue.

Errors become :class:`ConnectorError` carrying Jira's own ``errorMessages``;
429 is waited out (``Retry-After``) a few times before giving up as retryable.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import httpx

from steerco.plugins.connector import ConnectorError
from steerco.plugins.http import retry_after

FIELDS = ["summary", "status", "duedate", "resolution", "resolutiondate"]
MAX_429_WAITS = 3
MAX_WAIT = 60.0


class JiraClient:
    def __init__(self, connector: str, base_url: str, email: str, token: str, *, timeout: float = 10.0,
                 page_size: int = 50, sleep: Callable[[float], None] = time.sleep):
        self.connector = connector
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.sleep = sleep
        # The token travels only in the Authorization header httpx builds; it is never formatted into text.
        self._http = httpx.Client(base_url=self.base_url, auth=(email, token), timeout=timeout,
                                  headers={"Accept": "application/json"})

    def close(self):
        self._http.close()

    def search(self, jql: str, fields=FIELDS) -> Iterator[dict]:
        """Every issue the JQL selects, page after page (``POST /rest/api/3/search/jql``)."""
        token = None
        while True:
            body = {"jql": jql, "fields": list(fields), "maxResults": self.page_size}
            if token:
                body["nextPageToken"] = token
            page = self._call("POST", "/rest/api/3/search/jql", f"search '{jql}'", json=body)
            yield from page.get("issues") or []
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return

    def create_issue(self, project_key: str, issue_type: str, summary: str, text: str) -> str:
        """Create an issue; returns its key. The description is Atlassian Document Format."""
        doc = {"type": "doc", "version": 1,
               "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}
        fields = {"project": {"key": project_key}, "issuetype": {"name": issue_type}, "summary": summary[:255],
                  "description": doc}
        return self._call("POST", "/rest/api/3/issue", f"create issue in {project_key}", json={"fields": fields})["key"]

    def _call(self, method: str, path: str, operation: str, **kw) -> dict:
        for wait_round in range(MAX_429_WAITS + 1):
            try:
                r = self._http.request(method, path, **kw)
            except httpx.HTTPError as e:
                raise ConnectorError(self.connector, operation, f"cannot reach {self.base_url} ({type(e).__name__})",
                                     retryable=True) from None
            if r.status_code == 429:
                wait = retry_after(r)
                if wait_round < MAX_429_WAITS and wait <= MAX_WAIT:
                    self.sleep(wait)
                    continue
                raise ConnectorError(self.connector, operation, "rate limited by Jira (429)", retryable=True,
                                     retry_after=wait, status=429)
            if r.status_code >= 400:
                raise ConnectorError(self.connector, operation, _problem(r), status=r.status_code,
                                     retryable=r.status_code >= 500)
            return r.json() if r.content else {}
        raise AssertionError("unreachable")


def _problem(r: httpx.Response) -> str:
    what = {401: "authentication failed (check the e-mail and API token)",
            403: "permission denied", 404: "not found"}.get(r.status_code, f"HTTP {r.status_code}")
    try:
        data = r.json()
        messages = list(data.get("errorMessages") or []) + [f"{k}: {v}" for k, v in (data.get("errors") or {}).items()]
    except ValueError:
        messages = []
    return what + (f": {'; '.join(messages)}" if messages else "")

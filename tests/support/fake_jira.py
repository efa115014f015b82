"""A local Jira Cloud that answers with the REST v3 shapes (search/jql paging, issue create, errors, 429).

    with FakeJira(email, token) as jira:
        jira.add_issue("OPS-2", "Pick supplier", parent="OPS-1", due="2026-12-01")
        jira.close_issue("OPS-2", "2026-11-20")
        jira.url
"""

from __future__ import annotations

import base64
import re

from support.fake_http import FakeHttpServer

CATEGORIES = {"new": (2, "To Do", "blue-gray"), "indeterminate": (4, "In Progress", "yellow"),
              "done": (3, "Done", "green")}
STATUSES = {"new": ("10000", "To Do"), "indeterminate": ("3", "In Progress"), "done": ("10001", "Done")}


class FakeJira:
    def __init__(self, email: str, token: str):
        self.auth = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        self.issues: dict[str, dict] = {}
        self.rate_limited = 0  # answer the next N calls with 429
        self.retry_after = "1"
        self.forbidden = False
        self.created: list[dict] = []
        self._server = FakeHttpServer(self.handle)

    def __enter__(self):
        self._server.__enter__()
        self.url = self._server.url
        return self

    def __exit__(self, *exc):
        self._server.__exit__(*exc)

    @property
    def requests(self):
        return self._server.requests

    # -- data --------------------------------------------------------------------------
    def add_issue(self, key, summary, *, parent=None, due=None, category="new"):
        self.issues[key] = {"id": str(10000 + len(self.issues)), "key": key, "summary": summary, "parent": parent,
                            "due": due, "category": category, "resolved": None}

    def close_issue(self, key, on: str):
        self.issues[key].update(category="done", resolved=f"{on}T16:42:07.000+0000")

    def reopen_issue(self, key):
        self.issues[key].update(category="indeterminate", resolved=None)

    def _issue_json(self, i, fields):
        cat_id, cat_name, colour = CATEGORIES[i["category"]]
        status_id, status_name = STATUSES[i["category"]]
        all_fields = {
            "summary": i["summary"],
            "status": {"self": f"{self.url}/rest/api/3/status/{status_id}", "description": "",
                       "iconUrl": f"{self.url}/images/icons/statuses/generic.png", "name": status_name,
                       "id": status_id,
                       "statusCategory": {"self": f"{self.url}/rest/api/3/statuscategory/{cat_id}", "id": cat_id,
                                          "key": i["category"], "colorName": colour, "name": cat_name}},
            "duedate": i["due"],
            "resolution": ({"self": f"{self.url}/rest/api/3/resolution/10000", "id": "10000",
                            "description": "Work has been done on this issue.", "name": "Done"}
                           if i["resolved"] else None),
            "resolutiondate": i["resolved"],
        }
        return {"expand": "", "id": i["id"], "self": f"{self.url}/rest/api/3/issue/{i['id']}", "key": i["key"],
                "fields": {k: v for k, v in all_fields.items() if k in fields}}

    # -- HTTP --------------------------------------------------------------------------
    def handle(self, req):
        if req.headers.get("authorization") != self.auth:
            return 401, {}, {"errorMessages": ["You are not authenticated. Authentication required to perform "
                                               "this operation."], "errors": {}}
        if self.rate_limited:
            self.rate_limited -= 1
            return 429, {"Retry-After": self.retry_after, "X-RateLimit-Reason": "jira-quota-tenant-based"}, \
                {"errorMessages": ["Rate limit exceeded."], "errors": {}}
        if self.forbidden:
            return 403, {}, {"errorMessages": ["You do not have permission to perform this operation."], "errors": {}}
        if req.method == "POST" and req.path == "/rest/api/3/search/jql":
            return self._search(req.json())
        if req.method == "POST" and req.path == "/rest/api/3/issue":
            return self._create(req.json())
        m = re.fullmatch(r"/rest/api/3/issue/([A-Z0-9_]+-\d+)", req.path)
        if req.method == "GET" and m:
            if m.group(1) not in self.issues:
                return 404, {}, {"errorMessages": ["Issue does not exist or you do not have permission to see it."],
                                 "errors": {}}
            return 200, {}, self._issue_json(self.issues[m.group(1)], ["summary", "status"])
        return 404, {}, {"errorMessages": [f"No resource at {req.path}"], "errors": {}}

    def _search(self, body):
        jql = body.get("jql", "")
        clause = jql.split(" ORDER BY")[0].strip()
        m = re.fullmatch(r"(parent|key|project)\s*=\s*([A-Z0-9_-]+)", clause)
        if not m:
            return 400, {}, {"errorMessages": [f"Error in the JQL Query: The character '{clause[:1]}' is a reserved "
                                               "JQL character."], "errors": {}}
        field, value = m.groups()
        if field == "key" and value not in self.issues:
            return 400, {}, {"errorMessages": [f"An issue with key '{value}' does not exist for field 'key'."],
                             "warningMessages": [], "errors": {}}
        match = {"parent": lambda i: i["parent"] == value, "key": lambda i: i["key"] == value,
                 "project": lambda i: i["key"].split("-")[0] == value}[field]
        found = sorted((i for i in self.issues.values() if match(i)), key=lambda i: int(i["key"].split("-")[1]))
        size = min(int(body.get("maxResults") or 50), 5000)
        start = int(base64.b64decode(body["nextPageToken"]).decode()) if body.get("nextPageToken") else 0
        page = found[start:start + size]
        fields = body.get("fields") or ["summary"]
        out = {"issues": [self._issue_json(i, fields) for i in page], "isLast": start + size >= len(found)}
        if not out["isLast"]:
            out["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return 200, {}, out

    def _create(self, body):
        fields = body.get("fields") or {}
        errors = {k: f"{k} is required." for k in ("project", "summary", "issuetype") if not fields.get(k)}
        if errors:
            return 400, {}, {"errorMessages": [], "errors": errors}
        project = fields["project"]["key"]
        number = 1 + sum(1 for k in self.issues if k.startswith(project + "-"))
        key = f"{project}-{number}"
        self.add_issue(key, fields["summary"])
        self.created.append(fields)
        return 201, {}, {"id": self.issues[key]["id"], "key": key, "self": f"{self.url}/rest/api/3/issue/{key}"}

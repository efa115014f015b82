"""The Jira connector: issues under a measure's linked epic, issue or JQL query become its milestones."""

from __future__ import annotations

from datetime import date

from marshmallow import fields, validate

from steerco.plugins.connector import Connector, ConnectorSettings, Secret
from steerco.services.integration.work_items import WorkItem, links, sync_milestones
from steerco_jira.client import JiraClient


class JiraSettings(ConnectorSettings):
    base_url = fields.Url(required=True, require_tld=False)
    email = fields.Email(required=True)
    api_token = Secret(required=True, data_key="api_token_env")
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    timeout = fields.Float(load_default=10.0, validate=validate.Range(min=0.5, max=120))
    decision_project = fields.String(load_default=None, allow_none=True)
    decision_issue_type = fields.String(load_default="Task")


class JiraConnector(Connector):
    name = "jira"
    title = "Jira Cloud"
    capabilities = frozenset({"work_items"})
    Settings = JiraSettings

    def client(self, sleep=None) -> JiraClient:
        s = self.settings
        kw = {"sleep": sleep} if sleep else {}
        return JiraClient(self.name, s["base_url"], s["email"], s["api_token"].reveal(), timeout=s["timeout"],
                          page_size=s["page_size"], **kw)

    def sync(self, ctx):
        """For every linked measure: fetch the selected issues, then replace its Jira milestones in one unit."""
        targets = ctx.store.run("system", lambda uow: links(uow, ctx.config_name), readonly=True)
        totals = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
        fetched: dict[int, dict[str, WorkItem]] = {}
        client = self.client(sleep=ctx.sleep)
        try:
            for measure_id, kind, target in targets:
                items = fetched.setdefault(measure_id, {})
                for issue in client.search(jql_for(kind, target)):
                    item = work_item(issue)
                    items[item.key] = item
        finally:
            client.close()
        ctx.progress(f"{sum(len(v) for v in fetched.values())} issues for {len(fetched)} measures")
        for measure_id, items in fetched.items():
            counts = ctx.store.run(ctx.actor, lambda uow: sync_milestones(uow, ctx.config_name, "jira", measure_id,
                                                                          list(items.values())))
            for k, v in counts.items():
                totals[k] += v
        return totals

    def on_gate_decided(self, review: dict, measure: dict) -> str | None:
        """Create the follow-up issue of a gate decision in ``decision_project``, if one is set.

        :returns: the new issue's key, or None when no project is configured.
        """
        project = self.settings["decision_project"]
        if not project:
            return None
        client = self.client()
        try:
            summary = f"{measure['code']}: {review.get('gate')} decided {review.get('decision')}"
            return client.create_issue(project, self.settings["decision_issue_type"], summary,
                                       f"{measure['title']}: {review.get('rationale') or ''}".strip())
        finally:
            client.close()


def jql_for(kind: str, target: str) -> str:
    """The JQL a link stands for; keys were validated when the link was made."""
    if kind == "epic":
        return f"parent = {target} ORDER BY key"
    if kind == "issue":
        return f"key = {target}"
    return target


def work_item(issue: dict) -> WorkItem:
    """A Jira issue (REST v3 shape) as a work item: done when its status category is 'done'."""
    f = issue.get("fields") or {}
    status = f.get("status") or {}
    done = (status.get("statusCategory") or {}).get("key") == "done"
    done_on = None
    if done:
        done_on = _date(f.get("resolutiondate")) or _date(f.get("statuscategorychangedate")) or date.today()
    return WorkItem(issue["key"], f.get("summary") or "", _date(f.get("duedate")), done_on, status.get("name") or "")


def _date(value) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None

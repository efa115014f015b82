"""The 'sample_risks' connector: risks published by an external risk register."""

from __future__ import annotations

import httpx
from marshmallow import fields

from steerco.domain.measure import Risk
from steerco.plugins.connector import Connector, ConnectorError, ConnectorSettings, Secret


class RiskFeedSettings(ConnectorSettings):
    base_url = fields.Url(required=True, require_tld=False)
    token = Secret(required=True, data_key="token_env")


class RiskFeed(Connector):
    name = "sample_risks"
    title = "Sample risk feed"
    capabilities = frozenset({"events"})
    Settings = RiskFeedSettings

    def fetch(self) -> list[dict]:
        url = self.settings["base_url"].rstrip("/") + "/risks"
        headers = {"Authorization": f"Bearer {self.settings['token'].reveal()}"}
        try:
            r = httpx.get(url, headers=headers, timeout=5)
        except httpx.HTTPError as e:
            raise ConnectorError(self.name, f"GET {url}", f"unreachable ({type(e).__name__})", retryable=True) from None
        if r.status_code != 200:
            raise ConnectorError(self.name, f"GET {url}", f"HTTP {r.status_code}", status=r.status_code,
                                 retryable=r.status_code >= 500)
        return r.json()

    def sync(self, ctx):
        items = self.fetch()

        def work(uow):
            counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
            for item in items:
                measure = uow.measure_by_code(item["measure"])
                if measure is None:
                    counts["skipped"] += 1
                    continue
                if any(r.title == item["title"] for r in measure.risks):
                    counts["unchanged"] += 1
                    continue
                risk = Risk(item["title"], item["probability"], item["impact"])
                measure.risks.append(risk)
                uow.flush()
                uow.record("risk.added", "risk", risk.id, measure.code, after=risk.facts())
                counts["created"] += 1
            return counts

        ctx.log.info("sample_risks: %d risks from the feed", len(items))
        return ctx.store.run(ctx.actor, work)

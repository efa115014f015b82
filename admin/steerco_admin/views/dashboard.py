"""The portfolio dashboard: figures computed by the dashboard service, drawn as inline SVG."""

from __future__ import annotations

from flask import request
from flask_appbuilder import expose

from steerco.domain.errors import NotFound
from steerco.services.reporting import dashboard
from steerco.services.rights import decisions, sla
from steerco_admin.views.base import Page, login_required, run

DECISIONS_SHOWN = 10


def settings():
    from flask import current_app

    return current_app.config["STEERCO_SETTINGS"]


class DashboardView(Page):
    route_base = "/dashboard"

    @expose("/")
    @login_required
    def index(self):
        node = request.args.get("node") or None

        def work(uow):
            try:
                shown = node
                figures, series = dashboard.figures(uow, node), dashboard.over_time(uow, node)
            except NotFound:
                shown = None
                figures, series = dashboard.figures(uow, None), dashboard.over_time(uow, None)
            waiting = decisions.needed(uow, sla.calendar_of(settings()), node=shown, oldest=DECISIONS_SHOWN)
            return {"f": figures, "series": series, "nodes": dashboard.node_choices(uow),
                    "waiting": waiting["reviews"]}

        data = run(work, readonly=True)
        f = data["f"]
        data["lines"] = _lines(data["series"]["periods"])
        return self.render_template("steerco/dashboard.html", title="Dashboard", node=node or "",
                                    count_max=max([x["count"] for x in f["funnel"]] + [1]),
                                    value_max=max([float(x["potential"]) for x in f["funnel"]] + [1.0]),
                                    age_max=max([a["count"] for a in f["approvals"]] + [1]), **data)


CHART_W, CHART_H, PAD = 460, 180, 40
# told apart by colour, line pattern and marker, so the series read in greyscale and for colour-blind readers
SERIES = (("plan", "#1f6fb2", "", "square"), ("forecast", "#e09f3e", "6 4", "ring"), ("actual", "#2e7d32", "2 3", "dot"))
Y_TICKS = 4


def _lines(periods: list[dict]) -> dict:
    """SVG polyline points per version, scaled into the chart box."""
    if not periods:
        return {}
    top = max([float(p[s[0]]) for p in periods for s in SERIES if p[s[0]] is not None] + [1.0])
    step = (CHART_W - 2 * PAD) / max(len(periods) - 1, 1)

    def y(value: float) -> float:
        return round(CHART_H - PAD / 2 - (CHART_H - PAD) * value / top, 1)

    out = {"max": top, "series": [], "ticks": [],
           "y_ticks": [{"y": y(top * i / Y_TICKS), "label": _short_amount(top * i / Y_TICKS)} for i in range(Y_TICKS + 1)]}
    for version, color, dash, marker in SERIES:
        marks = [(round(PAD + i * step, 1), y(float(p[version]))) for i, p in enumerate(periods) if p[version] is not None]
        out["series"].append({"version": version, "color": color, "dash": dash, "marker": marker, "marks": marks,
                              "points": " ".join(f"{x:.1f},{v:.1f}" for x, v in marks)})
    every = max(len(periods) // 6, 1)
    out["ticks"] = [{"x": round(PAD + i * step, 1), "label": p["period"]} for i, p in enumerate(periods) if i % every == 0]
    return out


def _short_amount(v: float) -> str:
    """An axis label: 1.2M, 350k, 40."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:.0f}"

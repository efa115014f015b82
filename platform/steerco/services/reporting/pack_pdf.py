"""The PDF of a steering-committee pack: an HTML/CSS template rendered by WeasyPrint.

Charts are inline SVG drawn from the snapshot's numbers, and every chart has
its table beside it. Nothing here reads a clock or a random source, and
WeasyPrint writes no creation date or file identifier unless asked, so the
same snapshot gives the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")
BAR_WIDTH = 420


def render_pdf(snap: dict) -> bytes:
    from weasyprint import HTML

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    html = env.get_template("pack.html").render(
        s=snap, funnel_svg=funnel_svg(snap["funnel"]), bridge_svg=bridge_svg(snap["bridge"]),
        gates_svg=bars_svg([(g["gate"], g["kill_rate"]) for g in snap["gates"]], unit="%"))
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def bridge_steps(bridge: dict) -> list[tuple[str, Decimal, Decimal, bool]]:
    """The waterfall's bars: (label, from, to, total) with running sums, in the snapshot's order."""
    out, level = [], Decimal(0)
    for key, label in (("start", "Last pack"), ("new", "New measures"), ("slips", "Slips"), ("kills", "Kills"),
                       ("changes", "Value changes"), ("end", "This pack")):
        amount = Decimal(bridge[key])
        if key in ("start", "end"):
            out.append((label, Decimal(0), amount, True))
            level = amount
        else:
            out.append((label, level, level + amount, False))
            level += amount
    return out


def bridge_svg(bridge: dict) -> str:
    steps = bridge_steps(bridge)
    top = max([max(a, b) for _l, a, b, _t in steps] + [Decimal(1)])
    low = min([min(a, b) for _l, a, b, _t in steps] + [Decimal(0)])
    span, width, height = top - low, 90, 160
    bars = []
    for i, (label, a, b, total) in enumerate(steps):
        y1 = height - float((max(a, b) - low) / span) * height
        y2 = height - float((min(a, b) - low) / span) * height
        colour = "#3a6ea5" if total else ("#2e8b57" if b >= a else "#c0392b")
        bars.append(f'<rect x="{i * width + 10}" y="{y1:.2f}" width="{width - 20}" height="{max(y2 - y1, 1):.2f}" '
                    f'fill="{colour}"/><text x="{i * width + width / 2}" y="{height + 14}" font-size="9" '
                    f'text-anchor="middle">{label}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(steps)}" height="{height + 20}">'
            + "".join(bars) + "</svg>")


def funnel_svg(funnel: list[dict]) -> str:
    return bars_svg([(f"{f['model_name']} · DoI {f['doi']} {f['name']}", Decimal(f["potential"])) for f in funnel])


def bars_svg(items, unit: str = "") -> str:
    top = max([Decimal(str(v)) for _l, v in items] + [Decimal(1)])
    rows = []
    for i, (label, value) in enumerate(items):
        w = float(Decimal(str(value)) / top) * BAR_WIDTH if value else 0
        rows.append(f'<text x="0" y="{i * 18 + 12}" font-size="9">{_esc(label)}</text>'
                    f'<rect x="230" y="{i * 18 + 3}" width="{max(w, 0):.2f}" height="12" fill="#3a6ea5"/>'
                    f'<text x="{236 + max(w, 0):.2f}" y="{i * 18 + 12}" font-size="9">{value}{unit}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{230 + BAR_WIDTH + 120}" height="{len(items) * 18 + 4}">'
            + "".join(rows) + "</svg>")


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

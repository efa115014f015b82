"""`steerco` commands of the 'value' area (issue 4): actuals import, status refresh, totals, roll-up."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from steerco.cli.context import current


@click.group()
def actuals():
    """Actuals from the books (CSV, XLSX)."""


@actuals.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor", required=True, help="the controller (or PMO, admin) importing; recorded in the audit")
@click.option("--map", "mapping", multiple=True, metavar="COLUMN=FIELD",
              help="map a file column to measure|category|cost_centre|account|period|amount|currency")
@click.option("--dry-run", is_flag=True, help="validate and count only; write nothing")
def actuals_import(path: Path, actor: str, mapping: tuple[str, ...], dry_run: bool):
    """Import actuals from PATH: validated first, all or nothing, idempotent."""
    from steerco.domain.errors import ImportRejected
    from steerco.services.value import actuals as service

    ctx = current()
    cols = {}
    for item in mapping:
        if "=" not in item:
            raise click.BadParameter(f"'{item}': use COLUMN=FIELD", param_hint="--map")
        k, f = item.split("=", 1)
        cols[k.strip()] = f.strip()
    data = path.read_bytes()
    started = time.perf_counter()
    shown = {}

    def progress(phase, done, total):
        pct = 100 * done // max(total, 1)
        if shown.get(phase) != pct:
            shown[phase] = pct
            click.echo(f"\r  {phase}: {done}/{total} ({pct}%)", nl=done >= total)

    try:
        counts = ctx.store.run(actor, lambda uow: service.import_file(uow, data, path.name, mapping=cols,
                                                                       dry_run=dry_run, progress=progress))
    except ImportRejected as e:
        click.secho(f"rejected, nothing written: {e.total} problem(s) in {e.rows} row(s)", fg="red", err=True)
        for p in e.problems:
            click.echo(f"  row {p['row']}, column {p['column']}: {p['problem']}", err=True)
        raise SystemExit(1) from None
    took = time.perf_counter() - started
    click.echo(f"{'checked' if dry_run else 'imported'} {counts['rows']} rows into {counts['amounts']} amounts of "
               f"{counts['measures']} measures in {took:.1f} s: inserted {counts['inserted']}, updated "
               f"{counts['updated']}, unchanged {counts['unchanged']}"
               + (" (this file was imported before)" if counts["repeat"] else ""))


@click.group()
def value():
    """Value: statuses and roll-ups."""


@value.command("refresh-statuses")
def refresh_statuses():
    """Re-derive every measure's statuses (run daily: due dates pass without any edit)."""
    from steerco.services.value import status

    ctx = current()
    n = ctx.store.run("system", lambda uow: status.refresh_all(uow, progress=lambda m: click.echo(f"  {m}")))
    click.echo(f"statuses refreshed for {n} measures")


@value.command("rebuild-totals")
def rebuild_totals():
    """Recompute the kept value totals from every amount (after loading amounts around the services)."""
    from steerco.services.value import totals as value_totals

    ctx = current()
    click.echo("summing every amount ...")
    counts = ctx.store.run("system", lambda uow: value_totals.rebuild(uow.session.connection()))
    click.echo(f"value totals rebuilt: {counts['measure_totals']} measure totals, "
               f"{counts['node_period_totals']} node-period totals")


@value.command("rollup")
@click.argument("node")
@click.option("--as", "actor", default="admin", show_default=True)
@click.option("--fiscal-year", type=int)
def rollup_cmd(node: str, actor: str, fiscal_year: int | None):
    """Print the roll-up of NODE's subtree as JSON."""
    from steerco.services.value import rollup

    ctx = current()
    out = ctx.store.run(actor, lambda uow: rollup.rollup(uow, node, fiscal_year=fiscal_year), readonly=True)
    click.echo(json.dumps(out, indent=2))


COMMANDS: list = [actuals, value]

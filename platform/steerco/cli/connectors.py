"""`steerco plugins ...` and `steerco connectors ...`."""

from __future__ import annotations

import json
import sys

import click

from steerco.cli.context import current


def _store():
    return current().store


@click.group()
def plugins():
    """Installed plugins (entry-point group 'steerco')."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
def plugins_list(as_json: bool):
    """Each plugin with its version, the hooks it implements, its connectors and operators."""
    from steerco.plugins.manager import make_plugin_manager, plugin_infos

    infos = plugin_infos(make_plugin_manager())
    if as_json:
        click.echo(json.dumps([i.__dict__ for i in infos], indent=2))
        return
    for i in infos:
        click.echo(f"{i.name} {i.version}")
        click.echo(f"  hooks:      {', '.join(i.hooks) or '-'}")
        if i.connectors:
            click.echo(f"  connectors: {', '.join(i.connectors)}")
        if i.operators:
            click.echo(f"  operators:  {', '.join(i.operators)}")


@click.group()
def connectors():
    """Configured connectors: sync them, read their run log."""


@connectors.command("list")
def connectors_list():
    """The configured connectors."""
    from steerco.services.integration import connectors as svc

    for c in _store().run("system", svc.configs, readonly=True):
        click.echo(f"{c['name']:<20} {c['connector']:<16} {'enabled' if c['enabled'] else 'disabled'}")


@connectors.command("sync")
@click.argument("name")
@click.option("--full", is_flag=True, help="a full re-sync: read every period and write every total (ERP connectors)")
def connectors_sync(name: str, full: bool):
    """Run one sync of connector NAME now (retrying with backoff); exit 1 if it failed, 2 if it was partial."""
    from steerco.plugins.manager import make_plugin_manager
    from steerco.services.integration.connectors import run_sync

    click.echo(f"syncing {name}{' (full)' if full else ''} ...")
    run = run_sync(_store(), make_plugin_manager(), name, progress=lambda m: click.echo(f"  {m}"), full=full)
    counts = ", ".join(f"{k} {v}" for k, v in run["counts"].items())
    click.echo(f"run {run['id']}: {run['status']} after {run['attempts']} attempt(s)" + (f": {counts}" if counts else ""))
    for err in run["errors"]:
        click.secho(f"  {err}", fg="red" if run["status"] == "failed" else "yellow", err=True)
    if run["status"] != "succeeded":
        sys.exit(2 if run["status"] == "partial" else 1)


@connectors.command("reconcile")
@click.argument("name")
@click.option("--period", default=None, help="one period, YYYY-MM (default: every period read)")
@click.option("--node", default=None, help="a node code: its subtree only")
@click.option("--differences", is_flag=True, help="only totals outside the connector's tolerance")
@click.option("--as", "actor", default="admin", show_default=True, help="a controller, PMO or admin")
def connectors_reconcile(name: str, period: str | None, node: str | None, differences: bool, actor: str):
    """ERP total vs Steerco actual per node, measure and period of ERP connector NAME, with the ERP keys
    behind each total and what the ERP delivered that could not be booked; exit 1 if a total differs."""
    from steerco.services.value import reconciliation

    out = _store().run(actor, lambda uow: reconciliation.report(uow, name, period=period, node=node,
                                                                differences_only=differences, limit=10_000),
                       readonly=True)
    click.echo(f"{'node':<12} {'measure':<12} {'period':<8} {'ERP':>16} {'Steerco':>16} {'difference':>14}  "
               f"(in {out['currency']}, tolerance {out['tolerance']})")
    for r in out["rows"]:
        line = (f"{r['node']:<12} {r['measure']:<12} {r['period']:<8} {r['erp']:>16} {r['steerco']:>16} "
                f"{r['difference']:>14}  {'ok' if r['reconciled'] else 'DIFFERS'}{' (held)' if r['held'] else ''}")
        click.secho(line, fg=None if r["reconciled"] else "red")
        click.echo(f"{'':<34}keys: {'; '.join(r['keys'])}")
    for x in out["exceptions"]:
        click.secho(f"{x['kind']:<9} {x['period']} {x['keys'] or x['measure']}: {x['currency']} {x['amount']} "
                    f"({x['problem']})", fg="yellow")
    if out["truncated"]:
        click.echo("(more rows: narrow with --period or --node)")
    if any(not r["reconciled"] for r in out["rows"]):
        sys.exit(1)


@connectors.command("runs")
@click.argument("name", required=False)
@click.option("--limit", default=20, show_default=True)
def connectors_runs(name: str | None, limit: int):
    """The run log (newest first), of one connector or all."""
    from steerco.services.integration import connectors as svc

    for r in _store().run("system", lambda uow: svc.runs(uow, name, limit), readonly=True):
        click.echo(f"#{r['id']:<5} {r['connector']:<16} {r['status']:<10} {r['started_at']}  {r['counts']}"
                   + (f"  errors: {len(r['errors'])}" if r["errors"] else ""))


@click.group()
def triggers():
    """CRM trigger events and the dead-letter list."""


@triggers.command("events")
@click.option("--dead", is_flag=True, help="only rejected and failed events")
@click.option("--source", default=None, help="one trigger source")
@click.option("--as", "actor", default="admin", show_default=True, help="an admin username")
def triggers_events(dead: bool, source: str | None, actor: str):
    """Received events, newest first, with their status and reason."""
    from steerco.services.integration import triggers as svc

    for e in _store().run(actor, lambda uow: svc.events(uow, source=source, dead=dead), readonly=True):
        click.echo(f"#{e['id']:<5} {e['source']:<12} {e['event_id'] or '-':<14} {e['status']:<9} {e['received_at']}"
                   + (f"  {e['measure']}" if e["measure"] else "") + (f"  {e['reason']}" if e["reason"] else ""))


@triggers.command("replay")
@click.argument("event_id", type=int)
@click.option("--as", "actor", default="admin", show_default=True, help="an admin username")
def triggers_replay(event_id: int, actor: str):
    """Process a failed event again once its cause is fixed; exit 1 unless it is accepted."""
    from steerco.services.integration import triggers as svc

    event = svc.replay(_store(), actor, event_id)
    click.echo(f"event {event_id}: {event['status']}" + (f" ({event['reason']})" if event["reason"] else "")
               + (f", measure {event['measure']}" if event["measure"] else ""))
    if event["status"] != "accepted":
        sys.exit(1)


COMMANDS: list = [plugins, connectors, triggers]

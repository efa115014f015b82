"""`steerco config migrate-measures`: move running measures to another version of their model."""

from __future__ import annotations

import click

from steerco.cli.context import current


@click.command("migrate-measures")
@click.argument("model")
@click.option("--to", "version", type=int, required=True, help="the version to move the measures to")
@click.option("--measure", "codes", multiple=True, help="measure code; repeat for several (default: the filter)")
@click.option("--node", default=None, help="with no --measure: the measures under this node")
@click.option("--doi", type=int, default=None, help="with no --measure: only the measures at this DoI")
@click.option("--reason", default="", help="why they move (required with --apply; kept in the audit trail)")
@click.option("--apply", "apply_", is_flag=True, help="move them; without it, only show what would happen")
@click.option("--as", "actor", default="admin", show_default=True, help="the admin recorded in the audit trail")
def migrate_measures(model, version, codes, node, doi, reason, apply_, actor):
    """Show, per measure of MODEL, what moving it to version --to does; with --apply, move them all or none."""
    from steerco.services.configuration import migrate_measures as migration

    store = current().store
    plan = store.run(actor, lambda uow: migration.preview(uow, model, version, codes=list(codes) or None,
                                                          node=node, doi=doi), readonly=True)
    for p in plan["measures"]:
        click.echo(_describe(p, version))
    if not plan["measures"]:
        click.echo(f"no measure of '{model}' to move to version {version}")
        return
    if not apply_:
        click.echo(f"{len(plan['measures'])} measure(s) would move; run again with --apply --reason TEXT")
        return
    chosen = [p["measure"] for p in plan["measures"]]
    out = store.run(actor, lambda uow: migration.migrate(uow, model, version, chosen, reason))
    click.echo(f"{len(out['moved'])} measure(s) moved to version {version} of '{model}'")


def _describe(p: dict, version: int) -> str:
    head = f"{p['measure']} v{p['from_version']} -> v{version}"
    if p["blocked"]:
        return f"{head}: cannot move: {p['blocked']}"
    parts = [f"DoI {p['doi']} {p['level']['from']}" + (f" (now called {p['level']['to']})" if p["renamed"] else "")]
    if p["newly_failing"]:
        parts.append(f"gate '{p['gate']}' would now fail: " + ", ".join(c["label"] for c in p["newly_failing"]))
    if p["withdrawn_review"]:
        parts.append(f"the open review of gate '{p['withdrawn_review']['gate']}' would be withdrawn")
    return f"{head}: " + "; ".join(parts)


CONFIG_COMMANDS: list = [migrate_measures]

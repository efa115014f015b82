"""What `audit verify` checks, shared with `restore`, which runs it on what it restored."""

from __future__ import annotations

import click

from steerco.cli.context import Context


def verify(ctx: Context) -> bool:
    """Print what ``audit verify`` finds; True when the chain and every evidence file are intact."""
    from steerco.services.governance.audit import verify_chain
    from steerco.services.governance.evidence import altered_files

    checked, broken = ctx.store.run("system", verify_chain, readonly=True)
    if broken:
        click.secho(f"audit trail BROKEN at event {broken.seq}: {broken.problem}", fg="red", err=True)
        return False
    click.echo(f"audit trail intact: {checked} events verified")
    bad = ctx.store.run("system", lambda uow: altered_files(uow, ctx.settings.evidence_dir), readonly=True)
    for f in bad:
        click.secho(f"evidence file {f['filename']!r} of {f['measure']} (evidence {f['evidence']}): {f['problem']}",
                    fg="red", err=True)
    if bad:
        return False
    click.echo("evidence files intact")
    return True

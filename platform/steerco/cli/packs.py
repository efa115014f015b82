"""`steerco packs`: build a steering-committee pack by hand, list them, check a stored one."""

from __future__ import annotations

import time
from pathlib import Path

import click

from steerco.cli.context import current


@click.group()
def packs():
    """Steering-committee packs (PDF, PowerPoint, Excel)."""


@packs.command("build")
@click.argument("node")
@click.option("--period", required=True, help="the fiscal period the pack reports, YYYY-MM")
@click.option("--as", "actor", default="admin", show_default=True,
              help="who builds it (PMO, controller or committee member on NODE); recorded in the audit")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="folder for the files (default: INSTANCE/packs)")
def build(node: str, period: str, actor: str, out_dir: Path | None):
    """Build NODE's pack for --period, store it and write its PDF, PPTX and XLSX files."""
    from steerco.services.reporting import packs as service
    from steerco.services.rights.sla import calendar_of

    ctx = current()
    calendar = calendar_of(ctx.settings)
    started = time.perf_counter()

    def progress(step):
        click.echo(f"  {step} ... ({time.perf_counter() - started:.1f} s)")

    click.echo(f"building the pack of {node} for {period} ...")
    pack = ctx.store.run(actor, lambda uow: service.build(uow, node, period, calendar, progress=progress))
    folder = out_dir or ctx.settings.instance_path / "packs"
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, data in pack["files"].items():
        path = folder / service.file_name(pack, fmt)
        path.write_bytes(data)
        click.echo(f"wrote {path}  sha256 {pack['sha256'][fmt]}")
    click.echo(f"pack {pack['id']} ({node} {period} no. {pack['number']}) built in "
               f"{time.perf_counter() - started:.1f} s; {len(pack['changes'])} figure(s) changed since the last pack")


@packs.command("list")
@click.argument("node")
@click.option("--as", "actor", default="admin", show_default=True)
def list_packs(node: str, actor: str):
    """The packs stored for NODE, oldest first."""
    from steerco.services.reporting import packs as service

    for p in current().store.run(actor, lambda uow: service.listing(uow, node), readonly=True):
        click.echo(f"{p['id']:>5}  {p['period']} no. {p['number']}  {p['built_at']}  by {p['built_by']}  "
                   f"snapshot {p['snapshot_sha256'][:12]}")


@packs.command("verify")
@click.argument("pack_id", type=int)
@click.option("--as", "actor", default="admin", show_default=True)
def verify(pack_id: int, actor: str):
    """Rebuild a stored pack from its snapshot; exit 1 if a file's SHA-256 differs from the stored one."""
    from steerco.services.reporting import packs as service

    store = current().store
    bad = []
    for fmt in service.FORMATS:
        _data, same = store.run(actor, lambda uow: service.rebuild(uow, pack_id, fmt), readonly=True)
        click.echo(f"{fmt}: {'same' if same else 'DIFFERENT'}")
        bad += [] if same else [fmt]
    if bad:
        raise SystemExit(1)


COMMANDS: list = [packs]

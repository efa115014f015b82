"""`steerco backup` and `steerco restore`: the database and the evidence files in one checked archive."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from steerco.cli.context import current


class Progress:
    """One line per step, and for long steps one more at every tenth done."""

    def __init__(self):
        self.step, self.shown = None, -1

    def __call__(self, step: str, done: int, total: int):
        if step != self.step:
            self.step, self.shown = step, -1
            if total <= 1:
                click.echo(f"  {step} ...", err=True)
        if total > 1:
            tenth = done * 10 // total
            if tenth != self.shown:
                self.shown = tenth
                click.echo(f"  {step}: {done}/{total}", err=True)


@click.command()
@click.option("--out", type=click.Path(dir_okay=True, path_type=Path), default=None,
              help="archive to write, or a folder to write it in (default: steerco-backup-<UTC time>.tar here)")
def backup(out: Path | None):
    """Back up the database (SQLite online backup, or pg_dump) and the evidence files into one archive with
    a manifest of their SHA-256."""
    from steerco.backup import BackupError
    from steerco.backup import backup as run_backup

    ctx = current()
    name = f"steerco-backup-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.tar"
    target = (out / name if out.is_dir() else out) if out else Path(name)
    click.echo(f"backing up to {target} ...", err=True)
    try:
        manifest = run_backup(ctx.settings, target.resolve(), Progress())
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    evidence = len(manifest["files"]) - 1
    size = target.stat().st_size
    click.echo(f"backup written: {target} ({size / (1 << 20):.1f} MiB; {manifest['backend']} database at "
               f"revision {manifest['schema_revision']}, {evidence} evidence file(s))")


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace a database that already holds data")
def restore(archive: Path, force: bool):
    """Restore a backup: every file is checked against the manifest first, then the database and the
    evidence files are restored and the audit trail is verified (exit 1 if it is not intact)."""
    from steerco.backup import ArchiveRejected, BackupError
    from steerco.backup import restore as run_restore
    from steerco.cli.checks import verify
    from steerco.migrate import pending

    ctx = current()
    click.echo(f"restoring {archive} ...", err=True)
    try:
        manifest = run_restore(ctx.settings, archive, force=force, progress=Progress())
    except ArchiveRejected as e:
        click.secho(f"error: {e}", fg="red", err=True)
        sys.exit(1)
    except BackupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"restored the backup of {manifest['created_at']} ({len(manifest['files']) - 1} evidence file(s))")
    if pending(ctx.store.engine):
        click.echo("the database is behind this version of Steerco: run 'steerco db upgrade'")
    if not verify(ctx):
        sys.exit(1)


COMMANDS: list = [backup, restore]

"""``steerco msproject import``: a plan file into a measure from the command line, showing its progress."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.group("msproject")
def msproject():
    """Microsoft Project plans as measures' milestones."""


@msproject.command("import")
@click.argument("measure")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor", required=True, help="the user importing (must be allowed to edit the measure)")
def import_plan(measure: str, path: Path, actor: str):
    """Import PATH (MSPDI .xml, or .mpp with Java) as the milestones of MEASURE (its code, e.g. M-0001)."""
    from steerco.cli.main import Context
    from steerco.domain.errors import NotFound
    from steerco_msproject.imports import import_file

    store = click.get_current_context().ensure_object(Context).store

    def find(uow):
        m = uow.measure_by_code(measure.upper())
        if m is None:
            raise NotFound(f"measure: no measure {measure}")
        return m.id

    measure_id = store.run("system", find, readonly=True)
    started = time.perf_counter()
    result = import_file(store, actor, measure_id, path.read_bytes(), path.name,
                         progress=lambda msg: click.echo(f"  {time.perf_counter() - started:6.2f} s  {msg}"))
    c = result["counts"]
    click.echo(f"{result['measure']}: plan '{result['title']}' imported in {time.perf_counter() - started:.2f} s: "
               f"{c['created']} added, {c['updated']} updated, {c['unchanged']} unchanged, {c['removed']} removed")
    for warning in result["warnings"]:
        click.echo(f"  warning: {warning}")
    if result["change_request"]:
        click.echo(f"  change request {result['change_request']} raised for the schedule slip")


COMMANDS = [msproject]

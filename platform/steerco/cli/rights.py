"""`steerco` commands of the 'rights' area: the background worker and the SLA scan (issue 3)."""

from __future__ import annotations

import logging

import click

from steerco.cli.context import current


@click.command()
@click.option("--workers", default=2, show_default=True, help="worker threads")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="run the schedules (SLA scan every 5 minutes, daily digest)")
def worker(workers: int, periodic: bool):
    """Run the background jobs (huey consumer): SQLite queue, or Redis with STEERCO_REDIS_URL."""
    from steerco.jobs import build

    ctx = current()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    jobs = build(ctx.settings, store=ctx.store)
    where = "redis" if ctx.settings.redis_url else f"sqlite {ctx.settings.instance_path / 'jobs.db'}"
    click.echo(f"steerco worker: {workers} thread(s), queue on {where}, periodic={'on' if periodic else 'off'}")
    jobs.huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread").run()


@click.command("sla-scan")
def sla_scan():
    """Send the reminders and escalations due now and deliver the mails, once, in this process."""
    from steerco.jobs import build

    ctx = current()
    counts = build(ctx.settings, store=ctx.store).run_sla_scan()
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))


COMMANDS: list = [worker, sla_scan]

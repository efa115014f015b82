"""``steerco``: set up, configure, run and check a Steerco instance."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
import yaml

from steerco.cli.context import Context, pass_ctx
from steerco.domain.errors import SteercoError


class SteercoGroup(click.Group):
    """Domain errors end the command with their message, not a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SteercoError as e:
            click.secho(f"error: {e.message}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=SteercoGroup)
def main():
    """Steerco: phase-gate governance of measures."""


@main.group()
def db():
    """The database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context):
    """Create or migrate the schema to the newest version."""
    from steerco.migrate import upgrade
    from steerco_admin.app import ensure_security_roles

    click.echo(f"migrating {_safe_url(ctx.settings.database_url)} ...")
    upgrade(ctx.settings.database_url)
    ensure_security_roles(ctx.app())
    click.echo("database is up to date")


@main.group()
def config():
    """Governance configuration (YAML)."""


@config.command("apply")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor", default="system", show_default=True, help="who is recorded in the audit trail")
@pass_ctx
def config_apply(ctx: Context, path: Path, actor: str):
    """Apply a configuration file; applying the same file again changes nothing."""
    from steerco.domain.errors import ConfigError, ConfigProblems
    from steerco.services.configuration import bundle as configuration

    data = load_yaml(path)

    def work(uow):
        return configuration.apply(uow, data, progress=lambda step: click.echo(f"  {step} ... ok")).as_dict()

    try:
        report = ctx.store.run(actor, work)
    except ConfigProblems as e:
        click.secho(f"error: {path}: {len(e.problems)} problem(s), nothing applied", fg="red", err=True)
        for p in e.problems:
            click.secho(f"  {path}: {p['location']}: {p['problem']}", err=True)
        sys.exit(1)
    except ConfigError as e:
        click.secho(f"error: {path}: {e.message}", fg="red", err=True)
        sys.exit(1)
    for item in report["created"]:
        click.echo(f"created  {item}")
    for item in report["updated"]:
        click.echo(f"updated  {item}")
    for w in report["warnings"]:
        click.echo(f"warning  {path}: {w['location']}: {w['problem']}")
    click.echo(f"{len(report['created'])} created, {len(report['updated'])} updated, {report['unchanged']} unchanged")


@main.group()
def users():
    """People, logins and roles."""


@users.command("add")
@click.argument("username")
@click.option("--password", help="password for logging in (omit to keep an existing one)")
@click.option("--role", "roles", multiple=True, help="role code; repeat for several")
@click.option("--node", default=None, help="node code the roles are scoped to (default: everywhere)")
@click.option("--name", default="", help="full name")
@click.option("--email", default="", help="e-mail address")
@pass_ctx
def users_add(ctx: Context, username, password, roles, node, name, email):
    """Add a user (or add roles to an existing one)."""
    from steerco.services.rights import people
    from steerco_admin.accounts import check_password, ensure_login

    if password is not None:
        check_password(username, password)

    ctx.store.run("system", lambda uow: people.add_user(uow, username, name=name, email=email,
                                                          roles=[(r, node) for r in roles]) and None)
    created = ensure_login(ctx.app(), username, password, name=name, email=email, admin="admin" in roles)
    scope = f" on {node}" if node else ""
    click.echo(f"{'added' if created else 'updated'} {username}" + (f" ({', '.join(roles)}{scope})" if roles else ""))


@main.command()
@click.option("--measures", default=48, show_default=True, help="how many measures to create")
@pass_ctx
def demo(ctx: Context, measures: int):
    """Load a demo portfolio (programmes, measures across every DoI, users for every role)."""
    from steerco.demo import demo_logins, load_demo
    from steerco_admin.accounts import ensure_login

    app = ctx.app()
    if ctx.store.run("system", lambda uow: uow.measures(limit=1)[0], readonly=True):
        click.echo("this instance already has measures: the demo is not loaded again")
        logins = demo_logins()
    else:
        click.echo("loading the demo portfolio ...")
        logins = load_demo(ctx.store, functools.partial(ensure_login, app), ctx.settings.evidence_dir,
                           measures_wanted=measures, progress=lambda msg: click.echo(f"  {msg}"))
    click.echo("\nLogins (username / password / roles):")
    for username, password, roles in logins:
        click.echo(f"  {username:<8} {password:<13} {roles}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int):
    """Serve the web app and the API."""
    from waitress import serve as waitress_serve

    app = ctx.app()
    click.echo(f"Steerco is running at http://{host}:{port}/  (API: /api/v1/, OpenAPI: /api/v1/_openapi)")
    waitress_serve(app, host=host, port=port, threads=threads, **waitress_options(ctx.settings))


def waitress_options(settings) -> dict:
    """Waitress buffers a whole request body before the app sees it (1 GiB by default): cap it just above
    the app's own upload limit, which answers a smaller excess with a 413 naming the limit."""
    return {"ident": "steerco", "max_request_body_size": settings.max_upload_bytes + (2 << 20)}


@main.group()
def audit():
    """The tamper-evident audit trail."""


@audit.command("verify")
@pass_ctx
def audit_verify(ctx: Context):
    """Check every event against its hash and its predecessor (exit 1 at the first break), and every
    evidence file against its SHA-256 (exit 1 if one is missing or altered)."""
    from steerco.services.governance.audit import verify_chain
    from steerco.services.governance.evidence import altered_files

    checked, broken = ctx.store.run("system", verify_chain, readonly=True)
    if broken:
        click.secho(f"audit trail BROKEN at event {broken.seq}: {broken.problem}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"audit trail intact: {checked} events verified")
    bad = ctx.store.run("system", lambda uow: altered_files(uow, ctx.settings.evidence_dir), readonly=True)
    for f in bad:
        click.secho(f"evidence file {f['filename']!r} of {f['measure']} (evidence {f['evidence']}): {f['problem']}",
                    fg="red", err=True)
    if bad:
        sys.exit(1)
    click.echo("evidence files intact")


def load_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise click.ClickException(f"{path}: not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _add_area_commands():
    from steerco.cli import connectors, rights, status, ui, value

    for area in (value, status, rights, connectors, ui):
        for command in area.COMMANDS:
            main.add_command(command)


_add_area_commands()

if __name__ == "__main__":
    main()

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
    """Domain errors end the command with their message, not a traceback; plugins may add commands.

    Plugin commands (hook ``steerco_register_commands``) are looked up only when a
    name is not Steerco's own, so a plugin can neither shadow a command nor slow one down.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SteercoError as e:
            click.secho(f"error: {e.message}", fg="red", err=True)
            sys.exit(1)

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *plugin_commands()})

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or plugin_commands().get(name)


@functools.cache
def plugin_commands() -> dict:
    """The commands of the installed plugins by name (loaded once, on first use)."""
    from steerco.plugins.manager import PluginError, make_plugin_manager

    try:
        pm = make_plugin_manager()
    except PluginError as e:
        click.secho(f"warning: plugins not loaded: {e}", fg="yellow", err=True)
        return {}
    found = {}
    for impl in pm.hook.steerco_register_commands.get_hookimpls():
        for command in impl.function() or ():
            if command.name in main.commands or command.name in found:
                click.secho(f"warning: plugin '{impl.plugin_name}': command '{command.name}' is taken; ignored",
                            fg="yellow", err=True)
                continue
            found[command.name] = command
    return found


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
@click.option("--dry-run", is_flag=True, help="check and show what would change, and apply nothing")
@pass_ctx
def config_apply(ctx: Context, path: Path, actor: str, dry_run: bool):
    """Apply a configuration bundle, all or nothing; applying the same file again changes nothing."""
    import hashlib

    from steerco.domain.errors import ConfigError, ConfigProblems
    from steerco.services.configuration import bundle as configuration
    from steerco.services.configuration import diff

    raw = path.read_bytes()
    data = load_yaml(path)
    source = {"file": path.name, "sha256": hashlib.sha256(raw).hexdigest()}

    def work(uow):
        return configuration.apply(uow, data, progress=lambda step: click.echo(f"  {step} ... ok"),
                                   source=source).as_dict()

    try:
        if dry_run:
            with ctx.store.unit(actor) as uow:  # rolled back on leaving: nothing is written
                live = _live_for(uow, data)
                report = work(uow)
                changes = [diff.as_text(line) for line in diff.what_applying_changes(live, data)]
        else:
            report = ctx.store.run(actor, work)
    except ConfigProblems as e:
        click.secho(f"error: {path}: {len(e.problems)} problem(s), nothing applied", fg="red", err=True)
        for p in e.problems:
            click.secho(f"  {path}: {p['location']}: {p['problem']}", err=True)
        sys.exit(1)
    except ConfigError as e:
        click.secho(f"error: {path}: {e.message}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"bundle {path.name} sha256 {source['sha256']}")
    would = "would be " if dry_run else ""
    for item in report["created"]:
        click.echo(f"{would}created  {item}")
    for item in report["updated"]:
        click.echo(f"{would}updated  {item}")
    for w in report["warnings"]:
        click.echo(f"warning  {path}: {w['location']}: {w['problem']}")
    for line in changes if dry_run else []:
        click.echo(f"  {line}")
    click.echo(f"{len(report['created'])} {would}created, {len(report['updated'])} {would}updated, "
               f"{report['unchanged']} unchanged" + (" (dry run: nothing applied)" if dry_run else ""))


@config.command("export")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="file to write, or a directory (the bundle is written there as steerco-config.yaml); "
                   "default: standard output")
@click.option("--with-nodes", is_flag=True, help="include the hierarchy's nodes")
@click.option("--with-people", is_flag=True, help="include the people and their roles per node (no passwords)")
@pass_ctx
def config_export(ctx: Context, out: Path | None, with_nodes: bool, with_people: bool):
    """Export the whole configuration as one YAML bundle (stable: the same configuration gives the same bytes)."""
    from steerco.services.configuration import export

    text = ctx.store.run("system", lambda uow: export.dump(export.export(uow, with_nodes=with_nodes,
                                                                         with_people=with_people)), readonly=True)
    if out is None:
        click.echo(text, nl=False)
        return
    target = out / "steerco-config.yaml" if out.is_dir() else out
    target.write_text(text, encoding="utf-8")
    click.echo(f"configuration exported to {target}", err=True)


@config.command("diff")
@click.argument("before")
@click.argument("after")
@click.option("--with-nodes", is_flag=True, help="compare the hierarchy's nodes of the live instance too")
@click.option("--with-people", is_flag=True, help="compare the people of the live instance and their roles too")
@pass_ctx
def config_diff(ctx: Context, before: str, after: str, with_nodes: bool, with_people: bool):
    """What differs from BEFORE to AFTER, by object and field. Each is a bundle file, or `live` (or `-`)
    for this instance's configuration. Exit status 1 when they differ, as with diff(1)."""
    from steerco.services.configuration import diff

    def load(which: str) -> dict:
        if which in ("live", "-"):
            from steerco.services.configuration import export

            return ctx.store.run("system", lambda uow: export.export(uow, with_nodes=with_nodes,
                                                                     with_people=with_people), readonly=True)
        path = Path(which)
        if not path.is_file():
            raise click.BadParameter(f"{which}: no such file (or `live` for this instance)")
        data = load_yaml(path)
        if not isinstance(data, dict):
            raise click.ClickException(f"{path}: the file must contain a mapping at the top level")
        return data

    changes = diff.bundle_diff(load(before), load(after))
    for line in changes:
        click.echo(diff.as_text(line))
    click.echo(f"{len(changes)} difference(s)" if changes else "no differences", err=True)
    sys.exit(1 if changes else 0)


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
@click.option("--measures", default=48, show_default=True, help="how many measures to create (default model)")
@click.option("--pack", default=None, metavar="NAME",
              help="play the demo of a starter pack under config/packs (cost-programme is the default model's)")
@pass_ctx
def demo(ctx: Context, measures: int, pack: str | None):
    """Load a demo portfolio (programmes, measures across every DoI, users for every role)."""
    from steerco.demo import demo_logins, load_demo
    from steerco.demo.packs import load_pack_demo, pack_names
    from steerco_admin.accounts import ensure_login

    if pack not in (None, "cost-programme", *pack_names()):
        raise click.UsageError(f"no starter pack with a demo named {pack!r}; choose one of "
                               f"{', '.join(['cost-programme', *pack_names()])}")
    app = ctx.app()
    if ctx.store.run("system", lambda uow: uow.measures(limit=1)[0], readonly=True):
        if pack not in (None, "cost-programme"):
            raise click.ClickException("this instance already has measures: a pack's demo needs an empty instance")
        click.echo("this instance already has measures: the demo is not loaded again")
        logins = demo_logins()
    elif pack not in (None, "cost-programme"):
        click.echo(f"loading the demo of the {pack} pack ...")
        logins = load_pack_demo(ctx.store, pack, functools.partial(ensure_login, app), ctx.settings.evidence_dir,
                                progress=lambda msg: click.echo(f"  {msg}"))
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
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="threads per process")
@click.option("--workers", default=0, show_default=True, type=click.IntRange(0, 64),
              help="worker processes under gunicorn (production); 0 serves in this one process with waitress")
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int, workers: int):
    """Serve the web app and the API."""
    if workers:
        from steerco.migrate import pending
        from steerco_admin import server

        # Checked once here: a worker that cannot start would only say so in the gunicorn log.
        if pending(ctx.store.engine):
            raise click.ClickException("the database is not up to date: run 'steerco db upgrade' first")
        ctx.store.dispose()  # the workers open their own connections after the fork
        click.echo(f"Steerco is running at http://{host}:{port}/ with {workers} worker(s) of {threads} "
                   f"thread(s)  (API: /api/v1/, OpenAPI: /api/v1/_openapi)")
        server.run(ctx.settings, host=host, port=port, workers=workers, threads=threads)
        return
    from waitress import serve as waitress_serve

    app = ctx.app()
    click.echo(f"Steerco is running at http://{host}:{port}/  (API: /api/v1/, OpenAPI: /api/v1/_openapi)")
    waitress_serve(app, host=host, port=port, threads=threads, **waitress_options(ctx.settings))


def waitress_options(settings) -> dict:
    """Waitress buffers a whole request body before the app sees it (1 GiB by default): cap it just above
    the app's own upload limit, which answers a smaller excess with a 413 naming the limit."""
    from steerco_admin.serving import BODY_SLACK

    return {"ident": "steerco", "max_request_body_size": settings.max_upload_bytes + BODY_SLACK}


@main.group()
def audit():
    """The tamper-evident audit trail."""


@audit.command("verify")
@pass_ctx
def audit_verify(ctx: Context):
    """Check every event against its hash and its predecessor (exit 1 at the first break), and every
    evidence file against its SHA-256 (exit 1 if one is missing or altered)."""
    from steerco.cli.checks import verify

    if not verify(ctx):
        sys.exit(1)


def _live_for(uow, data) -> dict:
    """The instance's export, read before a dry run applies ``data``, to say what changes field by field."""
    from steerco.services.configuration import export

    hierarchy = data.get("hierarchy") if isinstance(data, dict) else None
    return export.export(uow, with_nodes=isinstance(hierarchy, dict) and "nodes" in hierarchy,
                         with_people=isinstance(data, dict) and "people" in data)


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
    from steerco.cli import backup, connectors, migration, packs, rights, status, ui, value

    for area in (value, status, rights, connectors, ui, packs, backup):
        for command in area.COMMANDS:
            main.add_command(command)
    for command in migration.CONFIG_COMMANDS:
        config.add_command(command)


_add_area_commands()

if __name__ == "__main__":
    main()

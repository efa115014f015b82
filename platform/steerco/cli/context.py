"""What every ``steerco`` command works with: the settings, the store, the web app."""

from __future__ import annotations

from functools import cached_property

import click

from steerco.settings import Settings


class Context:
    @cached_property
    def settings(self) -> Settings:
        try:
            return Settings.from_env()
        except ValueError as e:  # a setting out of its bounds: the message names it and what it needs
            raise click.ClickException(str(e)) from None

    @cached_property
    def store(self):
        from steerco.plugins.manager import install_operators, make_plugin_manager
        from steerco.store.uow import Store

        self.settings.instance_path.mkdir(parents=True, exist_ok=True)
        store = Store(self.settings.database_url)
        # Criteria may use operators that plugins register; install them before any model is parsed.
        store.plugins = make_plugin_manager()
        install_operators(store.plugins)
        return store

    def app(self, **kw):
        from steerco_admin.app import create_app

        return create_app(self.settings, store=self.store, plugins=self.store.plugins, **kw)


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def current() -> Context:
    """The context of the command that runs now (for the commands the areas add)."""
    return click.get_current_context().ensure_object(Context)

"""The plugin-manager factory and what Steerco asks of the loaded plugins.

Nothing is loaded at import: the CLI, the web app and the job worker each call
:func:`make_plugin_manager` once; tests pass ``entrypoints=False`` and register
exactly the plugins they want.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import pluggy

from steerco.plugins import PROJECT, hookspecs
from steerco.plugins.connector import Connector

log = logging.getLogger(__name__)

BUILTIN_PLUGINS = ("steerco_ad", "steerco_jira", "steerco_crm", "steerco_msproject", "steerco_sharepoint",
                   "steerco_sap", "steerco_oracle")
"""Built-in connector packages. They are declared as ``steerco`` entry points in
pyproject.toml like any third-party plugin; this list only covers a checkout
whose installed metadata predates them."""


class PluginError(RuntimeError):
    """A plugin broke the API; the message names the plugin and the hook."""


def make_plugin_manager(*, entrypoints: bool = True, plugins=()) -> pluggy.PluginManager:
    """A plugin manager with the Steerco hooks.

    :param entrypoints: load every installed ``steerco`` entry point, then any
        built-in plugin not loaded through one.
    :param plugins: extra plugin objects (modules or instances) to register.
    :raises PluginError: a plugin implements a hook that does not exist or with a
        wrong signature (pluggy's message names the plugin and the hook).
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    if entrypoints:
        pm.load_setuptools_entrypoints(PROJECT)
        loaded = {getattr(p, "__name__", None) for p in pm.get_plugins()}
        for name in BUILTIN_PLUGINS:
            if name not in loaded:
                try:
                    pm.register(_import_builtin(name), name=name)
                except ImportError as e:  # a slimmed-down install may leave one out
                    log.warning("built-in plugin %s is not available: %s", name, e)
    for p in plugins:
        pm.register(p)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as e:
        raise PluginError(str(e)) from None
    return pm


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    hooks: tuple[str, ...]
    connectors: tuple[str, ...]
    operators: tuple[str, ...]


def plugin_infos(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Each registered plugin: its name, distribution version, hooks, connectors and operators."""
    versions = {id(p): (d.project_name, d.version) for p, d in pm.list_plugin_distinfo()}
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda np: np[0]):
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or ()))
        dist, version = versions.get(id(plugin), (None, _module_version(plugin)))
        conns = tuple(c.name for c in _call_one(plugin, "steerco_register_connectors"))
        ops = tuple(o.name for o in _call_one(plugin, "steerco_register_operators"))
        # Built-in plugins ship inside the steerco distribution: name them by their package.
        label = dist if dist and dist != PROJECT else getattr(plugin, "__name__", name)
        out.append(PluginInfo(label, version, hooks, conns, ops))
    return out


def connector_classes(pm: pluggy.PluginManager) -> dict[str, type[Connector]]:
    """Every registered connector class by name.

    :raises PluginError: a class is not a Connector, declares badly, or reuses a name.
    """
    found: dict[str, type[Connector]] = {}
    for impl in pm.hook.steerco_register_connectors.get_hookimpls():
        for cls in impl.function() or ():
            if not (isinstance(cls, type) and issubclass(cls, Connector)):
                raise PluginError(f"plugin '{impl.plugin_name}': steerco_register_connectors returned {cls!r}, "
                                  "not a Connector subclass")
            try:
                cls.check_declaration()
            except ValueError as e:
                raise PluginError(f"plugin '{impl.plugin_name}': {e}") from None
            if cls.name in found and found[cls.name] is not cls:
                raise PluginError(f"plugin '{impl.plugin_name}': connector name '{cls.name}' is already taken")
            found[cls.name] = cls
    return found


def operator_set(pm: pluggy.PluginManager):
    """A new set: the platform's operators plus every plugin's (for checking rules in isolation).

    :raises PluginError: naming the plugin whose operator is refused.
    """
    from steerco.rules import OperatorSet

    ops = OperatorSet.default()
    for plugin, op in _plugin_operators(pm):
        _register(ops, plugin, op)
    return ops


def install_operators(pm: pluggy.PluginManager):
    """Add every plugin's operators to the process-wide set criteria and trigger rules compile with.

    Called once at start-up by the app factory, the CLI and the job worker;
    calling it again with the same plugins changes nothing.

    :returns: the process-wide :class:`~steerco.rules.OperatorSet`.
    :raises PluginError: an operator is refused, or a different function already holds its name.
    """
    from steerco.rules import default_operators

    ops = default_operators()
    for plugin, op in _plugin_operators(pm):
        existing = ops.get(op.name)
        if existing is not None and existing.fn is op.fn:
            continue
        _register(ops, plugin, op)
    return ops


def _plugin_operators(pm):
    from steerco.rules import Operator

    for impl in pm.hook.steerco_register_operators.get_hookimpls():
        for op in impl.function() or ():
            if not isinstance(op, Operator):
                raise PluginError(f"plugin '{impl.plugin_name}': steerco_register_operators returned {op!r}, "
                                  "not a steerco.rules.Operator")
            yield impl.plugin_name, op


def _register(ops, plugin: str, op) -> None:
    try:
        ops.register(op.name, op.fn, min_args=op.min_args, max_args=op.max_args, doc=op.doc)
    except ValueError as e:
        raise PluginError(f"plugin '{plugin}': {e}") from None


def notify(pm: pluggy.PluginManager | None, hook: str, **kwargs) -> list[str]:
    """Call a notification hook on every plugin, each on its own.

    One plugin failing neither stops the others nor reaches the caller.

    :returns: the names of the plugins that failed (already logged).
    """
    if pm is None:
        return []
    failed = []
    # Each implementation is called separately: pluggy would stop at the first exception.
    for impl in getattr(pm.hook, hook).get_hookimpls():
        try:
            impl.function(**{k: kwargs[k] for k in impl.argnames})
        except Exception:  # a plugin's bug must never reach the committed change that notified it
            log.exception("plugin '%s' failed in %s", impl.plugin_name, hook)
            failed.append(impl.plugin_name)
    return failed


def _import_builtin(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        # An editable install made before plugins/ had packages maps only platform/ and
        # admin/; the built-ins then sit in the checkout's plugins/ source root.
        root = Path(__file__).resolve().parents[3] / "plugins"
        if not (root / name / "__init__.py").is_file():
            raise
        if str(root) not in sys.path:
            sys.path.append(str(root))
        return importlib.import_module(name)


def _call_one(plugin, hook_name: str) -> list:
    fn = getattr(plugin, hook_name, None)
    if fn is None:
        return []
    try:
        return list(fn() or ())
    except Exception:  # listing plugins must work even when one is broken
        log.exception("plugin %r failed in %s", plugin, hook_name)
        return []


def _module_version(plugin) -> str:
    return str(getattr(plugin, "__version__", "") or "built-in")


def subscribed(uow, hook: str) -> bool:
    """Whether a plugin attached to ``uow``'s store implements ``hook``."""
    pm = getattr(uow.store, "plugins", None)
    return pm is not None and bool(getattr(pm.hook, hook).get_hookimpls())


def notify_after_commit(uow, hook: str, arguments) -> None:
    """Queue a notification hook to run once ``uow`` has committed.

    :param arguments: a callable returning the hook's keyword arguments; it runs
        after the commit too, so that building the views can never fail the
        transaction, and not at all when no plugin manager is attached.

    The plugin manager is the one the app factory attached to the store
    (``store.plugins``); without one (the CLI, most tests) nothing is queued.
    """
    if not subscribed(uow, hook):
        return
    pm = uow.store.plugins

    def run():
        try:
            kwargs = arguments()
        except Exception:  # the change is committed; a notification is never worth a failure
            log.exception("could not prepare %s", hook)
            return
        notify(pm, hook, **kwargs)

    uow.after_commit.append(run)

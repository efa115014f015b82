"""The plugin API: pluggy hooks under the ``steerco`` project name.

A plugin needs one import, ``from steerco import hookimpl``; the hooks it may
implement are documented in :mod:`steerco.plugins.hookspecs`. Plugins are found
through the ``steerco`` entry-point group by :func:`make_plugin_manager`;
nothing is loaded at import time.
"""

import pluggy

PROJECT = "steerco"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["PROJECT", "hookimpl", "hookspec"]

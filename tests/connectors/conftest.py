"""Fixtures of the connector tests: built-in plugin packages importable, a fresh plugin manager."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if importlib.util.find_spec("steerco_ad") is None:
    # An editable install made before plugins/ had packages does not map them.
    sys.path.append(str(ROOT / "plugins"))


@pytest.fixture
def pm():
    """A plugin manager with only the built-in plugins: no installed entry points are loaded."""
    import steerco_ad
    import steerco_crm
    import steerco_jira
    import steerco_msproject
    import steerco_oracle
    import steerco_sap
    import steerco_sharepoint
    from steerco.plugins.manager import make_plugin_manager

    return make_plugin_manager(entrypoints=False, plugins=[steerco_ad, steerco_jira, steerco_crm, steerco_msproject,
                                                           steerco_sharepoint, steerco_sap, steerco_oracle])

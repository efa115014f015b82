"""Built-in plugin: Microsoft Project plans (MSPDI XML, and .mpp through MPXJ) as a measure's milestones."""

from steerco import hookimpl
from steerco_msproject.connector import MSProjectConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [MSProjectConnector]


@hookimpl
def steerco_register_web_views():
    from steerco_msproject.web import MSProjectApi, MSProjectPage

    return [MSProjectApi, MSProjectPage]


@hookimpl
def steerco_register_measure_panels():
    from steerco.plugins.panels import MeasurePanel
    from steerco_msproject.web import panel_data

    return [MeasurePanel("plan", "steerco_msproject/panel.html", panel_data)]


@hookimpl
def steerco_register_commands():
    from steerco_msproject.cli import COMMANDS

    return COMMANDS

"""Built-in plugin: Microsoft Project plans (MSPDI XML, and .mpp through MPXJ) as a measure's milestones."""

from steerco import hookimpl
from steerco_msproject.connector import MSProjectConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [MSProjectConnector]

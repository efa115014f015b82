"""Built-in plugin: SAP S/4HANA (financials): journal-entry totals as the actuals of measures."""

from steerco import hookimpl
from steerco_sap.connector import SapConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [SapConnector]

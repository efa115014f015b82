"""Built-in plugin: Oracle (financials): actuals from Oracle Fusion Cloud ERP's REST API, or from an Oracle
database (E-Business Suite and similar) through an admin-configured query."""

from steerco import hookimpl
from steerco_oracle.database import OracleDatabaseConnector
from steerco_oracle.fusion import FusionConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [FusionConnector, OracleDatabaseConnector]

"""Built-in plugin: SharePoint (Microsoft 365) through Microsoft Graph: a document library for evidence."""

from steerco import hookimpl
from steerco_sharepoint.connector import SharePointConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [SharePointConnector]


@hookimpl
def steerco_evidence_store(connector):
    if isinstance(connector, SharePointConnector):
        return connector.evidence_store()
    return None

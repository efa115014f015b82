"""Built-in plugin: Active Directory / LDAP as Steerco's directory (ldap3, no python-ldap)."""

from steerco import hookimpl
from steerco_ad.connector import DirectoryConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [DirectoryConnector]

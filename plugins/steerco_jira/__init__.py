"""Built-in plugin: Jira Cloud (work items): linked epics, issues and queries as milestones."""

from steerco import hookimpl
from steerco_jira.connector import JiraConnector

__version__ = "0.1.0"


@hookimpl
def steerco_register_connectors():
    return [JiraConnector]

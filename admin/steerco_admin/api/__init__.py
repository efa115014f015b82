"""The REST API under /api/v1 (OpenAPI at /api/v1/_openapi)."""

from steerco_admin.api import account, configuration, connectors, packs, reports, rights, status, ui, value
from steerco_admin.api.measures import MeasureApi
from steerco_admin.api.reviews import ConditionApi, ReviewApi


def register_api(appbuilder) -> None:
    for api in (MeasureApi, ReviewApi, ConditionApi, *value.APIS, *status.APIS, *rights.APIS, *connectors.APIS,
                *ui.APIS, *reports.APIS, *configuration.APIS, *packs.APIS, *account.APIS):
        appbuilder.add_api(api)

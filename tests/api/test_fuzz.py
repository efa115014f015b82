"""Every operation of the published OpenAPI, fed generated requests (valid and invalid), as an admin:
no server error, and responses that match the schema wherever the schema describes them.

Bounded for CI: a few examples per operation and mode, derandomized so a failure repeats.
"""

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from value.helpers import add_line, new_measure

EXAMPLES = 8


@pytest.fixture
def database_url(request, tmp_path):
    """SQLite only: both backends are covered by the targeted tests, and this one is the slowest."""
    template = request.getfixturevalue("sqlite_template")
    target = tmp_path / "steerco.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def _failure(op, mode, run) -> str | None:
    try:
        run()
    except Unsatisfiable:
        # Nothing about the operation can be made invalid (no parameters, or only free text in the path).
        assert mode is GenerationMode.NEGATIVE, f"{op.method.upper()} {op.path}: no valid request can be built"
    except (Exception, BaseExceptionGroup) as err:  # every failure is reported, with its operation, after all ran
        return f"{op.method.upper()} {op.path} ({mode.value}): {type(err).__name__}: {str(err)[:600]}"
    return None


def test_no_operation_answers_a_server_error(app, api, portfolio):
    # Rows for the ids the generator tries first (1, 2...) to reach past "not found" into the handlers.
    mid = new_measure(portfolio)
    add_line(portfolio, mid)
    headers = {"Authorization": f"Bearer {api.token('admin')}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=headers)
    failures = []
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                       headers=headers)

            failures.append(_failure(op, mode, run))
    failures = [f for f in failures if f]
    assert not failures, "\n\n".join(failures)

"""The HTTP fixtures of tests/api, for the pack API tests."""

from api.conftest import api, app  # noqa: F401

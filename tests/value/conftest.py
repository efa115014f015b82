"""The HTTP fixtures of tests/api, for the value API tests."""

from api.conftest import api, app  # noqa: F401

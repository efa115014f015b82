"""A short STEERCO_SECRET_KEY or a weak password is refused with a message saying what is needed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from steerco.settings import Settings


def test_a_secret_key_under_32_bytes_is_refused(tmp_path):
    env = {"STEERCO_INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings.from_env({**env, "STEERCO_SECRET_KEY": "x"})
    assert Settings.from_env({**env, "STEERCO_SECRET_KEY": "k" * 32}).secret_key == "k" * 32
    assert len(Settings.from_env(env).secret_key) >= 32  # generated for the instance when not set


def test_the_cli_refuses_a_short_secret_key_without_a_traceback(tmp_path, monkeypatch):
    from steerco.cli.main import main

    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("STEERCO_SECRET_KEY", "x")
    r = CliRunner().invoke(main, ["audit", "verify"])
    assert r.exit_code == 1 and "at least 32 bytes" in r.output and "Traceback" not in r.output


@pytest.mark.parametrize("password, problem", [("a", "at least 12 characters"),
                                               ("Zoe-the-user", "must not be the username")])
def test_users_add_refuses_a_weak_password(tmp_path, monkeypatch, password, problem):
    from steerco.cli.main import main

    monkeypatch.setenv("STEERCO_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("STEERCO_SECRET_KEY", "k" * 32)
    r = CliRunner().invoke(main, ["users", "add", "zoe-the-user", "--password", password])
    assert r.exit_code == 1 and problem in r.output, r.output

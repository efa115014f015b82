"""Production serving: health and readiness, request ids, JSON access lines, proxy headers, and
`steerco serve --workers N` under gunicorn with the same body limit as the one-process server."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_health_and_ready_answer_json_without_login(api):
    r = api.get("/health", user=None)
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}
    r = api.get("/ready", user=None)
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"status": "ready", "checks": {"database": "ok", "queue": "not configured"}}


def test_ready_answers_503_naming_the_part_that_is_down_and_no_address(portfolio, settings):
    from steerco_admin.app import create_app

    closed = free_port()
    down = replace(settings, redis_url=f"redis://:hunter2-secret@127.0.0.1:{closed}/0")
    r = create_app(down, store=portfolio, TESTING=True).test_client().get("/ready")
    assert r.status_code == 503
    assert r.get_json() == {"status": "unavailable", "checks": {"database": "ok", "queue": "unreachable"}}
    assert "hunter2" not in r.get_data(as_text=True) and str(closed) not in r.get_data(as_text=True)


def test_a_sane_request_id_is_echoed_and_any_other_replaced(api):
    assert api.get("/health", user=None, headers={"X-Request-ID": "lb-42.a:b"}).headers["X-Request-ID"] == "lb-42.a:b"
    for bad in ("two words", "x" * 200, "id;X-Evil=1", "{\"level\": \"ERROR\"}", ""):
        got = api.get("/health", user=None, headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert got != bad and len(got) == 32 and got.isalnum()


def test_each_request_writes_one_json_access_line_with_its_user(api):
    from steerco_admin.logs import JsonFormatter

    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(JsonFormatter().format(record)))

    access = logging.getLogger("steerco.access")
    handler, level = Keep(), access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        api.token("alice")
        lines.clear()
        r = api.get("/api/v1/measures/?page_size=1", user="alice", headers={"X-Request-ID": "req-7"})
        api.get("/api/v1/no-such-thing", user=None)
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert r.status_code == 200
    first, second = lines
    assert {k: first[k] for k in ("level", "logger", "request_id", "method", "path", "status", "user")} == {
        "level": "INFO", "logger": "steerco.access", "request_id": "req-7", "method": "GET",
        "path": "/api/v1/measures/", "status": 200, "user": "alice"}
    assert isinstance(first["duration_ms"], float) and first["time"].endswith("+00:00")
    assert second["status"] == 404 and "user" not in second and len(second["request_id"]) == 32


def _client_view(settings, store):
    from flask import request

    from steerco_admin.app import create_app

    app = create_app(settings, store=store, TESTING=True)
    app.add_url_rule("/_who", "who", lambda: {"addr": request.remote_addr, "scheme": request.scheme,
                                             "host": request.host})
    return app.test_client()


def test_proxy_headers_are_trusted_only_when_configured(portfolio, settings):
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "gov.example"}
    plain = _client_view(settings, portfolio).get("/_who", headers=headers).get_json()
    assert plain == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}
    proxied = _client_view(replace(settings, proxies=1), portfolio).get("/_who", headers=headers).get_json()
    assert proxied == {"addr": "203.0.113.9", "scheme": "https", "host": "gov.example"}


def test_settings_refuse_a_bad_proxy_count_or_log_format(tmp_path):
    import pytest

    from steerco.settings import Settings

    env = {"STEERCO_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(env).proxies == 0 and Settings.from_env(env).log_format == "text"
    assert Settings.from_env({**env, "STEERCO_PROXIES": "2", "STEERCO_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ValueError, match="STEERCO_PROXIES"):
        Settings.from_env({**env, "STEERCO_PROXIES": "many"})
    with pytest.raises(ValueError, match="STEERCO_LOG_FORMAT must be 'text' or 'json'"):
        Settings.from_env({**env, "STEERCO_LOG_FORMAT": "xml"})


def _raw(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        return answer


def test_serve_with_workers_runs_gunicorn_with_the_body_limit_and_json_logs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEERCO_")}
    env.update(STEERCO_INSTANCE_PATH=str(tmp_path / "instance"), STEERCO_MAX_UPLOAD_MB="1",
               STEERCO_LOG_FORMAT="json")
    steerco = [sys.executable, "-m", "steerco.cli.main"]
    subprocess.run(steerco + ["db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    port = free_port()
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen(steerco + ["serve", "--workers", "2", "--threads", "2", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while b"HTTP/1.1 200" not in (answer := _try_raw(port, b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")):
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        assert answer.startswith(b"HTTP/1.1 200") and b'"status":"ready"' in answer and b"Server: gunicorn" in answer
        # Only the headers of a 4 MiB upload: refused from the announced size, the connection closed.
        started = time.monotonic()
        answer = _raw(port, b"POST /api/v1/measures/1/evidence HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % (4 << 20))
        assert answer.startswith(b"HTTP/1.1 413") and b"over the limit" in answer, answer
        assert time.monotonic() - started < 5
    finally:
        server.terminate()
        server.wait(30)
    lines = [json.loads(line) for line in (tmp_path / "serve.log").read_text().splitlines() if line.startswith("{")]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    assert any(line.get("path") == "/ready" and line.get("status") == 200 and line.get("request_id")
               for line in lines)


def _try_raw(port: int, head: bytes) -> bytes:
    try:
        return _raw(port, head)
    except OSError:
        return b""

"""`steerco serve` stops reading a request body a little past the upload limit; the app answers uploads
over the limit with 413 JSON."""

from __future__ import annotations

import io
import socket
import threading

from steerco.settings import Settings


def test_waitress_refuses_a_body_past_the_upload_limit_without_buffering_it(tmp_path):
    from waitress.server import create_server

    from steerco.cli.main import waitress_options

    settings = Settings(tmp_path, "sqlite://", "k" * 32, max_upload_mb=1)
    seen = []

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"read"]

    server = create_server(app, host="127.0.0.1", port=0, threads=1, **waitress_options(settings))
    threading.Thread(target=server.run, daemon=True).start()
    try:
        # Only the headers: the answer comes from the announced size, before any of the body is read.
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=10) as sock:
            sock.sendall(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n"
                         b"Content-Length: %d\r\n\r\n" % (4 << 20))
            answer = sock.recv(200)
        assert answer.startswith(b"HTTP/1.1 413"), answer
        assert seen == []
    finally:
        server.close()


def test_an_upload_over_the_limit_answers_413_json(api, portfolio, settings):
    from value.helpers import new_measure

    mid = new_measure(portfolio)
    big = io.BytesIO(b"x" * (settings.max_upload_bytes + (2 << 20)))
    r = api.post(f"/api/v1/measures/{mid}/evidence", user="alice", content_type="multipart/form-data",
                 data={"requirement": "business_case", "file": (big, "big.pdf", "application/pdf")})
    assert r.status_code == 413 and r.is_json, r.get_data(as_text=True)[:300]

"""The sample connector against Steerco's connector contract, with a local fake risk register."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from steerco.testing import ConnectorContract
from steerco_sample import within_pct
from steerco_sample.risks import RiskFeed

TOKEN = "sample-token-5f1c"


@pytest.fixture
def risk_register():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            ok = self.headers.get("Authorization") == f"Bearer {TOKEN}"
            body = json.dumps([{"measure": "M-0001", "title": "Supplier exit", "probability": 3, "impact": 4}]
                              if ok else {"message": "unauthorized"}).encode()
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class TestRiskFeed(ConnectorContract):
    @pytest.fixture
    def connector(self, risk_register):
        return RiskFeed(RiskFeed.load_settings({"base_url": risk_register, "token_env": "RISK_TOKEN"},
                                               env={"RISK_TOKEN": TOKEN}))

    @pytest.fixture
    def broken_connector(self, risk_register):
        return RiskFeed(RiskFeed.load_settings({"base_url": risk_register, "token_env": "RISK_TOKEN"},
                                               env={"RISK_TOKEN": "wrong-" + TOKEN}))

    @pytest.fixture
    def secret_values(self):
        return [TOKEN]


def test_within_pct():
    assert within_pct(105, 100, 10) is True
    assert within_pct(120, 100, 10) is False
    assert within_pct(None, 100, 10) is None

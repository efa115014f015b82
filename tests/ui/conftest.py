"""UI fixtures: the app on a real server (waitress in a thread), headless Chromium, logged-in pages."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import USERS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def app(portfolio, settings):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    # static files cached for an hour: a browser context fetches FAB's ~20 assets once, not on every page
    app = create_app(settings, store=portfolio, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                     SEND_FILE_MAX_AGE_DEFAULT=3600)
    for name, roles in USERS.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    return app


class Browser:
    """A test client that logs in through the real login form (CSRF token included)."""

    def __init__(self, app):
        self.app = app

    def login(self, username):
        client = self.app.test_client()
        page = client.get("/login/").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        r = client.post("/login/", data={"username": username, "password": f"{username}-pw", "csrf_token": token})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def web(app):
    return Browser(app)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app):
    """The app served by waitress on a free port of 127.0.0.1; yields its base URL."""
    from waitress.server import create_server

    srv = create_server(app, host="127.0.0.1", port=_free_port(), threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{srv.effective_port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", srv.effective_port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield url
    srv.close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, server):
    """``open_page(user)``: a logged-in page at 1366x768 that fails the test on console errors."""
    contexts, errors = [], []

    def make(username):
        ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
        contexts.append(ctx)
        page = ctx.new_page()
        page.expected_errors = set()  # URLs a test opens on purpose to see an error page

        def on_console(msg):
            if msg.type == "error" and msg.location.get("url") not in page.expected_errors:
                errors.append(f"{username}: {msg.text} ({msg.location.get('url')})")
        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
        page.on("response", lambda r: errors.append(f"{username}: HTTP {r.status} {r.url}") if r.status >= 500 or r.status == 404 else None)
        page.goto(f"{server}/login/")
        page.fill("#username", username)
        page.fill("#password", f"{username}-pw")
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(re.compile(r".*/inbox/"))
        page.base = server
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not errors, errors


def shot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

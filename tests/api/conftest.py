import pytest

from conftest import USERS


class Api:
    """A test client that logs users in through the real JWT endpoint."""

    def __init__(self, client):
        self.client = client
        self._tokens = {}

    def token(self, username):
        if username not in self._tokens:
            r = self.client.post("/api/v1/security/login", json={
                "username": username, "password": f"{username}-pw", "provider": "db", "refresh": False})
            assert r.status_code == 200, r.get_json()
            self._tokens[username] = r.get_json()["access_token"]
        return self._tokens[username]

    def call(self, method, url, user="admin", **kw):
        headers = kw.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(url, method=method, headers=headers, **kw)

    def get(self, url, user="admin", **kw):
        return self.call("GET", url, user, **kw)

    def post(self, url, user="admin", **kw):
        return self.call("POST", url, user, **kw)

    def put(self, url, user="admin", **kw):
        return self.call("PUT", url, user, **kw)


@pytest.fixture
def app(portfolio, settings):
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(settings, store=portfolio, TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    for name, roles in USERS.items():
        ensure_login(app, name, f"{name}-pw", admin=any(r == "admin" for r, _ in roles))
    return app


@pytest.fixture
def api(app):
    return Api(app.test_client())

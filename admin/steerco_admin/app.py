"""The application factory. Nothing is created at import time."""

from __future__ import annotations

import logging

from flask import Flask
from flask_appbuilder import AppBuilder, Model
from flask_appbuilder.const import AUTH_DB
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_wtf.csrf import CSRFProtect

from steerco.migrate import pending
from steerco.plugins.manager import install_operators, make_plugin_manager
from steerco.services.integration.connectors import ConnectorEvents
from steerco.settings import Settings
from steerco.store.uow import Store
from steerco_admin import csp, errors, login_guard, logs, requests, security, serving
from steerco_admin.accounts import STEERCO_ROLE
from steerco_admin.api import register_api
from steerco_admin.views import register_views
from steerco_admin.views.panels import register_plugin_views

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, store: Store | None = None, check_schema: bool = True,
               plugins=None, **overrides) -> Flask:
    """Build the app for one database.

    :param store: an existing store (tests and the CLI share theirs); made from settings otherwise.
    :param check_schema: refuse to start on a database that is behind the migrations.
    :param plugins: a plugin manager; by default one loading the installed ``steerco`` entry points.
    """
    settings = settings or Settings.from_env()
    store = store or Store(settings.database_url)
    if check_schema and pending(store.engine):
        raise SystemExit(f"the database at {settings.database_url} is not up to date: run 'steerco db upgrade' first")
    app = Flask("steerco_admin", instance_path=str(settings.instance_path))
    requests.install(app)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        APP_NAME="Steerco",
        AUTH_TYPE=AUTH_DB,
        AUTH_ROLE_ADMIN="Admin",
        AUTH_ROLE_PUBLIC="Public",
        # The schema (FAB's tables included) is created by migrations only.
        FAB_CREATE_DB=False,
        FAB_ADD_SECURITY_API=False,
        # FAB's menu API serves separators as "-" where its own schema promises objects; no page reads it.
        FAB_ADD_MENU_API=False,
        # Permissions are written by 'steerco db upgrade', not on every start.
        FAB_UPDATE_PERMS=False,
        FAB_API_SWAGGER_UI=True,
        FAB_INDEX_VIEW="steerco_admin.views.home.HomeView",
        FAB_ROLES={STEERCO_ROLE: [["OpenApi", "can_get"], ["SwaggerView", "can_show"]]},
        MAX_CONTENT_LENGTH=settings.max_upload_bytes + (1 << 20),
        JSON_SORT_KEYS=False,
        WTF_CSRF_ENABLED=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS (STEERCO_BASE_URL https://...) the cookies never travel in clear text.
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        STEERCO_SETTINGS=settings,
    )
    app.config.update(overrides)
    login_guard.configure(app, settings.redis_url)
    app.extensions["steerco.store"] = store
    # Plugins: loaded here, once per app (``plugins`` lets tests pass a manager of their own).
    pm = plugins if plugins is not None else make_plugin_manager()
    pm.register(ConnectorEvents(store, pm), name="steerco.connector_events")
    install_operators(pm)
    app.extensions["steerco.plugins"] = pm
    store.plugins = pm  # post-commit notifications of the services reach the plugins through the store
    db = get_sqla_class()(metadata=Model.metadata)
    db.init_app(app)
    # Before the APIs register: FAB exempts their blueprints from CSRF (they take JWTs); every page form is checked.
    CSRFProtect(app)
    # Directory logins (provider "ldap") go through ldap3, not FAB's python-ldap code.
    appbuilder = AppBuilder(base_template="steerco/base.html", security_manager_class=security.SteercoSecurityManager)
    with app.app_context():
        appbuilder.init_app(app, db.session)
        register_api(appbuilder)
        register_views(appbuilder)
        register_plugin_views(appbuilder, pm)
    login_guard.install(app, appbuilder.sm.limiter, security.audit)
    security.install(app)
    csp.install(app)
    errors.register(app)
    app.after_request(_security_headers)
    logs.configure(settings.log_format)
    logs.install(app)
    serving.install(app, settings, store)
    app.wsgi_app = serving.BodyLimit(app.wsgi_app, settings.max_upload_bytes + serving.BODY_SLACK)
    return app


SECURITY_HEADERS = {
    # No page of Steerco is meant to be framed (clickjacking of approve/vote buttons).
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", csp.policy())
    return response


def ensure_security_roles(app: Flask) -> None:
    """Create FAB's admin and user roles and their permissions (after migrations)."""
    with app.app_context():
        sm = app.appbuilder.sm
        app.config["FAB_CREATE_DB"] = True
        try:
            sm.create_db()
            app.appbuilder.add_permissions(update_perms=True)
        finally:
            app.config["FAB_CREATE_DB"] = False


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}

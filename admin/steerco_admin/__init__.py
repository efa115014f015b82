"""The Steerco web app: REST API and pages, on Flask-AppBuilder."""

from steerco_admin.app import create_app

__all__ = ["create_app"]

"""What every page shares: login, the store, running a use case, field errors.

Pages only translate: form -> service call in a unit of work -> template.
Decision rights stay in the services; a page never queries around them.
"""

from __future__ import annotations

import functools

from flask import current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView
from flask_login import current_user

from steerco.domain import rights
from steerco.domain.errors import SteercoError, ValidationFailed
from steerco.store import versions


def store():
    return current_app.extensions["steerco.store"]


def actor() -> str:
    return current_user.username


def login_required(view):
    """Send anonymous visitors to the login page, then back here."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not (current_user and current_user.is_authenticated):
            return redirect(url_for("AuthDBView.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper


def run(work, *, readonly: bool = False):
    """Run ``work(uow)`` for the logged-in user in one transaction.

    Whether the user configures or administers Steerco, which the menu of every page asks, is read in
    the same transaction from the user already loaded, rather than in one more of its own.
    """
    def with_menu_right(uow):
        result = work(uow)
        if "steerco_configures" not in g:
            user = uow.user(uow.actor)
            g.steerco_configures = bool(user and rights.can_configure(user))
            g.steerco_administers = bool(user and user.is_admin)
        return result

    return store().run(actor(), with_menu_right, readonly=readonly)


def attempt(work, success: str, back: str):
    """Run a change from a form; flash the outcome and go back to ``back``.

    Field errors are flashed with the field's name so the page can show them
    on that field (see ``field_errors``).
    """
    return attempt_call(lambda: run(work), success, back)


def attempt_call(call, success: str, back: str):
    """Like :func:`attempt` for a use case that opens its own units (one that calls an external system)."""
    try:
        call()
    except ValidationFailed as e:
        for key, problems in e.errors.items():
            flash(f"{key}: {'; '.join(problems)}", "danger")
        return redirect(back)
    except SteercoError as e:
        flash(e.message, "danger")
        return redirect(back)
    flash(success, "success")
    return redirect(back)


def form_version() -> int | None:
    """The version of the object the form was built from (its hidden ``version`` field).

    :raises ValidationFailed: not a version.
    """
    try:
        return versions.parse(request.form.get("version"))
    except ValueError:
        raise ValidationFailed({"version": ["the page sent a version that is not a whole number; reload it"]}) \
            from None


def plugin_manager():
    return current_app.extensions.get("steerco.plugins")


def form_data(*names: str) -> dict:
    """The named form fields that were sent, stripped; blanks become None."""
    out = {}
    for name in names:
        if name in request.form:
            value = request.form.get(name, "").strip()
            out[name] = value or None
    return out


class Page(BaseView):
    """A Steerco page: no FAB permission strings, login checked per route."""

    base_permissions: list = []
    default_view = "index"

"""People: add a person with a login, close or reopen a login, roles per node, an admin's password reset;
and the page where anyone signed in changes their own password.

A person is Steerco's user (name, roles on nodes) and a login of the same
username (password, open or closed); these pages keep both in step.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import PermissionDenied, SteercoError, ValidationFailed
from steerco.domain.people import ADMIN
from steerco.services.configuration import structure
from steerco.services.rights import people
from steerco_admin.accounts import change_password, check_password, ensure_login, login_problems, set_login_active
from steerco_admin.security import keep_this_session
from steerco_admin.views.base import Page, actor, attempt, login_required, run


class PeopleView(Page):
    route_base = "/people"

    @expose("/")
    @login_required
    def index(self):
        return self._page({}, {})

    def _page(self, errors, values, status=200):
        def work(uow):
            return {"people": people.directory(uow), "nodes": structure.tree(uow),
                    "roles": [{"code": r.code, "name": r.name} for r in uow.roles()]}
        try:
            data = run(work, readonly=True)
        except PermissionDenied as e:
            return self.render_template("steerco/error.html", title="Not allowed", message=e.message), 403
        return self.render_template("steerco/people.html", title="People", errors=errors, values=values,
                                    **data), status

    def _refused(self, err: ValidationFailed, prefix: str = ""):
        values = {k: v for k, v in request.form.items() if "password" not in k}
        return self._page({prefix + k: v for k, v in err.errors.items()}, values, 422)

    @expose("/", methods=["POST"])
    @login_required
    def add(self):
        f = request.form
        username, password = f.get("username", "").strip(), f.get("password", "")
        role, node = f.get("role") or None, f.get("node") or None
        try:
            check_password(username, password)
            problems = login_problems(username, f.get("email", "").strip())
            if problems:
                raise ValidationFailed(problems)
            run(lambda uow: people.add_person(uow, username, f.get("name", ""), f.get("email", ""), role, node)
                and None)
        except ValidationFailed as e:
            return self._refused(e)
        except PermissionDenied as e:
            return self.render_template("steerco/error.html", title="Not allowed", message=e.message), 403
        ensure_login(self.appbuilder.app, username, password, name=f.get("name", "").strip(),
                     email=f.get("email", "").strip(), admin=role == ADMIN)
        flash(f"{username} added; they log in with the password you set.", "success")
        return redirect(url_for("PeopleView.index"))

    @expose("/<username>/active", methods=["POST"])
    @login_required
    def active(self, username):
        active = request.form.get("active") == "1"
        try:
            run(lambda uow: people.change_active(uow, username, active) and None)
        except SteercoError as e:
            flash(e.message, "danger")
            return redirect(url_for("PeopleView.index"))
        set_login_active(username, active)
        flash(f"{username} {'reactivated' if active else 'deactivated: logged out everywhere'}.", "success")
        return redirect(url_for("PeopleView.index"))

    @expose("/<username>/password", methods=["POST"])
    @login_required
    def reset_password(self, username):
        try:
            run(lambda uow: people.require_people_admin(uow) and None, readonly=True)
            change_password(username, request.form.get("password", ""))
        except ValidationFailed as e:
            return self._refused(e, prefix=f"{username}.")
        except SteercoError as e:
            flash(e.message, "danger")
            return redirect(url_for("PeopleView.index"))
        flash(f"New password set for {username}; their sessions are logged out.", "success")
        return redirect(url_for("PeopleView.index"))

    @expose("/<username>/roles", methods=["POST"])
    @login_required
    def roles(self, username):
        f = request.form
        node = f.get("node") or None
        if f.get("action") == "remove":
            return attempt(lambda uow: structure.remove_role(uow, username, f.get("role", ""), node),
                           "Role removed.", url_for("PeopleView.index"))
        try:
            run(lambda uow: structure.assign_role(uow, username, f.get("role", ""), node))
        except ValidationFailed as e:
            return self._refused(e, prefix=f"{username}.")
        except SteercoError as e:
            flash(e.message, "danger")
            return redirect(url_for("PeopleView.index"))
        flash("Role given.", "success")
        return redirect(url_for("PeopleView.index"))


class AccountView(Page):
    route_base = "/account"

    @expose("/password")
    @login_required
    def password(self):
        return self.render_template("steerco/account_password.html", title="Your password", errors={})

    @expose("/password", methods=["POST"])
    @login_required
    def change(self):
        f = request.form
        errors = {}
        if f.get("new_password", "") != f.get("confirm", ""):
            errors = {"confirm": ["does not match the new password"]}
        else:
            try:
                generation = change_password(actor(), f.get("new_password", ""),
                                             current=f.get("current_password", ""))
            except ValidationFailed as e:
                errors = {"new_password" if k == "password" else k: v for k, v in e.errors.items()}
        if errors:
            return self.render_template("steerco/account_password.html", title="Your password",
                                        errors=errors), 422
        # every other session of this person has ended; this one carries on under the new generation
        keep_this_session(generation)
        flash("Password changed. Your other sessions are logged out.", "success")
        return redirect(url_for("AccountView.password"))

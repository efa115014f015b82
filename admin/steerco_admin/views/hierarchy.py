"""Hierarchy (levels; tree: add, rename, move, archive) and node-scoped roles."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose

from steerco.domain.errors import PermissionDenied, StaleUpdate, ValidationFailed
from steerco.services.configuration import drafts, structure
from steerco_admin.views.base import Page, attempt, form_version, login_required, run


class HierarchyView(Page):
    route_base = "/hierarchy"

    @expose("/")
    @login_required
    def index(self):
        return self._page({}, {})

    def _page(self, errors, values, status=200):
        def work(uow):
            drafts.require_configurer(uow)
            return {"nodes": structure.tree(uow), "levels": structure.levels(uow),
                    "users": structure.assignments(uow), "roles": [{"code": r.code, "name": r.name} for r in uow.roles()]}
        try:
            data = run(work, readonly=True)
        except PermissionDenied as e:
            return self.render_template("steerco/error.html", title="Not allowed", message=e.message), 403
        return self.render_template("steerco/hierarchy.html", title="Hierarchy & roles", errors=errors,
                                    values=values, **data), status

    def _change(self, work, success, prefix=""):
        """Run a change; field errors come back on the page, on the fields of the form that was sent
        (``prefix`` tells apart forms with fields of the same name)."""
        try:
            run(work)
        except StaleUpdate as e:  # nothing was changed: the page shows theirs after the reload
            flash(e.message, "warning")
            return redirect(url_for("HierarchyView.index"))
        except ValidationFailed as e:
            return self._page({prefix + k: v for k, v in e.errors.items()},
                              {prefix + k: v for k, v in request.form.items()}, 422)
        return attempt(lambda uow: None, success, url_for("HierarchyView.index"))

    @expose("/levels", methods=["POST"])
    @login_required
    def add_level(self):
        f = request.form
        return self._change(lambda uow: structure.add_level(uow, f.get("code", "").strip(), f.get("name", "")) and None,
                            "Level added.", prefix="level_")

    @expose("/levels/<code>", methods=["POST"])
    @login_required
    def rename_level(self, code):
        action = request.form.get("action")
        if action in ("up", "down"):
            return self._change(lambda uow: structure.move_level(uow, code, action == "up"), "Level moved.",
                                prefix="level_")
        if action == "remove":
            return self._change(lambda uow: structure.remove_level(uow, code), "Level removed.", prefix="level_")
        return self._change(lambda uow: structure.rename_level(uow, code, request.form.get("name", "")),
                            "Level renamed.", prefix="level_")

    @expose("/nodes", methods=["POST"])
    @login_required
    def add(self):
        f = request.form
        return self._change(lambda uow: structure.add_node(uow, f.get("code", "").strip(), f.get("name", ""),
                                                           f.get("level", ""), f.get("parent") or None) and None,
                            "Node added.")

    @expose("/nodes/<code>", methods=["POST"])
    @login_required
    def change(self, code):
        f = request.form
        action = f.get("action")
        try:
            sent = form_version()
        except ValidationFailed as e:
            return self._page(e.errors, {}, 422)
        if action == "rename":
            return self._change(lambda uow: structure.rename_node(uow, code, f.get("name", ""), expected_version=sent),
                                "Node renamed.")
        if action == "move":
            return self._change(lambda uow: structure.move_node(uow, code, f.get("parent") or None,
                                                                expected_version=sent), "Node moved.")
        archived = action == "archive"
        return self._change(lambda uow: structure.archive_node(uow, code, archived, expected_version=sent),
                            "Node archived." if archived else "Node restored.")

    @expose("/roles", methods=["POST"])
    @login_required
    def roles(self):
        f = request.form
        if f.get("action") == "remove":
            return attempt(lambda uow: structure.remove_role(uow, f.get("user", ""), f.get("role", ""),
                                                             f.get("node") or None),
                           "Role removed.", url_for("HierarchyView.index"))
        return self._change(lambda uow: structure.assign_role(uow, f.get("user", ""), f.get("role", ""),
                                                              f.get("node") or None), "Role assigned.")

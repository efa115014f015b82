"""/api/v1/packs: steering-committee packs: build one, list a node's, read one, download its files."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose

from steerco.domain.errors import ValidationFailed
from steerco.services.reporting import packs
from steerco.services.rights.sla import calendar_of
from steerco_admin.api.base import SteercoApi, actor, authenticated, body, settings, store


class PackApi(SteercoApi):
    resource_name = "packs"
    openapi_spec_tag = "Packs"

    @expose("/", methods=["POST"])
    @authenticated
    def build(self):
        """Build, store and audit a node's pack for a period.
        ---
        post:
          summary: Build a steering-committee pack
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [node, period]
                  properties:
                    node: {type: string, description: a node code; the pack covers its subtree}
                    period: {type: string, example: "2026-11", description: the fiscal period, YYYY-MM}
          responses:
            201: {description: "the pack: id, node, period, number, built_at, sha256 per format, changes"}
            403: {description: not PMO, controller or committee member on the node}
            404: {description: unknown node}
            422: {description: a missing node or a period not written YYYY-MM}
        """
        data = body()
        node, period = data.get("node"), data.get("period")
        if not isinstance(node, str) or not node:
            raise ValidationFailed({"node": ["a node code"]})
        if not isinstance(period, str):
            raise ValidationFailed({"period": ["a period as YYYY-MM"]})
        calendar = calendar_of(settings())
        pack = store().run(actor(), lambda uow: packs.build(uow, node, period, calendar))
        pack.pop("files")
        return self.response(201, **pack)

    @expose("/", methods=["GET"])
    @authenticated
    def listing(self):
        """The packs stored for a node, oldest first.
        ---
        get:
          summary: A node's packs
          parameters:
          - {in: query, name: node, required: true, schema: {type: string}, description: a node code}
          responses:
            200: {description: "{packs: [...]}"}
            404: {description: unknown node, or one whose packs you may not see}
            422: {description: no node given}
        """
        node = request.args.get("node")
        if not node:
            raise ValidationFailed({"node": ["a node code"]})
        return self.run(lambda uow: {"packs": packs.listing(uow, node)}, readonly=True)

    @expose("/<int:pack_id>", methods=["GET"])
    @authenticated
    def get(self, pack_id: int):
        """One pack with the data snapshot it was built from.
        ---
        get:
          summary: A pack and its snapshot
          responses:
            200: {description: "the pack, its hashes, the figures changed since the last pack and the snapshot"}
            404: {description: no such pack}
        """
        return self.run(lambda uow: packs.stored(uow, pack_id), readonly=True)

    @expose("/<int:pack_id>/file", methods=["GET"])
    @authenticated
    def file(self, pack_id: int):
        """A pack's file, rendered again from its stored snapshot; its SHA-256 is the stored one.
        ---
        get:
          summary: Download a pack as PDF, PowerPoint or Excel
          parameters:
          - {in: query, name: format, schema: {type: string, enum: [pdf, pptx, xlsx], default: pdf}}
          responses:
            200:
              description: >
                the file; header X-Steerco-SHA256 is its hash, X-Steerco-Verified whether it equals the stored one
            404: {description: no such pack}
            422: {description: an unknown format}
        """
        fmt = request.args.get("format", "pdf")
        if fmt not in packs.FORMATS:
            raise ValidationFailed({"format": [f"one of {', '.join(packs.FORMATS)}, not {fmt!r}"]})
        pack = store().run(actor(), lambda uow: packs.stored(uow, pack_id), readonly=True)
        data, same = store().run(actor(), lambda uow: packs.rebuild(uow, pack_id, fmt), readonly=True)
        return Response(data, mimetype=packs.MEDIA_TYPES[fmt], headers={
            "Content-Disposition": f"attachment; filename={packs.file_name(pack, fmt)}", "Cache-Control": "no-store",
            "X-Steerco-SHA256": packs.digest(data), "X-Steerco-Verified": "yes" if same else "no"})


APIS = (PackApi,)

"""/api/v1/measures: measures, their gate checklist, submission, evidence and trail."""

from __future__ import annotations

from flask import jsonify, redirect, request, send_file
from flask_appbuilder.api import expose

from steerco.domain.errors import ValidationFailed
from steerco.domain.evidence import served_type
from steerco.services.governance import audit, evidence, gates, measures
from steerco.services.integration import remote_evidence
from steerco.services.views import evidence_view, measure_view, review_view
from steerco_admin.api import schemas
from steerco_admin.api.base import (SteercoApi, actor, authenticated, body, int_arg, plugin_manager, precondition,
                                    settings, store)


class MeasureApi(SteercoApi):
    resource_name = "measures"
    openapi_spec_tag = "Measures"
    openapi_spec_component_schemas = (schemas.MeasureCreate, schemas.MeasureEdit, schemas.LinkEvidence,
                                      schemas.StoredEvidence)

    @expose("/", methods=["GET"])
    @authenticated
    def list(self):
        """List the measures you may see.
        ---
        get:
          summary: List measures
          parameters:
          - {in: query, name: q, schema: {type: string}, description: text in code or title}
          - {in: query, name: node, schema: {type: string}, description: a node code; its subtree}
          - {in: query, name: doi, schema: {type: integer}}
          - {in: query, name: page, schema: {type: integer, default: 0}}
          - {in: query, name: page_size, schema: {type: integer, default: 50, maximum: 500}}
          responses:
            200: {description: "count and result"}
        """
        page, size = int_arg("page", 0), int_arg("page_size", 50, lo=1, hi=500)
        doi = int_arg("doi", -1, lo=0, hi=99) if request.args.get("doi") else None
        q, node = request.args.get("q") or None, request.args.get("node") or None

        def work(uow):
            total, rows = measures.search(uow, q=q, node=node, doi=doi, offset=page * size, limit=size)
            return {"count": total, "page": page, "page_size": size, "result": [measure_view(m) for m in rows]}

        return self.run(work, readonly=True)

    @expose("/", methods=["POST"])
    @authenticated
    def create(self):
        """Create a measure at DoI 0.
        ---
        post:
          summary: Create a measure
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/MeasureCreate'}
          responses:
            201: {description: the measure}
            422: {description: what was wrong, per field}
        """
        data = body(schemas.MeasureCreate())
        data.pop("version", None)
        return self.run(lambda uow: measure_view(measures.create(uow, data), detail=True), status=201)

    @expose("/<int:measure_id>", methods=["GET"])
    @authenticated
    def get(self, measure_id):
        """Read one measure.
        ---
        get:
          summary: Read a measure
          responses:
            200:
              description: the measure; send its ETag back in If-Match when you change it
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            404: {description: no such measure (or not visible to you)}
        """
        def work(uow):
            m = measures.get(uow, measure_id)
            return {**measure_view(m, detail=True), "version": m.version_id}

        return self.run_versioned(work, readonly=True)

    @expose("/<int:measure_id>", methods=["PUT"])
    @authenticated
    def update(self, measure_id):
        """Change a measure. Changing what a pending review's gate reads voids its votes.
        ---
        put:
          summary: Update a measure
          parameters: [IfMatch]
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/MeasureEdit'}
          responses:
            200:
              description: the measure
              headers: {ETag: {$ref: '#/components/headers/ETag'}}
            409: {$ref: '#/components/responses/StaleUpdate'}
            422: {description: what was wrong, per field}
            428: {$ref: '#/components/responses/PreconditionRequired'}
        """
        data = body(schemas.MeasureEdit())
        expected = precondition(data)
        if not data:
            raise ValidationFailed({"body": ["nothing to change"]})

        def work(uow):
            m = measures.update(uow, measure_id, data, expected_version=expected)
            return {**measure_view(m, detail=True), "version": m.version_id}

        return self.run_versioned(work)

    @expose("/<int:measure_id>/checklist", methods=["GET"])
    @authenticated
    def checklist(self, measure_id):
        """The next gate's requirements and whether each is met, without submitting.
        ---
        get:
          summary: Gate checklist
          responses:
            200: {description: results per criterion}
        """
        def work(uow):
            c = gates.check(uow, measure_id)
            return {"gate": c.gate, "doi": c.doi, "passed": c.passed, "score": c.score, "min_score": c.min_score,
                    "results": [r.as_dict() for r in c.results], "failed": [f.as_dict() for f in c.failed]}

        return self.run(work, readonly=True)

    @expose("/<int:measure_id>/submit", methods=["POST"])
    @authenticated
    def submit(self, measure_id):
        """Submit the measure at its next gate.
        ---
        post:
          summary: Submit at the next gate
          responses:
            201: {description: the gate review}
            409: {description: not possible now (open review, on hold, killed, last DoI)}
            422: {description: "criteria not met: failed lists each criterion and its explanation"}
        """
        return self.run(lambda uow: review_view(gates.submit(uow, measure_id)), status=201)

    @expose("/<int:measure_id>/reviews", methods=["GET"])
    @authenticated
    def reviews(self, measure_id):
        """Every gate review of the measure, oldest first.
        ---
        get:
          summary: Gate reviews of a measure
          responses:
            200: {description: the reviews}
        """
        def work(uow):
            m = measures.get(uow, measure_id)
            return {"result": [review_view(r) for r in uow.reviews_of(m)]}

        return self.run(work, readonly=True)

    @expose("/<int:measure_id>/audit", methods=["GET"])
    @authenticated
    def audit(self, measure_id):
        """The measure's audit trail and days spent in each DoI.
        ---
        get:
          summary: Audit trail of a measure
          responses:
            200: {description: events in order}
        """
        return self.run(lambda uow: audit.measure_trail(uow, measure_id), readonly=True)

    @expose("/<int:measure_id>/evidence", methods=["POST"])
    @authenticated
    def add_evidence(self, measure_id):
        """Attach evidence: a file (multipart: requirement, file) or a link (JSON: requirement, url, title).

        While a document store (the SharePoint connector) is configured and
        enabled, files go there; otherwise they stay in Steerco's instance folder.
        ---
        post:
          summary: Attach evidence
          requestBody:
            content:
              multipart/form-data:
                schema:
                  type: object
                  properties:
                    requirement: {type: string}
                    file: {type: string, format: binary}
              application/json:
                schema: {$ref: '#/components/schemas/LinkEvidence'}
          responses:
            201: {description: "the evidence, with its sha256 and location (local, or the store's item and web URL)"}
            413: {description: file too large}
            422: {description: unknown requirement or missing file}
            502: {description: the document store refused the file or could not be reached}
        """
        if request.mimetype == "multipart/form-data":
            requirement = request.form.get("requirement") or ""
            upload = request.files.get("file")
            if not requirement:
                raise ValidationFailed({"requirement": ["required"]})
            if upload is None:
                raise ValidationFailed({"file": ["attach the file in a form field named 'file'"]})
            s = settings()
            return jsonify(remote_evidence.upload(
                store(), plugin_manager(), actor(), measure_id, requirement, upload.filename, upload.stream,
                s.evidence_dir, content_type=upload.mimetype, max_bytes=s.max_upload_bytes)), 201
        data = body(schemas.LinkEvidence())
        return self.run(lambda uow: evidence_view(evidence.attach_link(
            uow, measure_id, data["requirement"], data["url"], data["title"])), status=201)

    @expose("/<int:measure_id>/evidence/stored", methods=["POST"])
    @authenticated
    def link_stored(self, measure_id):
        """Attach a file that already lives in the document store (SharePoint), by its link or its item id.

        Steerco records the item's id, eTag and hash; a later edit there shows
        as "changed since submitted" and voids the votes of an open review.
        ---
        post:
          summary: Link a stored file as evidence
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/StoredEvidence'}
          responses:
            201: {description: the evidence with its location}
            422: {description: "no store configured, neither url nor item_id, or a file Steerco cannot read (the reason)"}
            502: {description: the document store could not be reached}
        """
        data = body(schemas.StoredEvidence())
        return jsonify(remote_evidence.link(store(), plugin_manager(), actor(), measure_id, data["requirement"],
                                            url=data["url"], item_id=data["item_id"])), 201

    @expose("/<int:measure_id>/evidence/<int:evidence_id>/file", methods=["GET"])
    @authenticated
    def download(self, measure_id, evidence_id):
        """Download an evidence file.
        ---
        get:
          summary: Download evidence
          responses:
            200: {description: "the file, as an attachment; its uploaded type only if a browser cannot run it"}
            302: {description: the file lives in the document store; Location is its web URL}
            409: {description: "evidence_altered: the stored file no longer has the SHA-256 recorded when attached"}
        """
        s = settings()
        with store().unit(actor(), readonly=True) as uow:
            ev, path = evidence.open_file(uow, measure_id, evidence_id, s.evidence_dir)
            name, mimetype, web_url = ev.filename, served_type(ev.content_type), ev.web_url
        if path is None:
            return redirect(web_url, 302)
        response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @expose("/<int:measure_id>/evidence/<requirement>/waive", methods=["POST"])
    @authenticated
    def waive(self, measure_id, requirement):
        """Mark an evidence requirement of the next gate "not required", with the reason (approvers only).
        ---
        post:
          summary: Waive evidence
          responses:
            201: {description: the waiver}
            403: {description: not an approver of the gate}
        """
        data = body(schemas.Waiver())

        def work(uow):
            w = gates.waive_evidence(uow, measure_id, requirement, data["reason"])
            return {"requirement": w.requirement, "reason": w.reason, "by": w.waived_by.username}

        return self.run(work, status=201)

    @expose("/<int:measure_id>/milestones", methods=["POST"])
    @authenticated
    def add_milestone(self, measure_id):
        """Add a milestone.
        ---
        post:
          summary: Add a milestone
          responses:
            201: {description: the milestone}
        """
        data = body(schemas.MilestoneIn())

        def work(uow):
            ms = measures.add_milestone(uow, measure_id, data["title"], data["due_date"])
            return {"id": ms.id, **ms.facts()}

        return self.run(work, status=201)

    @expose("/<int:measure_id>/milestones/<int:milestone_id>/done", methods=["POST"])
    @authenticated
    def milestone_done(self, measure_id, milestone_id):
        """Mark a milestone done.
        ---
        post:
          summary: Complete a milestone
          responses:
            200: {description: the milestone}
        """
        data = body(schemas.MilestoneDone()) if request.content_length else {"done_on": None}

        def work(uow):
            ms = measures.complete_milestone(uow, measure_id, milestone_id, data["done_on"])
            return {"id": ms.id, **ms.facts()}

        return self.run(work)

    @expose("/<int:measure_id>/risks", methods=["POST"])
    @authenticated
    def add_risk(self, measure_id):
        """Add a risk (probability and impact from 1 to 5).
        ---
        post:
          summary: Add a risk
          responses:
            201: {description: the risk}
        """
        data = body(schemas.RiskIn())

        def work(uow):
            r = measures.add_risk(uow, measure_id, data)
            return {"id": r.id, **r.facts()}

        return self.run(work, status=201)

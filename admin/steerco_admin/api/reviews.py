"""/api/v1/reviews and /api/v1/conditions: votes, decisions, conditions."""

from __future__ import annotations

from flask_appbuilder.api import expose

from steerco.domain import rights
from steerco.domain.errors import NotFound
from steerco.services.governance import gates
from steerco.services.views import condition_view, review_view
from steerco_admin.api import schemas
from steerco_admin.api.base import SteercoApi, authenticated, body
from steerco_admin.api.rights_idempotency import run_idempotent
from steerco_admin.api.rights_schemas import DelegatedVoteIn


class ReviewApi(SteercoApi):
    resource_name = "reviews"
    openapi_spec_tag = "Reviews"
    openapi_spec_component_schemas = (DelegatedVoteIn,)

    @expose("/<int:review_id>", methods=["GET"])
    @authenticated
    def get(self, review_id):
        """Read a gate review: snapshot, criteria results, steps, votes, decision.
        ---
        get:
          summary: Read a review
          responses:
            200: {description: the review}
            404: {description: no such review}
        """
        def work(uow):
            r = uow.review(review_id)
            user = uow.require_user(uow.actor)
            if not rights.can_view(user, r.measure) and not r.capacities(user):
                raise NotFound(f"review: no review with id {review_id}")
            return review_view(r)

        return self.run(work, readonly=True)

    @expose("/<int:review_id>/votes", methods=["POST"])
    @authenticated
    def vote(self, review_id):
        """Vote on the review's current step: go, conditional_go (with conditions), hold, recycle or kill.

        A delegate votes for an absent approver with ``on_behalf_of``. With an
        ``Idempotency-Key`` header a repeated request has effect once and gets the first answer.
        ---
        post:
          summary: Vote
          parameters:
          - {in: header, name: Idempotency-Key, required: false, schema: {type: string, maxLength: 200}}
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/DelegatedVoteIn'}
          responses:
            201: {description: the review after the vote}
            403: {description: "reason: self_approval, not_an_approver, segregation_of_duties or no_delegation"}
            409: {description: review already decided, or already voted}
            422: {description: bad decision, missing conditions, or an Idempotency-Key reused for another request}
        """
        data = body(DelegatedVoteIn())
        return run_idempotent(lambda uow: review_view(gates.vote(
            uow, review_id, data["decision"], data["comment"], data["conditions"], data["on_behalf_of"])))


class ConditionApi(SteercoApi):
    resource_name = "conditions"
    openapi_spec_tag = "Reviews"
    openapi_spec_component_schemas = (schemas.ClearCondition,)

    @expose("/<int:condition_id>/clear", methods=["POST"])
    @authenticated
    def clear(self, condition_id):
        """Clear a condition of a Conditional Go, with a note on how it was met.

        An approver of the review that set it, a delegate acting for one (``on_behalf_of``, or found
        from the delegations in force) or the PMO of the measure's node clears it; never the owner.
        ---
        post:
          summary: Clear a condition
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ClearCondition'}
          responses:
            200: {description: the condition}
            403: {description: "reason: segregation_of_duties (the measure's owner), not_an_approver or no_delegation"}
            404: {description: no such condition (or its measure is not visible to you)}
            409: {description: already cleared}
        """
        data = body(schemas.ClearCondition())
        return self.run(lambda uow: condition_view(gates.clear_condition(uow, condition_id, data["note"],
                                                                         data["on_behalf_of"])))

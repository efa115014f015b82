"""The caller's own login: changing its password under the policy."""

from __future__ import annotations

from flask import jsonify
from flask_appbuilder.api import expose
from marshmallow import Schema, fields

from steerco_admin.accounts import change_password
from steerco_admin.api.base import SteercoApi, actor, authenticated, body


class PasswordIn(Schema):
    current_password = fields.String(required=True)
    new_password = fields.String(required=True)


class AccountApi(SteercoApi):
    resource_name = "account"
    openapi_spec_tag = "Account"
    openapi_spec_component_schemas = (PasswordIn,)

    @expose("/password", methods=["POST"])
    @authenticated
    def password(self):
        """Change your password: at least 12 characters, not your username. Every session and token of
        yours ends, this request's included: log in again with the new password.
        ---
        post:
          summary: Change your password
          requestBody:
            content:
              application/json:
                schema: {$ref: '#/components/schemas/PasswordIn'}
          responses:
            200: {description: changed}
            422: {description: the present password is wrong, or the new one breaks the policy}
        """
        data = body(PasswordIn())
        change_password(actor(), data["new_password"], current=data["current_password"])
        return jsonify({"changed": True, "message": "password changed: log in again with the new password"})


APIS = (AccountApi,)

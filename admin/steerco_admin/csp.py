"""The Content-Security-Policy: scripts only from Steerco's own files or carrying this response's nonce.

Inline scripts a page needs carry ``nonce="{{ csp_nonce() }}"`` (FAB's templates
ask for ``csp_nonce`` too); inline event handlers and ``javascript:`` URLs are
never allowed, so markup injected into a page cannot run.
"""

from __future__ import annotations

import secrets

from flask import g

FIXED = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"


def csp_nonce() -> str:
    """This response's nonce, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def policy() -> str:
    return f"script-src 'self' 'nonce-{csp_nonce()}'; {FIXED}"


def install(app) -> None:
    app.context_processor(lambda: {"csp_nonce": csp_nonce})

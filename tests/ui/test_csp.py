"""Content-Security-Policy without inline script: every main page runs in Chromium under a policy of
``script-src 'self' 'nonce-…'`` with no violation, and its HTML has no inline event handler, no
``javascript:`` URL and no inline script without the response's nonce."""

from __future__ import annotations

import re

import pytest

from ui.test_pages import ADMIN_PAGES, OWNER_PAGES

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' line ' + e.lineNumber);
});
"""
MORE_ADMIN = ["/configuration/", "/cycle/", "/swagger/v1", "/measures/1/documents", "/people/", "/account/password"]
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def _nonce(response) -> str:
    policy = response.headers["content-security-policy"]
    script_src = next((p.strip() for p in policy.split(";") if p.strip().startswith("script-src")), None)
    assert script_src, f"no script-src in {policy!r}: inline script would run"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, policy
    return re.search(r"'nonce-([^']+)'", script_src).group(1)


def _markup_problems(html: str, nonce: str) -> list[str]:
    problems = [m.group(0)[:120] for m in HANDLER.finditer(html)]
    problems += ["javascript: URL"] if re.search(r"(href|src|action)\s*=\s*[\"']\s*javascript:", html, re.I) else []
    for attrs in SCRIPT.findall(html):
        executable = not re.search(r'type="application/(json|ld\+json)"', attrs)
        if executable and "src=" not in attrs and f'nonce="{nonce}"' not in attrs:
            problems.append(f"<script{attrs}> without the nonce")
    return problems


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_page_breaks_the_content_security_policy(chromium, server, app, database_url):
    from steerco.services.governance import measures

    store = app.extensions["steerco.store"]
    store.run("alice", lambda uow: measures.create(uow, {
        "title": "Renegotiate freight", "node": "PA", "type": "cost", "potential": "1250000",
        "sponsor": "bob", "controller": "carol"}).id)
    found = []
    for user, paths in (("alice", OWNER_PAGES), ("admin", ADMIN_PAGES + MORE_ADMIN)):
        ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
        ctx.add_init_script(LISTEN)
        page = ctx.new_page()
        page.on("console", lambda msg, user=user: found.append(f"{user} console: {msg.text}")
                if "Content Security Policy" in msg.text else None)
        page.goto(f"{server}/login/")
        found += [f"login: {p}" for p in page.evaluate("window.__csp")]
        page.fill("#username", user)
        page.fill("#password", f"{user}-pw")
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(re.compile(r".*/inbox/"))
        for path in ["/login/"] * (user == "alice") + paths:
            response = page.goto(server + path)
            page.wait_for_load_state("load")
            assert response.status < 400, (path, response.status)
            nonce = _nonce(response)
            found += [f"{user} {path}: {p}" for p in _markup_problems(response.text(), nonce)]
            found += [f"{user} {path}: {v}" for v in page.evaluate("window.__csp")]
        if user == "admin":
            # the node filter still submits itself, from pages.js instead of an inline handler
            page.goto(f"{server}/dashboard/")
            values = page.eval_on_selector_all("[data-testid=node-filter] option", "os => os.map(o => o.value)")
            page.select_option("[data-testid=node-filter]", next(v for v in values if v))
            page.wait_for_url(re.compile(r".*node=\w+"))
        ctx.close()
    assert not found, "\n".join(found)

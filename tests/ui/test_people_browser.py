"""In Chromium: an admin adds a person and gives them a role on a node; the person logs in, changes their
password, and their other session is logged out."""

from __future__ import annotations

import re

import pytest

FIRST, SECOND = "first password 2026", "second password 2026"


def _login(chromium, server, username, password):
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    page.goto(f"{server}/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(re.compile(r".*/inbox/"))
    return ctx, page


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_admin_adds_a_person_who_changes_their_password(open_page, chromium, server, app, database_url):
    admin = open_page("admin")
    admin.click("[data-testid=nav-people]")
    form = admin.locator("[data-testid=person-form]")
    form.locator("#f-username").fill("nina")
    form.locator("#f-name").fill("Nina Okafor")
    form.locator("#f-email").fill("nina@acme.example")
    form.locator("#f-password").fill(FIRST)
    form.locator("[data-testid=add-person]").click()
    row = admin.locator("[data-testid=person-nina]")
    row.wait_for()
    assert "Nina Okafor" in row.inner_text()
    row.locator("[data-testid=give-role]").click()
    role_form = row.locator("[data-testid=role-form-nina]")
    role_form.locator("select[name=role]").select_option("controller")
    role_form.locator("select[name=node]").select_option("PA")
    role_form.locator("button[type=submit]").click()
    admin.locator("[data-testid=person-nina] [data-testid=role]").wait_for()
    assert "controller · PA" in admin.locator("[data-testid=person-nina] [data-testid=role]").inner_text()

    other_ctx, other = _login(chromium, server, "nina", FIRST)
    ctx, nina = _login(chromium, server, "nina", FIRST)
    nina.click("[data-testid=account]")
    nina.fill("#f-current_password", FIRST)
    nina.fill("#f-new_password", SECOND)
    nina.fill("#f-confirm", SECOND)
    nina.click("[data-testid=change-password]")
    assert "Password changed. Your other sessions are logged out." in nina.content()
    nina.goto(f"{server}/inbox/")
    assert nina.url.endswith("/inbox/")  # this session carries on

    other.goto(f"{server}/inbox/")
    assert "/login/" in other.url  # the other one is logged out
    other_ctx.close()
    ctx.close()
    _login(chromium, server, "nina", SECOND)[0].close()

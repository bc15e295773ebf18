"""OIDC sign-in (issue #19 part B), against a fake provider served in-process: off unless configured; the
authorization-code flow signs the CRM user named by the verified email in through a real browser; a token for
another audience, a bad signature, an unknown email, a missing email and a forged state are refused with one
line and no session."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from conftest import make_settings
from crm_seed import TODAY, seed_small_crm
from oidc_fake import FakeProvider
from web_world import a11y_problems, browser, serve, shot, submit

from copilot.app import Copilot
from integrations.api import ApiConfig, create_app
from integrations.web.session import load_secret, make_cookie

API = ApiConfig(rate_per_second=1000.0, rate_burst=1000, job_workers=0)


@pytest.fixture(scope="module")
def cp(tmp_path_factory: pytest.TempPathFactory):
    cp = Copilot(make_settings(tmp_path_factory.mktemp("oidc") / "home", today=TODAY))
    seed_small_crm(cp.services.crm)
    yield cp
    cp.close()


@pytest.fixture(scope="module")
def idp():
    fake = FakeProvider()
    with serve(fake.app()) as base:
        yield fake, base


@pytest.fixture(scope="module")
def site(cp: Copilot, idp: tuple[FakeProvider, str]):
    fake, issuer = idp
    with pytest.MonkeyPatch.context() as env:
        for name, value in {"ISSUER": issuer, "CLIENT_ID": fake.client_id, "CLIENT_SECRET": fake.client_secret,
                            "PROVIDER": "Fake IdP"}.items():
            env.setenv(f"COPILOT_WEB_OIDC_{name}", value)
        app = create_app(cp, config=API)
    with serve(app) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.fixture(autouse=True)
def behave(idp: tuple[FakeProvider, str]):
    fake = idp[0]
    fake.mode, fake.email = "ok", "ann@skylarkdata.com"
    yield fake


def sign_in_flow(site: str) -> httpx.Response:
    with httpx.Client(base_url=site, follow_redirects=True) as http:
        response = http.get("/login/oidc?next=/trust")
        response.session_cookie = http.cookies.get("copilot_session")  # type: ignore[attr-defined]
        return response


def test_oidc_is_off_unless_configured(cp: Copilot) -> None:
    with serve(create_app(cp, config=API)) as base, httpx.Client(base_url=base) as http:
        assert "Sign in with" not in http.get("/login").text
        assert http.get("/login/oidc").status_code == 404
        assert http.get("/login/oidc/callback?code=x&state=y").status_code == 404
        secret = load_secret(cp.settings.resolved_home)  # a well-signed OIDC session: refused once OIDC is off
        http.cookies.set("copilot_session", make_cookie(secret, "oidc", "r-ann", 1.0))
        assert http.get("/trust").status_code == 303


def test_a_user_signs_in_through_the_provider_in_a_browser(site: str, chromium: Any, behave: FakeProvider) -> None:
    context = chromium.new_context(base_url=site)
    page = context.new_page()
    page.goto("/trust")
    assert a11y_problems(page) == []
    shot(page, "oidc-login")
    submit(page, page.get_by_role("link", name="Sign in with Fake IdP"))
    page.wait_for_url(re.compile(r"/trust$"))
    assert "Ann Lee (rep)" in page.inner_text("header") and a11y_problems(page) == []
    shot(page, "oidc-signed-in")
    cookie = next(c for c in context.cookies() if c["name"] == "copilot_session")
    assert cookie["httpOnly"] and cookie["value"].startswith("oidc.r-ann.")
    assert page.goto("/config").status == 403  # a rep by OIDC is still a rep
    assert behave.token_requests[-1]["client_id"] == "copilot-web"
    context.close()


@pytest.mark.parametrize(("mode", "email", "why"), [
    ("wrong_aud", "ann@skylarkdata.com", "issued for another application (audience)"),
    ("bad_sig", "ann@skylarkdata.com", "signature does not verify"),
    ("no_email", "ann@skylarkdata.com", "has no email in its &#39;email&#39; claim"),
    ("ok", "mallory@elsewhere.example", "mallory@elsewhere.example is not a user of this copilot"),
    ("ok", "ANN@skylarkdata.com.evil", "is not a user of this copilot"),
])
def test_bad_tokens_and_strangers_are_refused(site: str, behave: FakeProvider, mode: str, email: str,
                                              why: str) -> None:
    behave.mode, behave.email = mode, email
    response = sign_in_flow(site)
    assert response.status_code == 401 and why in response.text
    assert response.session_cookie is None  # type: ignore[attr-defined]


def test_a_forged_or_replayed_state_is_refused(site: str, behave: FakeProvider) -> None:
    with httpx.Client(base_url=site) as http:
        start = http.get("/login/oidc")
        assert start.status_code == 303 and "nonce=" in start.headers["location"]
        forged = http.get("/login/oidc/callback", params={"code": "x", "state": "not-the-one"})
        assert forged.status_code == 401 and "did not start here" in forged.text
        http.cookies.set("copilot_oidc", "e30.forged")
        assert http.get("/login/oidc/callback", params={"code": "x", "state": "e30"}).status_code == 401
        assert "copilot_session" not in http.cookies

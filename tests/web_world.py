"""Helpers for the web workspace's browser tests: the API app (with the workspace) served by uvicorn on a free
loopback port in a thread, Debian's chromium through Playwright, accessibility checks and screenshots."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from copilot.core.settings import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", REPO_ROOT / "test-artifacts")) / "web"


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port) until the block ends; yields the base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 15 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class World:
    """The small seeded company served with the workspace, and an API key (and its id) per signed-in user."""

    cp: Any
    base: str
    keys: dict[str, str]
    key_ids: dict[str, str]


@contextmanager
def small_company(folder: Path, users: Sequence[str],
                  prepare: Callable[[Any], None] | None = None) -> Iterator[World]:
    """The small test CRM (tests/crm_seed.py) with health signals, ``prepare(cp)`` run on it, a web key for each
    of ``users``, and the API app with the workspace served on a free port until the block ends."""
    from conftest import make_settings
    from crm_seed import TODAY, seed_small_crm
    from test_health import signal_files

    from copilot.app import Copilot
    from copilot.core.domain import OPERATOR
    from integrations.api import ApiConfig, create_app

    cp = Copilot(make_settings(folder / "home", today=TODAY))
    try:
        seed_small_crm(cp.services.crm)
        cp.import_signals(OPERATOR, signal_files(folder / "signals"))
        if prepare is not None:
            prepare(cp)
        made = {uid: cp.keys_create(OPERATOR, uid, name="web") for uid in users}
        app = create_app(cp, config=ApiConfig(rate_per_second=1000.0, rate_burst=1000, job_workers=0))
        with serve(app) as base:
            yield World(cp, base, {u: k for u, (_, k) in made.items()}, {u: i.id for u, (i, _) in made.items()})
    finally:
        cp.close()


@contextmanager
def browser() -> Iterator[Any]:
    """Debian's chromium, headless; the tests skip (saying why) only when it cannot start here."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:  # noqa: BLE001 - any launch failure means: no browser on this machine
            pytest.skip(f"chromium at {CHROMIUM} could not start: {str(exc).splitlines()[0]}")
        try:
            yield b
        finally:
            b.close()


def sign_in(b: Any, base: str, key: str, *, locale: str = "en-US") -> Any:
    """A fresh browser context (its own cookies) signed in with ``key``; returns its page."""
    context = b.new_context(base_url=base, locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label(re.compile("API key|API 密钥")).fill(key)
    submit(page, page.get_by_role("button", name=re.compile("Sign in|登录")))
    return page


def submit(page: Any, button: Any) -> None:
    """Click a button that submits a form and wait for the page it leads to (not just the current one)."""
    with page.expect_navigation():
        button.click()


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


A11Y_JS = """() => {
  const problems = [];
  const html = document.documentElement;
  if (!html.lang) problems.push('html has no lang');
  if (!document.title.trim()) problems.push('no title');
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one main landmark');
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  let last = 1;
  for (const h of document.querySelectorAll('main h1, main h2, main h3, main h4')) {
    const level = +h.tagName[1];
    if (level > last + 1) problems.push('heading level skipped at ' + h.textContent.trim().slice(0, 40));
    last = level;
  }
  for (const el of document.querySelectorAll('input, textarea, select')) {
    if (el.type === 'hidden') continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('unlabelled ' + el.tagName.toLowerCase() + ' ' + (el.name || el.id));
  }
  for (const b of document.querySelectorAll('button')) {
    if (!(b.textContent.trim() || b.getAttribute('aria-label'))) problems.push('button without a name');
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt: ' + img.src);
  }
  for (const svg of document.querySelectorAll('svg')) {
    const hidden = svg.getAttribute('aria-hidden') === 'true';
    const titled = svg.getAttribute('role') === 'img' && (svg.querySelector('title') || svg.getAttribute('aria-label'));
    if (!hidden && !titled) problems.push('svg neither titled nor hidden');
  }
  for (const a of document.querySelectorAll('a')) {
    if (!a.textContent.trim() && !a.getAttribute('aria-label')) problems.push('link without text: ' + a.href);
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) problems.push('duplicate ids: ' + [...new Set(dup)].join(','));
  return problems;
}"""


def a11y_problems(page: Any) -> list[str]:
    """Basic checks: lang, title, one main and one h1, no skipped heading level, labelled controls, named
    buttons and links, image alts, SVGs either titled (role=img) or hidden, unique ids."""
    return list(page.evaluate(A11Y_JS))

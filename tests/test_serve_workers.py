"""``copilot serve --workers 2``: two real worker processes behind one port share all state through the
database; a key revoked by another process stops working in both within a second."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import make_settings
from crm_seed import seed_small_crm
from servers import free_port

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from copilot.core.settings import REPO_ROOT


def _get(url: str, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", "Connection": "close"} if key else {"Connection": "close"}
    return httpx.get(url, headers=headers, timeout=10)  # a new connection each time: either worker may answer


def test_two_workers_and_a_revoked_key_stops_in_both_within_a_second(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cp = Copilot(make_settings(home))
    seed_small_crm(cp.services.crm)
    info, key = cp.keys_create(OPERATOR, "r-ann", name="load")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    env.update(COPILOT_HOME=str(home), COPILOT_EMBEDDINGS="hash", COPILOT_SPEECH="scripted")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "integrations.cli.main", "serve", "--port", str(port),
                               "--workers", "2", "--log-level", "warning"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        pids: set[int] = set()
        deadline = time.monotonic() + 90
        while len(pids) < 2 and time.monotonic() < deadline:
            try:
                r = _get(f"{base}/readyz")
                if r.status_code == 200:
                    pids.add(r.json()["pid"])
            except httpx.HTTPError:
                time.sleep(0.2)
        assert len(pids) == 2, f"two workers did not both answer: {pids}"
        assert all(_get(f"{base}/v1/users/me", key).status_code == 200 for _ in range(30))  # both cache the key
        cp.keys_revoke(OPERATOR, info.id)  # from another process, like an admin's CLI
        revoked = time.monotonic()
        time.sleep(max(0.0, 1.0 - (time.monotonic() - revoked)))
        codes = [_get(f"{base}/v1/users/me", key).status_code for _ in range(30)]
        assert codes == [401] * 30
        seen = {_get(f"{base}/readyz").json()["pid"] for _ in range(30)}
        assert seen <= pids  # no other process answered
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        cp.close()

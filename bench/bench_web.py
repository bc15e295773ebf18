"""Web workspace pages against the JSON API for the same data: p50/p95 of each page load and of the JSON
requests a client would make to get what the page shows, on the demo company, as a ratio (page p95 / JSON p95).

In-process over httpx.ASGITransport (the app's own cost, not the network's), sequential requests, one warm-up
round; a page load and its JSON requests alternate, so load on the machine drifting weighs on both alike. The
page load includes its sign-in check, the facade calls and rendering; the JSON side makes the same facade calls
through the API (auth, serialization). People are picked by role, not by name.

Target: each page within 1.5x of its JSON requests at p95 (rendering HTML should cost little beside the work).
Run: .venv/bin/python bench/bench_web.py [--n 40] [--embeddings hash]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import httpx  # noqa: E402

from copilot.app import Copilot  # noqa: E402
from copilot.core.domain import OPERATOR  # noqa: E402
from copilot.core.settings import load_settings  # noqa: E402
from demo.build import build_demo, demo_settings  # noqa: E402
from integrations.api import ApiConfig, create_app  # noqa: E402

Request = tuple[str, str, dict[str, Any]]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] * 1000


async def once(c: httpx.AsyncClient, requests: list[Request]) -> float:
    t = time.perf_counter()
    for method, path, kw in requests:
        r = await c.request(method, path, **kw)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
    return time.perf_counter() - t


async def timed(web: httpx.AsyncClient, page_reqs: list[Request], api: httpx.AsyncClient, json_reqs: list[Request],
                n: int) -> tuple[list[float], list[float]]:
    """The page and its JSON requests alternately, so a change of load on the machine weighs on both alike."""
    await once(web, page_reqs)  # warm-up round (caches, first model fit)
    await once(api, json_reqs)
    html, data = [], []
    for _ in range(n):
        html.append(await once(web, page_reqs))
        data.append(await once(api, json_reqs))
    return html, data


def pairs(cp: Copilot, manager_id: str) -> dict[str, tuple[list[Request], list[Request]]]:
    """page -> (the page's requests, the JSON requests for the same data), for a manager."""
    p = cp.principal(manager_id)
    reps = [cp.principal(u).name for u in sorted(cp.scope(p).owner_ids) if u != manager_id]
    question = "Which deals are at risk this quarter?"
    deal = cp.at_risk(p)[0].deal_id  # one of the team's open deals
    return {
        "forecast": ([("GET", "/forecast", {})],
                     [("GET", "/v1/forecast", {}), *[("GET", "/v1/forecast", {"params": {"rep": r}}) for r in reps],
                      ("GET", "/v1/forecast/at-risk", {}),
                      ("POST", "/v1/forecast/interventions", {"params": {"propose": "false"}})]),
        "customers": ([("GET", "/customers", {})], [("GET", "/v1/health", {}), ("GET", "/v1/needs", {})]),
        "history": ([("GET", "/forecast/history", {})], [("GET", "/v1/forecast/history", {})]),
        "deal": ([("GET", f"/deals/{deal}", {})], [("GET", f"/v1/deals/{deal}/timeline", {}),
                                                  ("GET", f"/v1/deals/{deal}/odds", {})]),
        "actions": ([("GET", "/actions", {})], [("GET", "/v1/actions", {}), ("GET", "/v1/actions/stats", {})]),
        "trust": ([("GET", "/trust", {})], [("GET", "/v1/trust/answers", {}), ("GET", "/v1/trust/suggestions", {})]),
        "chat": ([("POST", "/chat", {"data": {"question": question, "thread": "t-benchweb0001", "csrf": "{csrf}"}})],
                 [("POST", "/v1/ask", {"json": {"question": question, "thread_id": "t-benchweb0002"}})]),
    }


async def run(cp: Copilot, n: int) -> dict[str, dict[str, float]]:
    people = cp.users(OPERATOR)
    manager = next(u["id"] for u in people if u["role"] == "manager")
    key = cp.keys_create(OPERATOR, manager, name="bench")[1]
    app = create_app(cp, config=ApiConfig(rate_per_second=0, job_workers=0))
    out: dict[str, dict[str, float]] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as web, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                              headers={"Authorization": f"Bearer {key}"}) as api:
        r = await web.post("/login", data={"key": key})
        assert r.status_code == 303, r.text
        page = await web.get("/chat")
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        for name, (page_reqs, json_reqs) in pairs(cp, manager).items():
            page_reqs = [(m, p, json.loads(json.dumps(kw).replace("{csrf}", csrf))) for m, p, kw in page_reqs]
            html, data = await timed(web, page_reqs, api, json_reqs, n)
            out[name] = {"page_p50": pct(html, 0.5), "page_p95": pct(html, 0.95), "json_p50": pct(data, 0.5),
                         "json_p95": pct(data, 0.95), "json_requests": len(json_reqs)}
            out[name]["ratio_p95"] = out[name]["page_p95"] / out[name]["json_p95"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="page loads per measurement")
    ap.add_argument("--embeddings", default="hash", help="embedder for the demo build (hash: fast, same for both)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cp = Copilot(load_settings(home=Path(tmp) / "home", **{**demo_settings(), "llm": "none", "speech": "scripted",
                                                                "embeddings": args.embeddings}))
        t = time.perf_counter()
        build_demo(cp, today=date(2026, 11, 20))
        print(f"demo company built in {time.perf_counter() - t:.1f} s; n={args.n} sequential loads per figure")
        results = asyncio.run(run(cp, args.n))
        cp.close()
    load = os.getloadavg()
    print(f"{'page':<10} {'page p50':>9} {'page p95':>9} {'JSON p50':>9} {'JSON p95':>9} {'req':>4} {'p95 ratio':>10}")
    for name, r in results.items():
        ok = "ok" if r["ratio_p95"] <= 1.5 else "MISSED"
        print(f"{name:<10} {r['page_p50']:8.1f}ms {r['page_p95']:8.1f}ms {r['json_p50']:8.1f}ms {r['json_p95']:8.1f}ms "
              f"{r['json_requests']:>4} {r['ratio_p95']:9.2f}x {ok}")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores shared)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "web.json").write_text(json.dumps({"results": results, "load": load, "n": args.n}, indent=2))


if __name__ == "__main__":
    main()

"""API overhead: p50/p99 latency and requests/s of /healthz and /v1/ask through the full app (auth,
rate limit, middleware, thread + timeout) against a bare FastAPI endpoint doing the same work, in the
same run. In-process over httpx.ASGITransport, so the figures are the API's own cost, not the network's.

Targets: p50 within 3x of the bare endpoint; throughput at least half.
Run: .venv/bin/python bench/bench_api.py [--n 400] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import anyio  # noqa: E402
import httpx  # noqa: E402
from crm_seed import seed_small_crm  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from copilot.app import Copilot  # noqa: E402
from copilot.core.domain import OPERATOR  # noqa: E402
from copilot.core.settings import load_settings  # noqa: E402
from integrations.api import ApiConfig, create_app  # noqa: E402

QUESTION = "What is the next step on the Acme Robotics deal?"


class Q(BaseModel):
    question: str


def bare_app(cp: Copilot) -> FastAPI:
    app = FastAPI()
    principal = cp.principal("r-ann")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/ask")
    async def ask(body: Q) -> dict:
        answer = await anyio.to_thread.run_sync(lambda: cp.ask(principal, body.question))
        return answer.model_dump(mode="json")

    return app


async def measure(app: FastAPI, method: str, path: str, n: int, conc: int, **kw) -> dict[str, float]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        for _ in range(20):  # warm up
            (await c.request(method, path, **kw)).raise_for_status()
        lat = []
        for _ in range(n):
            t = time.perf_counter()
            r = await c.request(method, path, **kw)
            lat.append(time.perf_counter() - t)
            assert r.status_code == 200, r.text
        lat.sort()
        sem = asyncio.Semaphore(conc)

        async def one() -> None:
            async with sem:
                (await c.request(method, path, **kw)).raise_for_status()

        t = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        rps = n / (time.perf_counter() - t)
    return {"p50": lat[len(lat) // 2] * 1000, "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000,
            "mean": statistics.fmean(lat) * 1000, "rps": rps}


def row(name: str, full: dict[str, float], bare: dict[str, float]) -> None:
    print(f"{name:<8} full  p50 {full['p50']:7.2f} ms  p99 {full['p99']:7.2f} ms  {full['rps']:8.1f} req/s")
    print(f"{'':<8} bare  p50 {bare['p50']:7.2f} ms  p99 {bare['p99']:7.2f} ms  {bare['rps']:8.1f} req/s")
    p50_ratio, rps_ratio = full["p50"] / bare["p50"], full["rps"] / bare["rps"]
    ok = "ok" if p50_ratio <= 3 and rps_ratio >= 0.5 else "MISSED"
    print(f"{'':<8} ratio p50 {p50_ratio:.2f}x (target <= 3x), throughput {rps_ratio:.2f}x (target >= 0.5x): {ok}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cp = Copilot(load_settings(home=Path(tmp) / "home", llm="none", embeddings="hash", speech="scripted"))
        seed_small_crm(cp.services.crm)
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for i in range(20):  # a tiny index
            (docs / f"win-{i}.md").write_text(f"# Win story {i}\n\nCustomer {i} chose Acme Observe over "
                                              f"Contoso for lineage; rollout took {i + 2} weeks.\n")
        cp.services.knowledge.ingest_paths([docs])
        app = create_app(cp, config=ApiConfig(rate_per_second=0))
        key = cp.keys_create(OPERATOR, "r-ann")[1]
        headers = {"Authorization": f"Bearer {key}"}
        bare = bare_app(cp)
        print(f"n={args.n} per measurement, concurrency {args.concurrency}, offline engine, hash embedder, "
              f"{cp.services.knowledge.count()} chunks")

        async def run() -> None:
            hf = await measure(app, "GET", "/healthz", args.n, args.concurrency)
            hb = await measure(bare, "GET", "/healthz", args.n, args.concurrency)
            row("healthz", hf, hb)
            body = {"json": {"question": QUESTION}}
            af = await measure(app, "POST", "/v1/ask", args.n // 4, args.concurrency, headers=headers, **body)
            ab = await measure(bare, "POST", "/v1/ask", args.n // 4, args.concurrency, **body)
            row("ask", af, ab)

        asyncio.run(run())
        cp.close()


if __name__ == "__main__":
    main()

"""Operations: liveness, readiness (database, knowledge store, embedder) and Prometheus metrics."""

from __future__ import annotations

import time
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import text

from integrations.api.metrics import action_state_counts

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process serves requests")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _checks(cp: Any) -> dict[str, dict[str, Any]]:
    checks: dict[str, dict[str, Any]] = {}

    def run(name: str, fn: Any) -> None:
        started = time.perf_counter()
        try:
            detail = fn()
            checks[name] = {"ok": True, "detail": detail}
        except Exception as exc:  # noqa: BLE001 - a failed check is reported, not raised
            checks[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 2)

    def database() -> str:
        with cp.crm.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return "reachable"

    run("database", database)
    run("knowledge", lambda: f"{cp.knowledge.count()} chunks")
    run("embedder", lambda: f"{len(cp.embedder.embed(['ready'])[0])}-d vectors")
    return checks


@router.get("/readyz", summary="Readiness: CRM database, knowledge store and embedder are usable",
            responses={503: {"description": "a dependency is not ready"}})
async def readyz(request: Request) -> JSONResponse:
    checks = await anyio.to_thread.run_sync(_checks, request.app.state.copilot)
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics (text format)", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    engine = request.app.state.copilot.crm.engine
    body = await anyio.to_thread.run_sync(request.app.state.metrics.render, lambda: action_state_counts(engine))
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")

"""Operations: liveness, readiness (database, schema, knowledge store, embedder, job queue; with the answering
process's id, so each of several workers can be told apart) and Prometheus metrics."""

from __future__ import annotations

import os
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process serves requests")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database, schema, knowledge store, embedder and job queue are usable",
            responses={503: {"description": "a dependency is not ready"}})
async def readyz(request: Request) -> JSONResponse:
    checks: dict[str, dict[str, Any]] = await anyio.to_thread.run_sync(request.app.state.copilot.readiness)
    ok = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ok else "not_ready", "pid": os.getpid(), "checks": checks},
                        status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics (text format)", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    body = await anyio.to_thread.run_sync(request.app.state.metrics.render, request.app.state.copilot.actions_counts)
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")

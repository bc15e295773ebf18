"""Customer health: scores with reasons, the daily scan, the renewal-risk backtest and value reports, scoped
like everything else (a rep sees their own accounts, execs health by segment only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS

router = APIRouter(prefix="/v1", tags=["health"], responses=ERRORS)


@router.get("/health", summary="Customer health with reasons (one account with ?account=); execs: by segment")
async def health(request: Request, caller: Caller = Depends(get_caller), account: str | None = Query(default=None),
                 as_of: date | None = Query(default=None)) -> dict[str, Any]:
    view = await run_service(request, caller.cp.health, caller.principal, account=account, as_of=as_of)
    out: dict[str, Any] = view.model_dump(mode="json")
    return out


@router.post("/health/scan", summary="Run the daily health scan now over the accounts you may see")
async def scan(request: Request, caller: Caller = Depends(get_caller), as_of: date | None = Query(default=None),
               propose: bool = Query(default=True)) -> dict[str, Any]:
    report = await run_service(request, caller.cp.health_scan, caller.principal, as_of=as_of, propose=propose)
    out: dict[str, Any] = report.model_dump(mode="json")
    return out


@router.get("/health/backtest", summary="Renewal-risk model vs the usage-trend baseline (company-wide figures)")
async def backtest(request: Request, caller: Caller = Depends(get_caller),
                   horizon_days: int = Query(default=90, ge=7, le=365)) -> dict[str, Any]:
    report = await run_service(request, caller.cp.health_backtest, caller.principal, horizon_days=horizon_days)
    out: dict[str, Any] = report.model_dump(mode="json")
    out["explanation"] = report.explain()
    return out


@router.post("/health/value", summary="Draft a value report for an account, proposed to you as an email")
async def value(request: Request, caller: Caller = Depends(get_caller), account: str = Query(...),
                propose: bool = Query(default=True)) -> dict[str, Any]:
    report = await run_service(request, caller.cp.health_value_report, caller.principal, account, propose=propose)
    out: dict[str, Any] = report.model_dump(mode="json")
    return out

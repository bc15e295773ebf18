"""Forecast and pipeline numbers, scoped like everything else (execs get aggregates only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request

from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS

router = APIRouter(prefix="/v1", tags=["forecast"], responses=ERRORS)


def _dump(obj: Any) -> Any:
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, list):
        return [_dump(x) for x in obj]
    return obj


@router.get("/forecast", summary="Quarter forecast for you, a rep, a team or the company")
async def forecast(request: Request, caller: Caller = Depends(get_caller),
                   rep: str | None = Query(default=None), team: str | None = Query(default=None),
                   company: bool = Query(default=False), quarter: str | None = Query(default=None, examples=["2026Q4"]),
                   as_of: date | None = Query(default=None)) -> dict[str, Any]:
    def run() -> dict[str, Any]:
        result = caller.cp.forecast(caller.principal, rep=rep, team=team, company=company, quarter=quarter, as_of=as_of)
        out = _dump(result)
        if hasattr(result, "explain"):
            out["explanation"] = result.explain()
        return out

    return await run_service(request, run)


@router.get("/forecast/at-risk", summary="Open deals at risk, with reasons")
async def at_risk(request: Request, caller: Caller = Depends(get_caller),
                  as_of: date | None = Query(default=None)) -> list[Any]:
    return _dump(await run_service(request, caller.cp.at_risk, caller.principal, as_of=as_of))


@router.post("/pipeline", summary="Pipeline metrics: a typed query (metric, group by, filters, period)",
             openapi_extra={"requestBody": {"content": {"application/json": {"example":
                            {"metric": "won_revenue", "group_by": "quarter", "period": "last quarter"}}}}})
async def pipeline(request: Request, caller: Caller = Depends(get_caller),
                   query: dict[str, Any] = Body(...)) -> Any:
    """A query that does not validate is 422 ``invalid_request`` naming the fields."""
    return _dump(await run_service(request, caller.cp.pipeline, caller.principal, query))

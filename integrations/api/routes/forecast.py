"""Forecast and pipeline numbers, scoped like everything else (execs get aggregates only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from integrations.api.deps import Caller, get_caller, run_service
from integrations.api.schemas import ERRORS

router = APIRouter(prefix="/v1", tags=["forecast"], responses=ERRORS)


class CallBody(BaseModel):
    quarter: str | None = None
    amount: float | None = None
    deal: str | None = None
    category: str | None = None
    rep: str | None = None
    team: str | None = None


class OverrideBody(BaseModel):
    deal: str
    probability: float | None = Field(default=None, description="0 to 1; null withdraws the override")
    reason: str


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


@router.post("/forecast/interventions", summary="A next action with a date for each at-risk or silent deal, "
                                                "each proposed to the actions inbox")
async def interventions(request: Request, caller: Caller = Depends(get_caller), as_of: date | None = Query(default=None),
                        propose: bool = Query(default=True), limit: int = Query(default=10, ge=1, le=200)) -> Any:
    return _dump(await run_service(request, caller.cp.forecast_interventions, caller.principal, as_of=as_of,
                                   propose=propose, limit=limit))


@router.post("/forecast/calls", summary="Record your own call for a quarter (a number, or a deal's category)",
             openapi_extra={"requestBody": {"content": {"application/json": {"example": {"amount": 1200000}}}}})
async def record_call(request: Request, body: CallBody, caller: Caller = Depends(get_caller)) -> Any:
    return _dump(await run_service(request, caller.cp.forecast_call, caller.principal, source="api", **body.model_dump()))


@router.get("/forecast/scoreboard", summary="AI vs human: calls beside the model's forecast, scored after the quarter")
async def scoreboard(request: Request, caller: Caller = Depends(get_caller),
                     quarter: str | None = Query(default=None)) -> Any:
    return _dump(await run_service(request, caller.cp.forecast_scoreboard, caller.principal, quarter=quarter))


@router.post("/forecast/overrides", summary="Override one deal's probability with the reason (null withdraws it)",
             openapi_extra={"requestBody": {"content": {"application/json": {"example":
                            {"deal": "D-1", "probability": 0.8, "reason": "buyer confirmed budget"}}}}})
async def override(request: Request, body: OverrideBody, caller: Caller = Depends(get_caller)) -> Any:
    return _dump(await run_service(request, caller.cp.forecast_override, caller.principal, body.deal,
                                   probability=body.probability, reason=body.reason))


@router.get("/forecast/health", summary="The monthly model-health report (format=json or html)",
            response_model=None)
async def model_health(request: Request, caller: Caller = Depends(get_caller), month: str | None = Query(default=None),
                       format: str = Query(default="json", pattern="^(json|html)$")) -> Any:
    report = await run_service(request, caller.cp.forecast_health, caller.principal, month=month)
    return HTMLResponse(report.html()) if format == "html" else _dump(report)


@router.get("/forecast/history", summary="Forecast against actual: each past month end's forecast of its quarter, "
            "replayed with what was known then, beside the actual won and both baselines")
async def history(request: Request, caller: Caller = Depends(get_caller), rep: str | None = Query(default=None),
                  team: str | None = Query(default=None), company: bool = Query(default=False),
                  months: int = Query(default=12, ge=1, le=24)) -> Any:
    return _dump(await run_service(request, caller.cp.forecast_history, caller.principal, rep=rep, team=team,
                                   company=company, months=months))

"""Deals: the pipeline explorer (the typed query behind ask, as a form: metric, grouping, period and filters,
run under the viewer's scope, with how it was computed) and one deal: its timeline in date order (opened,
stage moves, close-date pushes, emails, meetings, notes, tasks, calls with their summaries, each citing its
record) and, while open, its win probability with its factors. A deal outside the viewer's scope is 404
(execs, who see aggregates only, get 403)."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from copilot.app import PipelineQuery
from integrations.web.common import WebError, call
from integrations.web.render import bar_chart, page
from integrations.web.session import Viewer, get_viewer
from integrations.web.words import word

router = APIRouter()

METRICS: tuple[str, ...] = get_args(PipelineQuery.model_fields["metric"].annotation)
GROUPS: tuple[str, ...] = get_args(get_args(PipelineQuery.model_fields["group_by"].annotation)[0])
FILTERS = ("period", "rep", "team", "product", "sector", "account")


@router.get("/deals", response_class=HTMLResponse)
async def explorer(request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    params = request.query_params
    form: dict[str, Any] = {"metric": params.get("metric") or "pipeline_value",
                            "group_by": params.get("group_by") if "group_by" in params else "rep"}
    form.update({f: (params.get(f) or "").strip()[:200] for f in FILTERS})
    query = {k: v for k, v in form.items() if v}
    result, error = None, ""
    try:
        result = await call(viewer.cp.pipeline, viewer.principal, query)
    except WebError as exc:  # a query that does not validate, or a filter outside the viewer's scope
        error = exc.message
    chart = bar_chart([(r.group, r.value or 0.0) for r in result.rows], word("pipeline", viewer.lang)) \
        if result and result.group_by and result.rows else ""
    return page(request, viewer, "deals.html.j2", title_key="deals", form=form, metrics=METRICS, groups=GROUPS,
                filters=FILTERS, result=result, error=error, chart=chart, status=400 if error else 200)


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
async def deal(deal_id: str, request: Request, viewer: Viewer = Depends(get_viewer)) -> HTMLResponse:
    """The deal's timeline (history, activities, calls with their summaries) and, while it is open, its odds."""
    timeline = await call(viewer.cp.deal_timeline, viewer.principal, deal_id)  # out of scope: 404 (execs 403)
    try:
        score = await call(viewer.cp.win_probability, viewer.principal, timeline.deal_id)
    except WebError as exc:  # a closed deal has no odds any more; its timeline still shows
        if exc.status != 400:
            raise
        score = None
    return page(request, viewer, "deal.html.j2", title_key="deal", d=score, t=timeline)

"""Forecasts, deals at risk, one deal's odds, backtests and pipeline numbers, scoped to the asker."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from copilot.actions.schemas import State
from copilot.core.domain import Citation, Principal
from copilot.core.errors import InvalidRequest, PermissionDenied, field_problems
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.forecast.history import ForecastHistory
    from tools.forecast.interventions import Adoption
    from tools.forecast.pipeline import PipelineQuery, PipelineResult
    from tools.forecast.review import ForecastReview
    from tools.forecast.review_schemas import CallRecord, InterventionReport, ModelHealth, Scoreboard
    from tools.forecast.schemas import BacktestReport, Contribution, DealRisk, DealScore, QuarterForecast

TOOL_PREFIX = "forecast."  # ledger tool names of the forecast's suggestions: forecast.re_engage, ...


def invalid(what: str, exc: ValidationError) -> InvalidRequest:
    """One line naming the first few fields that failed, e.g. ``bad pipeline query: metric: ...``."""
    return InvalidRequest(f"bad {what}: {field_problems(exc, limit=5)}")


class ForecastOps(Operations):
    def forecast(self, principal: Principal, *, rep: str | None = None, team: str | None = None,
                 company: bool = False, quarter: str | None = None, as_of: date | None = None) -> QuarterForecast:
        """Closed-won so far plus the expected value of open deals closing in the quarter, with a range."""
        return self.services.forecaster.forecast(self.scope(principal), rep=rep, team=team, company=company,
                                                 quarter=quarter, as_of=as_of)

    def at_risk(self, principal: Principal, *, as_of: date | None = None) -> list[DealRisk]:
        """Open deals with risk flags, each with its reasons."""
        return self.services.forecaster.at_risk(self.scope(principal), as_of=as_of)

    def win_probability(self, principal: Principal, deal_id: str, *, as_of: date | None = None) -> DealScore:
        return self.services.forecaster.win_probability(self.scope(principal), deal_id, as_of=as_of)

    def backtest(self, principal: Principal, *, as_ofs: list[date] | None = None,
                 min_history: int | None = None) -> BacktestReport:
        """Replay past quarters against the stage-weighted baseline (company-wide figures, no records)."""
        return self.services.forecaster.backtest(as_ofs=as_ofs, min_history=min_history)

    def pipeline(self, principal: Principal, query: PipelineQuery | dict[str, Any]) -> PipelineResult:
        """A typed pipeline query (metric, group by, filters, period) under the asker's scope."""
        from tools.forecast.pipeline import PipelineQuery

        if not isinstance(query, PipelineQuery):
            try:
                query = PipelineQuery.model_validate(query)
            except ValidationError as exc:
                raise invalid("pipeline query", exc) from None
        return self.services.forecaster.pipeline(self.scope(principal), query)

    # -- the review: interventions, AI vs human, overrides, model health ------------------------------
    def _review(self) -> ForecastReview:
        from tools.forecast.review import ForecastReview

        return ForecastReview(self.services.forecaster, now=datetime.now)

    def _adoption(self, principal: Principal) -> dict[str, Adoption]:
        """Decisions on earlier forecast suggestions this principal can see, and how their deals ended."""
        from tools.forecast.interventions import Adoption

        snap = self.services.forecaster.snapshot()
        out: dict[str, Adoption] = {}
        decided = [s for s in State if s not in (State.PROPOSED, State.EXPIRED)]
        for a in self.services.actions.list(principal, decided):
            if not a.tool.startswith(TOOL_PREFIX) or a.decision is None:
                continue
            ad = out.setdefault(a.tool.removeprefix(TOOL_PREFIX), Adoption())
            if a.decision is State.REJECTED:
                ad.rejected += 1
                continue
            ad.accepted += 1
            d = snap.by_id.get(a.deal_id or "")
            if d is not None and d.closed_day is not None and d.closed_day >= a.created_at.date().toordinal():
                if d.won:
                    ad.won_after += 1
                else:
                    ad.lost_after += 1
        return out

    def forecast_interventions(self, principal: Principal, *, as_of: date | None = None, propose: bool = True,
                               limit: int = 10) -> InterventionReport:
        """A next action with a date for each at-risk or silent deal, each proposed to the ledger (a task for the
        deal's owner, with its reason and citations); decisions and outcomes re-weight later suggestions."""
        from tools.forecast.interventions import BASE
        from tools.forecast.review_schemas import Intervention, InterventionReport

        adoption = self._adoption(principal)
        day, timing, suggestions = self._review().suggestions(self.scope(principal), adoption, as_of)
        snap = self.services.forecaster.snapshot()
        pending = {(a.deal_id, a.tool) for a in self.services.actions.list(principal)} if propose else set()
        out: list[Intervention] = []
        notes: list[str] = []
        for s in suggestions[:limit]:
            action_id = None
            tool = TOOL_PREFIX + s.kind
            if propose and (s.deal_id, tool) not in pending and s.owner_id:
                cites = [Citation(source_id=f"crm:deal:{s.deal_id}", title=s.deal, kind="crm", record=f"deal:{s.deal_id}",
                                  snippet=s.reason[:300])]
                try:
                    action_id = self.services.actions.propose(
                        "create_task", {"title": s.title, "due_on": s.due_on.isoformat(), "deal_id": s.deal_id,
                                        "notes": s.reason}, owner_id=s.owner_id, rationale=s.reason, tool=tool,
                        citations=cites, confidence=s.confidence, deal_id=s.deal_id).id
                except PermissionDenied as exc:  # the owner cannot see the deal's account: say so, propose nothing
                    notes.append(f"{s.deal}: not proposed ({exc})")
            out.append(Intervention(kind=s.kind, deal_id=s.deal_id, deal=s.deal, owner=snap.user_name(s.owner_id),
                                    title=s.title, due_on=s.due_on, reason=s.reason, confidence=s.confidence,
                                    action_id=action_id))
        from tools.forecast.interventions import Adoption

        weights = {k: round(adoption.get(k, Adoption()).weight(b), 4) for k, b in BASE.items()}
        return InterventionReport(as_of=day, timing=timing.describe(), weights=weights, interventions=out,
                                  adoption={k: vars(v) for k, v in adoption.items()}, notes=notes)

    def forecast_call(self, principal: Principal, *, quarter: str | None = None, amount: float | None = None,
                      deal: str | None = None, category: str | None = None, rep: str | None = None,
                      team: str | None = None, source: str = "cli") -> CallRecord:
        """Record a rep's or manager's own call for a period: a number, or a category for one deal."""
        return self._review().record_call(self.scope(principal), quarter=quarter, amount=amount, deal=deal,
                                          category=category, rep=rep, team=team, source=source)

    def forecast_scoreboard(self, principal: Principal, *, quarter: str | None = None) -> Scoreboard:
        """AI vs human: each call beside the model's forecast the same day, scored after the period closed."""
        return self._review().scoreboard(self.scope(principal), quarter)

    def forecast_override(self, principal: Principal, deal: str, *, probability: float | None,
                          reason: str) -> Contribution:
        """A reviewer's probability for one deal with the reason (None withdraws it); what the deal now shows."""
        scope = self.scope(principal)
        deal_id = self._review().override(scope, deal, probability, reason)
        fc = self.services.forecaster
        owner = fc.snapshot().by_id[deal_id].owner_id
        shown = fc.forecast(scope, rep=owner) if owner else fc.forecast(scope)
        return next(c for c in shown.deals if c.deal_id == deal_id)

    def forecast_history(self, principal: Principal, *, rep: str | None = None, team: str | None = None,
                         company: bool = False, months: int = 12) -> ForecastHistory:
        """Forecast against actual: at each of the last ``months`` month ends, what the product forecast for the
        quarter in progress (replayed with only what was known then) and both baselines, beside what was won."""
        from tools.forecast.history import forecast_history

        return forecast_history(self.services.forecaster, self.scope(principal), rep=rep, team=team,
                                company=company, months=months)

    def forecast_health(self, principal: Principal, *, month: str | None = None) -> ModelHealth:
        """The monthly model-health report: calibration drift, accuracy against the baselines, data problems,
        adoption of the forecast's suggestions by kind, and reviewers' overrides with their reasons."""
        stats = self.services.actions.stats(principal, scope=self.scope(principal))
        adoption = {k.removeprefix(TOOL_PREFIX): v for k, v in stats.get("by_tool", {}).items()
                    if k.startswith(TOOL_PREFIX)}
        return self._review().health(self.scope(principal), month=month, adoption=adoption)

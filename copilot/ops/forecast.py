"""Forecasts, deals at risk, one deal's odds, backtests and pipeline numbers, scoped to the asker."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from copilot.core.domain import Principal
from copilot.core.errors import InvalidRequest, field_problems
from copilot.ops.base import Operations

if TYPE_CHECKING:
    from tools.forecast.pipeline import PipelineQuery, PipelineResult
    from tools.forecast.schemas import BacktestReport, DealRisk, DealScore, QuarterForecast


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

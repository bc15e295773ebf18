"""Result types of the forecast review: interventions, people's calls scored against the model, overrides,
and the monthly model-health report (text for the CLI and Slack, HTML for the review meeting)."""

from __future__ import annotations

import html
from datetime import date

from pydantic import BaseModel, Field

from tools.forecast.schemas import CalibrationMonth, MethodAccuracy


class Intervention(BaseModel):
    kind: str = Field(description="re_engage | multi_thread | confirm_close_plan | set_next_step | review_deal_size")
    deal_id: str
    deal: str
    owner: str
    title: str
    due_on: date
    reason: str
    confidence: float = Field(description="the kind's weight after earlier decisions and outcomes")
    action_id: str | None = Field(default=None, description="the ledger proposal (None: a pending one exists)")


class InterventionReport(BaseModel):
    as_of: date
    timing: str = Field(description="the learned second-touch timing in words")
    weights: dict[str, float] = Field(description="current weight per kind (adoption fed back)")
    adoption: dict[str, dict[str, int]] = Field(default_factory=dict)
    interventions: list[Intervention]
    notes: list[str] = Field(default_factory=list)

    def text(self) -> str:
        lines = [f"Interventions as of {self.as_of} ({self.timing})"]
        for i in self.interventions:
            ref = f" -> proposal {i.action_id}" if i.action_id else " (already proposed)"
            lines.append(f"  {i.due_on} {i.title} [{i.owner}, confidence {i.confidence:.0%}]{ref}\n    why: {i.reason}")
        lines.append("weights: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(self.weights.items())))
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


class CallRecord(BaseModel):
    id: int
    period: str
    caller: str
    subject: str
    deal_id: str | None = None
    category: str | None = None
    amount: float | None = None
    made_on: date


class CallScore(BaseModel):
    """One person's calls for a closed period beside the model's forecast made the same day."""

    caller: str
    role: str
    subject: str
    team: str | None = None
    kind: str = Field(description="number | deals")
    called: float | None = Field(default=None, description="the submitted number (number calls)")
    model: float | None = Field(default=None, description="the model's expected total the same day")
    actual: float | None = None
    human_error: float | None = Field(default=None, description="|call - actual| / actual; for deal calls, 1 - hit rate")
    model_error: float | None = None
    deals: int = 0
    winner: str = Field(description="human | model | tie | open (period not closed yet)")


class Scoreboard(BaseModel):
    period: str
    closed: bool
    scores: list[CallScore]
    by_team: dict[str, dict[str, float | int]] = Field(default_factory=dict)

    def table(self) -> str:
        head = f"{'caller':<22}{'subject':<22}{'kind':<8}{'called':>12}{'model':>12}{'actual':>12}{'human err':>10}{'model err':>10}  winner"
        rows = [f"AI vs human, {self.period}" + ("" if self.closed else " (not closed yet: no scores)"), head]
        for s in self.scores:
            def num(v: float | None) -> str:
                return f"{v:>12,.0f}" if v is not None else f"{'-':>12}"

            def pct(v: float | None) -> str:
                return f"{v:>10.1%}" if v is not None else f"{'-':>10}"
            rows.append(f"{s.caller[:21]:<22}{s.subject[:21]:<22}{s.kind:<8}{num(s.called)}{num(s.model)}"
                        f"{num(s.actual)}{pct(s.human_error)}{pct(s.model_error)}  {s.winner}")
        for team, t in self.by_team.items():
            rows.append(f"team {team}: human closer {t['human']} times, model {t['model']}, ties {t['tie']}")
        return "\n".join(rows)


class DataProblems(BaseModel):
    newest_update_hours: float | None = Field(description="age of the newest CRM update, hours (stale past 48)")
    stale_open_deals: int = Field(description="open deals not updated in the last 48 hours")
    open_deals: int
    missing_close_dates: int = Field(description="open deals with no expected close date")
    closed_without_date: int
    won_without_amount: int
    stage_history_mismatch: int = Field(description="deals whose last stage change disagrees with their stage")
    examples: list[str] = Field(default_factory=list)


class ModelHealth(BaseModel):
    month: str
    as_of: date
    model: str
    calibration: list[CalibrationMonth]
    drift: float | None = Field(description="recent minus earlier (observed - predicted): + = under-forecasting lately")
    accuracy: list[MethodAccuracy]
    data: DataProblems
    adoption: dict[str, dict[str, float | int | None]] = Field(default_factory=dict)
    overrides: list[dict] = Field(default_factory=list)  # type: ignore[type-arg]
    notes: list[str] = Field(default_factory=list)

    def _lines(self) -> list[tuple[str, list[str]]]:
        d = self.data
        fresh = "unknown" if d.newest_update_hours is None else f"{d.newest_update_hours:.0f} h ago" + (
            " (STALE: past 48 h)" if d.newest_update_hours > 48 else "")
        return [
            ("Calibration drift", [f"{c.as_of}: {c.deals} deals, predicted {c.predicted:.0%}, observed {c.observed:.0%},"
                                   f" Brier {c.brier:.3f}" for c in self.calibration]
             + ([f"drift (last 3 months vs before): {self.drift:+.1%}"] if self.drift is not None else [])),
            ("Accuracy against the baselines", [f"{a.subject}: {a.method} MAPE {a.mape:.1%}, bias {a.bias:+.1%}"
                                                + (f", P10-P90 coverage {a.coverage:.0%}" if a.coverage is not None else "")
                                                for a in self.accuracy]),
            ("Data problems behind the numbers", [
                f"newest CRM update: {fresh}; {d.stale_open_deals} of {d.open_deals} open deals not updated in 48 h",
                f"{d.missing_close_dates} open deals without a close date; {d.closed_without_date} closed deals without a date",
                f"inconsistent labels: {d.won_without_amount} won deals without an amount, "
                f"{d.stage_history_mismatch} deals whose stage history disagrees with their stage", *d.examples[:5]]),
            ("Adoption of AI suggestions by kind", [
                f"{k}: {v.get('proposed', 0)} proposed, {v.get('approved', 0)} approved, {v.get('edited', 0)} edited, "
                f"{v.get('rejected', 0)} rejected" + (f", adoption {v['adoption_rate']:.0%}" if v.get("adoption_rate") is not None else "")
                for k, v in sorted(self.adoption.items())] or ["no forecast suggestions decided yet"]),
            ("Reviewer overrides", [f"{o['made_on']} {o['deal_id']}: " + (f"{o['probability']:.0%}" if o["probability"] is not None
                                                                          else "withdrawn")
                                    + (f" (model {o['previous']:.0%})" if o.get("previous") is not None else "")
                                    + f" by {o['by']}: {o['reason']}" for o in self.overrides] or ["none"]),
        ]

    def text(self) -> str:
        out = [f"Model health, {self.month} (as of {self.as_of}; model: {self.model})"]
        for title, lines in self._lines():
            out += [title] + [f"  {x}" for x in lines]
        return "\n".join(out + [f"note: {n}" for n in self.notes])

    def html(self) -> str:
        parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Model health {html.escape(self.month)}</title>"
                 "</head><body>", f"<h1>Model health, {html.escape(self.month)}</h1>",
                 f"<p>as of {self.as_of}; model: {html.escape(self.model)}</p>"]
        for title, lines in self._lines():
            parts.append(f"<h2>{html.escape(title)}</h2><ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>")
        parts += [f"<p>note: {html.escape(n)}</p>" for n in self.notes]
        return "\n".join(parts + ["</body></html>"])

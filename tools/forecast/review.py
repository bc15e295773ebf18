"""The forecast review: people's calls against the model, reviewers' overrides, interventions' inputs and
the monthly model-health report. Scope is enforced here like everywhere in the forecast."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select

from copilot.core.errors import NotFound, PermissionDenied, UserError
from copilot.core.visibility import Scope
from tools.forecast import inperiod, rolling
from tools.forecast.data import DealRec
from tools.forecast.interventions import Adoption, Suggestion, TouchTiming, learn_touch_timing, suggest
from tools.forecast.periods import (
    month_bounds,
    parse_period,
    parse_quarter,
    quarter_bounds,
    quarter_label,
    quarter_of,
)
from tools.forecast.review_schemas import CallRecord, CallScore, DataProblems, ModelHealth, Scoreboard
from tools.forecast.service import Forecaster
from tools.forecast.store import CATEGORIES

REVIEWERS = ("manager", "admin")
STALE_HOURS = 48
MONTHS = 12  # month ends scored (as many before them warm the ranges up, as in the backtest)


class ForecastReview:
    def __init__(self, fc: Forecaster, *, now: Callable[[], datetime] = datetime.now) -> None:
        self.fc = fc
        self.now = now

    # -- subjects ---------------------------------------------------------------------------------
    def _keep(self, subject: str) -> Callable[[DealRec], bool]:
        kind, _, ident = subject.partition(" ")
        if kind == "rep":
            return lambda d: d.owner_id == ident
        if kind == "team":
            return lambda d: d.team_id == ident
        return lambda d: True

    def _quarter(self, quarter: str | None, today: date) -> tuple[int, int, str]:
        if quarter:
            start, end, label = parse_quarter(quarter, today)
        else:
            y, q = quarter_of(today)
            (start, end), label = quarter_bounds(y, q), quarter_label(y, q)
        return start.toordinal(), end.toordinal(), label

    def _model_total(self, subject: str, made_on: date, lo: int, hi: int) -> tuple[float, dict[str, float]]:
        est = inperiod.estimate(self.fc.snapshot(), self.fc.features(), self.fc.model(made_on), made_on.toordinal(),
                                lo, hi, self._keep(subject), baselines=False)
        return est.expected_total, {d.id: float(p) for d, p in zip(est.deals, est.p_in, strict=True)}

    # -- AI vs human --------------------------------------------------------------------------------
    def record_call(self, scope: Scope, *, quarter: str | None = None, amount: float | None = None,
                    deal: str | None = None, category: str | None = None, rep: str | None = None,
                    team: str | None = None, source: str = "cli") -> CallRecord:
        """A person's own call for a period: a number for their deals or team, or a category for one deal."""
        p = scope.principal
        if scope.aggregates_only:
            raise PermissionDenied("execs see aggregates only; calls are made by reps and managers",
                                   hint="ask the team's manager to submit the call")
        today, _, _ = self.fc.resolve_as_of(None)
        lo, _, label = self._quarter(quarter, today)
        if (amount is None) == (deal is None):
            raise UserError("a call is either a number or a deal's category",
                            hint="pass --amount 1200000, or --deal ID --category commit")
        snap = self.fc.snapshot()
        fields: dict[str, object] = {"period": label, "caller_id": p.user_id, "role": p.role.value, "made_on": today,
                                     "source": source, "created_at": self.now()}
        if deal is not None:
            d = snap.by_id.get(deal) or next((x for x in snap.deals if x.name.lower() == deal.strip().lower()), None)
            if d is None or not scope.allows(d.owner_id, d.team_id):
                raise NotFound(f"no deal {deal!r} that you can see", hint="check the deal id or name")
            if category not in CATEGORIES:
                raise UserError(f"unknown category {category!r}", hint=f"use one of {', '.join(CATEGORIES)}")
            fields |= {"subject": f"rep {d.owner_id}", "deal_id": d.id, "category": category}
        else:
            if amount is None or amount < 0:
                raise UserError("the called number must be zero or more", hint="pass --amount 1200000")
            subject, _ = self.fc._subject(scope, rep, team, False)
            kind, _, name = subject.partition(" ")
            ident = (self.fc._find_user(name) if kind == "rep" else self.fc._find_team(name)) if kind != "company" else ""
            fields |= {"subject": f"{kind} {ident}".strip(), "amount": float(amount)}
        if self.fc.calls is None:
            raise UserError("calls need a CRM database", hint="run against a copilot home")
        cid = self.fc.calls.add(**fields)
        return CallRecord(id=cid, period=label, caller=snap.user_name(p.user_id), subject=str(fields["subject"]),
                          deal_id=fields.get("deal_id"), category=fields.get("category"),  # type: ignore[arg-type]
                          amount=fields.get("amount"), made_on=today)  # type: ignore[arg-type]

    def scoreboard(self, scope: Scope, quarter: str | None = None) -> Scoreboard:
        """Each call beside the model's forecast made the same day; scored once the period has closed."""
        snap = self.fc.snapshot()
        today, _, _ = self.fc.resolve_as_of(None)
        lo, hi, label = self._quarter(quarter, today)
        closed = hi < today.toordinal()
        calls = self.fc.calls.for_period(label) if self.fc.calls is not None else []
        scores: list[CallScore] = []
        deal_calls: dict[tuple[str, date], list] = defaultdict(list)  # type: ignore[type-arg]
        for c in calls:
            team = snap.users.get(c.caller_id, {}).get("team_id")
            if not scope.aggregates_only and not scope.allows(c.caller_id, team):
                continue
            if c.deal_id is not None:
                deal_calls[(c.caller_id, c.made_on)].append(c)
                continue
            name = scope.pseudonym(snap.user_name(c.caller_id)) if scope.aggregates_only else snap.user_name(c.caller_id)
            kind, _, ident = c.subject.partition(" ")
            shown = {"rep": f"rep {snap.user_name(ident)}", "team": f"team {snap.team_name(ident)}"}.get(kind, "company")
            model, _ = self._model_total(c.subject, c.made_on, lo, hi)
            s = CallScore(caller=name, role=c.role, subject=shown, team=snap.team_name(team), kind="number",
                          called=c.amount, model=round(model, 2), winner="open")
            if closed:
                actual = sum(d.amount or 0.0 for d in inperiod.won_between(snap, self._keep(c.subject), lo, hi))
                s.actual = actual
                if actual > 0 and c.amount is not None:
                    s.human_error, s.model_error = abs(c.amount - actual) / actual, abs(model - actual) / actual
            scores.append(s)
        for (caller, made_on), rows in deal_calls.items():
            _, probs = self._model_total("company", made_on, lo, hi)
            team = snap.users.get(caller, {}).get("team_id")
            s = CallScore(caller=scope.pseudonym(snap.user_name(caller)) if scope.aggregates_only else snap.user_name(caller),
                          role=rows[0].role, subject="deal categories", team=snap.team_name(team), kind="deals",
                          deals=len(rows), winner="open")
            if closed:
                hits_h = hits_m = 0
                for r in rows:
                    d = snap.by_id.get(r.deal_id)
                    won = bool(d and d.won and d.closed_day is not None and lo <= d.closed_day <= hi)
                    hits_h += int((r.category == "commit") == won)
                    hits_m += int((probs.get(r.deal_id or "", 0.0) >= 0.5) == won)
                s.human_error, s.model_error = 1 - hits_h / len(rows), 1 - hits_m / len(rows)
            scores.append(s)
        by_team: dict[str, dict[str, float | int]] = {}
        for s in scores:
            if s.human_error is not None and s.model_error is not None:
                s.winner = ("human" if s.human_error < s.model_error - 1e-9 else
                            "model" if s.model_error < s.human_error - 1e-9 else "tie")
                t = by_team.setdefault(s.team or "no team", {"human": 0, "model": 0, "tie": 0})
                t[s.winner] += 1
        return Scoreboard(period=label, closed=closed, scores=scores, by_team=by_team)

    # -- overrides ----------------------------------------------------------------------------------
    def override(self, scope: Scope, deal: str, probability: float | None, reason: str) -> str:
        """A reviewer's probability for one deal, with the reason (``None`` withdraws it); audited rows."""
        p = scope.principal
        if p.role.value not in REVIEWERS or scope.aggregates_only:
            raise PermissionDenied(f"{p.label} may not override a forecast",
                                   hint="managers review their team's deals; admins any deal")
        if not (reason or "").strip():
            raise UserError("an override needs a reason", hint='pass --reason "buyer confirmed budget on the call"')
        if probability is not None and not 0.0 <= probability <= 1.0:
            raise UserError(f"probability must be between 0 and 1, got {probability}", hint="e.g. --probability 0.8")
        snap = self.fc.snapshot()
        d = snap.by_id.get(deal) or next((x for x in snap.deals if x.name.lower() == deal.strip().lower()), None)
        if d is None or not scope.allows(d.owner_id, d.team_id):
            raise NotFound(f"no deal {deal!r} that you can see", hint="check the deal id or name")
        today, _, _ = self.fc.resolve_as_of(None)
        lo, hi, _ = self._quarter(None, today)
        _, probs = self._model_total(f"rep {d.owner_id}", today, lo, hi)
        if d.id not in probs:
            raise UserError(f"deal {d.name} is not open", hint="overrides are for open deals")
        assert self.fc.overrides is not None
        self.fc.overrides.add(d.id, probability, previous=probs[d.id], reason=reason.strip(), by_user=p.user_id,
                              made_on=today, now=self.now())
        return d.id

    # -- interventions (the ledger part is the facade's) -------------------------------------------
    def suggestions(self, scope: Scope, adoption: dict[str, Adoption],
                    as_of: date | None = None) -> tuple[date, TouchTiming, list[Suggestion]]:
        day_date, _, _ = self.fc.resolve_as_of(as_of)
        risks = self.fc.at_risk(scope, as_of=as_of)
        snap = self.fc.snapshot()
        timing = learn_touch_timing(snap, day_date.toordinal())
        return day_date, timing, suggest(snap, risks, day_date.toordinal(), timing, adoption)

    # -- model health -------------------------------------------------------------------------------
    def health(self, scope: Scope, *, month: str | None = None, adoption: dict | None = None) -> ModelHealth:  # type: ignore[type-arg]
        p = scope.principal
        if p.role.value == "rep":
            raise PermissionDenied("the model-health report is for sales leads", hint="ask your manager")
        as_of, _, notes = self.fc.resolve_as_of(None)
        if month:
            got = parse_period(month, as_of)
            if got is None or len(got[2]) != 7:
                raise UserError(f"{month!r} is not a month", hint="write it like 2026-10")
            m_start, m_end, label = got
        else:
            last = as_of.replace(day=1) - timedelta(days=1)
            (m_start, m_end), label = month_bounds(last.year, last.month), f"{last.year}-{last.month:02d}"
        snap, fb = self.fc.snapshot(), self.fc.features()
        months = rolling.monthly_as_ofs(snap, n=2 * MONTHS, before=m_end + timedelta(days=1))
        report = rolling.run(snap, months[-MONTHS:], fb=fb, compare=False, model_for=self.fc.model,
                             warmup=months[:-MONTHS])[0] if months else None
        cal = report.monthly if report else []
        drift = None
        if len(cal) >= 6:
            gap = [c.observed - c.predicted for c in cal]
            drift = round(statistics.fmean(gap[-3:]) - statistics.fmean(gap[:-3]), 4)
        return ModelHealth(month=label, as_of=as_of, model=self.fc.model(as_of).kind, calibration=cal, drift=drift,
                           accuracy=report.accuracy if report else [], data=self._data(scope, as_of),
                           adoption=adoption or {},
                           overrides=self.fc.overrides.history(since=m_start) if self.fc.overrides else [],
                           notes=notes + (["no month end with a closed quarter before this month"] if not months else []))

    def _data(self, scope: Scope, as_of: date) -> DataProblems:
        snap = self.fc.snapshot()
        open_deals = [d for d in snap.deals if not d.is_closed]
        newest_hours, stale = None, 0
        if self.fc.crm is not None:
            from knowledge.crm.models import Deal

            now = datetime.combine(as_of, datetime.min.time()) + timedelta(hours=12)
            with self.fc.crm.session() as s:
                stamps = dict(s.execute(select(Deal.id, Deal.updated_at)).all())
            known = [t for t in stamps.values() if t is not None]
            if known:
                newest_hours = round((now - max(known)).total_seconds() / 3600, 1)
            stale = sum(1 for d in open_deals if stamps.get(d.id) is None
                        or (now - stamps[d.id]).total_seconds() > STALE_HOURS * 3600)
        mismatch = [d for d in snap.deals if d.history and d.history[-1].from_stage is not None
                    and d.history[-1].to_stage != d.stage]
        no_amount = [d for d in snap.deals if d.won and not d.amount]
        examples = [] if scope.aggregates_only else (
            [f"{d.name}: stage {d.stage}, last change to {d.history[-1].to_stage}" for d in mismatch[:3]]
            + [f"{d.name}: won with no amount" for d in no_amount[:2]])
        return DataProblems(newest_update_hours=newest_hours, stale_open_deals=stale, open_deals=len(open_deals),
                            missing_close_dates=sum(1 for d in open_deals if d.close_date is None),
                            closed_without_date=sum(1 for d in snap.deals if d.is_closed and d.closed_day is None),
                            won_without_amount=len(no_amount), stage_history_mismatch=len(mismatch),
                            examples=examples)

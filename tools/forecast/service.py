"""``Forecaster``: the forecast service the facade exposes (``Copilot.forecaster``).

It holds a CRM store, loads a snapshot when the CRM changed, trains lazily and caches one trained model
per as-of date. Every public method takes the caller's ``Scope`` and enforces it here, in code:
a rep sees their own forecast, a manager their team's, an exec company and team aggregates only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from copilot.core.errors import NotFound, PermissionDenied, UserError
from copilot.core.visibility import Scope
from tools.forecast import backtest as bt
from tools.forecast import inperiod, rolling
from tools.forecast.data import DealRec, Snapshot, fingerprint, load_snapshot
from tools.forecast.explain import factors
from tools.forecast.features import FeatureBuilder, is_open_at, state_at
from tools.forecast.model import TrainedModel, stages_of, train
from tools.forecast.periods import parse_quarter, quarter_bounds, quarter_label, quarter_of
from tools.forecast.pipeline import PipelineQuery, PipelineResult, pipeline_query
from tools.forecast.risk import RiskRules, flags_for, rep_norms
from tools.forecast.rolling import spread_at
from tools.forecast.schemas import (
    BacktestReport,
    Contribution,
    DealRisk,
    DealScore,
    GroupTotal,
    QuarterForecast,
    RiskGroup,
)
from tools.forecast.simulate import Spread, percentiles, simulate_totals
from tools.forecast.store import CallStore, OverrideStore

STALE_DAYS = 30
ROLLING_MONTHS = 12


class Forecaster:
    def __init__(self, crm=None, *, snapshot: Snapshot | None = None, min_won: int = 200,  # type: ignore[no-untyped-def]
                 min_lost: int = 200, n_sims: int = 10000, today: date | None = None) -> None:
        if crm is None and snapshot is None:
            raise ValueError("Forecaster needs a CRM store or a snapshot")
        self.crm = crm
        self.min_won, self.min_lost, self.n_sims = min_won, min_lost, n_sims
        self.today = today
        self._snap = snapshot
        self._fp: tuple | None = None
        self._fb: FeatureBuilder | None = None
        self._models: dict[tuple[int, str | None], TrainedModel] = {}
        self._spreads: dict[int, Spread] = {}
        self._backtests: dict[tuple, BacktestReport] = {}
        self.overrides = OverrideStore(crm) if crm is not None else None
        self.risk_rules: Callable[[], RiskRules] = RiskRules  # the composition root reads sales ops' file
        self.calls = CallStore(crm) if crm is not None else None

    # -- data and models ------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        if self.crm is not None:
            fp = fingerprint(self.crm)
            if self._snap is None or fp != self._fp:
                self._snap, self._fp, self._fb, self._models = load_snapshot(self.crm), fp, None, {}
                self._spreads, self._backtests = {}, {}
        assert self._snap is not None
        return self._snap

    def features(self) -> FeatureBuilder:
        snap = self.snapshot()
        if self._fb is None:
            self._fb = FeatureBuilder(snap)
        return self._fb

    def resolve_as_of(self, as_of: date | None) -> tuple[date, bool, list[str]]:
        """(as-of date, live?, notes). Default: today, or the newest CRM date when the data is old."""
        if as_of is not None:
            live = self.today is not None and as_of >= self.today
            return as_of, live, []
        today = self.today or date.today()
        newest = date.fromordinal(self.snapshot().newest_day)
        if newest.toordinal() < today.toordinal() - STALE_DAYS:
            return newest, True, [f"the newest CRM data is from {newest}; forecasting as of that date"]
        return today, True, []

    def model(self, as_of: date, force: str | None = None) -> TrainedModel:
        key = (as_of.toordinal(), force)
        if key not in self._models:
            self._models[key] = train(self.snapshot(), as_of.toordinal() + 1, fb=self.features(),
                                      min_won=self.min_won, min_lost=self.min_lost, force=force)
        return self._models[key]

    def score(self, deals: list[DealRec], as_of: date) -> tuple[np.ndarray, np.ndarray, np.ndarray, TrainedModel]:
        """(probabilities, stage-baseline probabilities, feature matrix, model) for deals open at as_of."""
        tm = self.model(as_of)
        X = self.features().matrix([(d, as_of.toordinal()) for d in deals])
        return tm.predict(X), tm.baseline.predict(stages_of(X)), X, tm

    # -- scope ----------------------------------------------------------------------------------
    def _find_user(self, who: str) -> str:
        snap = self.snapshot()
        if who in snap.users:
            return who
        low = who.strip().lower()
        for uid, u in snap.users.items():
            if (u.get("name") or "").lower() == low:
                return uid
        raise NotFound(f"no rep {who!r}", hint="use a user id or full name ('copilot users' lists them)")

    def _find_team(self, name: str) -> str:
        snap = self.snapshot()
        low = name.strip().lower()
        for tid, t in snap.teams.items():
            if tid.lower() == low or (t.get("name") or "").lower() == low:
                return tid
        raise NotFound(f"no team {name!r}", hint="use a team id or name ('copilot users' shows teams)")

    def _subject(self, scope: Scope, rep: str | None, team: str | None,
                 company: bool) -> tuple[str, Callable[[DealRec], bool]]:
        snap = self.snapshot()
        p = scope.principal
        if sum(bool(x) for x in (rep, team, company)) > 1:
            raise UserError("ask for one of a rep, a team or the company", hint="pass only one of --rep, --team, --company")
        if scope.aggregates_only:
            if rep:
                raise PermissionDenied("execs see company and team totals, not a single rep's deals",
                                       hint="use --team NAME or --company")
            if team:
                tid = self._find_team(team)
                return f"team {snap.team_name(tid)}", lambda d: d.team_id == tid
            return "company", lambda d: True
        if company or (not rep and not team and scope.all_records):
            if not scope.all_records:
                raise PermissionDenied(f"{p.label} may not see the company forecast",
                                       hint="ask for your own" + (" team's" if p.team_id else "") + " forecast")
            return "company", lambda d: True
        if team:
            tid = self._find_team(team)
            if not scope.all_records and tid not in scope.team_ids:
                raise PermissionDenied(f"{p.label} may not see team {snap.team_name(tid)}'s forecast",
                                       hint="ask for your own team or your own deals")
            return f"team {snap.team_name(tid)}", lambda d: d.team_id == tid and scope.allows(d.owner_id, d.team_id)
        if rep:
            uid = self._find_user(rep)
        elif p.role.value == "manager" and p.team_id:
            tid = p.team_id
            return (f"team {snap.team_name(tid)}",
                    lambda d: (d.team_id == tid or d.owner_id in scope.owner_ids) and scope.allows(d.owner_id, d.team_id))
        else:
            uid = p.user_id
        if not scope.all_records and uid not in scope.owner_ids:
            raise PermissionDenied(f"{p.label} may not see {snap.user_name(uid)}'s forecast",
                                   hint="reps see their own forecast; managers their team's")
        return f"rep {snap.user_name(uid)}", lambda d: d.owner_id == uid and scope.allows(d.owner_id, d.team_id)

    # -- the forecast ---------------------------------------------------------------------------
    def spread(self, as_of: date) -> Spread:
        """The range's spread as of a date, from the product's residuals on the quarters closed by then."""
        key = as_of.toordinal()
        if key not in self._spreads:
            res = rolling.residual_history(self.snapshot(), self.features(), as_of, self.model)
            self._spreads[key] = spread_at(res, key)
        return self._spreads[key]

    def forecast(self, scope: Scope, *, rep: str | None = None, team: str | None = None, company: bool = False,
                 quarter: str | None = None, as_of: date | None = None) -> QuarterForecast:
        """Closed won so far + P(won within the quarter) x amount of open deals + created-and-won, with a range."""
        snap = self.snapshot()
        subject, keep = self._subject(scope, rep, team, company)
        day_date, live, notes = self.resolve_as_of(as_of)
        day = day_date.toordinal()
        if quarter:
            q_start, q_end, q_label = parse_quarter(quarter, day_date)
        else:
            y, q = quarter_of(day_date)
            (q_start, q_end), q_label = quarter_bounds(y, q), quarter_label(y, q)
        lo, hi = q_start.toordinal(), q_end.toordinal()
        tm = self.model(day_date)
        est = inperiod.estimate(snap, self.features(), tm, day, lo, hi, keep)
        overrides = self.overrides.in_force(day_date) if self.overrides is not None else {}
        p = est.p_in.copy()
        contribs = []
        for i, (d, st) in enumerate(zip(est.deals, est.states, strict=True)):
            ov = overrides.get(d.id)
            if ov is not None:
                p[i] = ov.probability
            cat = d.forecast_category if live and d.forecast_category in ("commit", "best_case", "pipeline") else (
                "commit" if p[i] >= 0.7 else "best_case" if p[i] >= 0.4 else "pipeline")
            contribs.append(Contribution(
                deal_id=d.id, deal=d.name, owner=snap.user_name(d.owner_id), stage=st.stage,
                amount=float(est.amounts[i]), amount_missing=not st.amount,
                expected_close=date.fromordinal(st.expected_close) if st.expected_close else None,
                probability=round(float(p[i]), 4), win_probability=round(float(est.p_win[i]), 4),
                baseline_probability=round(float(est.stage_p[i]), 4),
                expected_value=round(float(p[i] * est.amounts[i]), 2),
                baseline_value=round(float(est.stage_p[i] * est.amounts[i]) if est.in_window[i] else 0.0, 2),
                category=cat, override=ov.describe() if ov is not None else None))
        spread = self.spread(day_date)
        totals = simulate_totals(p, est.amounts, base=est.closed_won, n_sims=self.n_sims, spread=spread,
                                 created=est.created_history)
        p10, p50, p90 = percentiles(totals)
        expected_open = float(p @ est.amounts) if len(p) else 0.0
        # categories are the CRM's view: deals whose stated close date falls in the quarter
        by_cat = {c: sum(x.amount for x, inside in zip(contribs, est.in_window, strict=True) if inside and x.category == c)
                  for c in ("commit", "best_case", "pipeline")}
        if tm.note:
            notes.append(tm.note)
        missing = sum(1 for x in contribs if x.amount_missing)
        if missing:
            notes.append(f"{missing} open deals have no amount and count as 0")
        if overrides and any(x.override for x in contribs):
            notes.append(f"{sum(1 for x in contribs if x.override)} reviewer overrides in force (shown per deal)")
        fc = QuarterForecast(
            subject=subject, quarter=q_label, start=q_start, end=q_end, as_of=day_date, closed_won=est.closed_won,
            closed_won_deals=est.closed_won_deals, expected_open=expected_open, created_expected=est.created_mean,
            expected_total=est.closed_won + expected_open + est.created_mean, p10=p10, p50=p50, p90=p90,
            baseline_total=est.stage_total, conversion_total=est.conversion_total if est.conversion_ratios else None,
            range_note=spread.describe(),
            commit=est.closed_won + by_cat["commit"], best_case=est.closed_won + by_cat["commit"] + by_cat["best_case"],
            pipeline=est.closed_won + sum(by_cat.values()), open_deals=len(contribs), missing_amounts=missing,
            model=tm.kind, notes=notes, deals=contribs)
        if scope.aggregates_only:
            fc.deals = []
            won = inperiod.won_between(snap, keep, lo, min(hi, day))
            fc.groups = self._groups(scope, won, contribs)
        return fc

    def _groups(self, scope: Scope, won: list[DealRec], contribs: list[Contribution]) -> list[GroupTotal]:
        """Per-rep totals for execs: pseudonymized, reps with fewer deals than the minimum merged."""
        snap = self.snapshot()
        acc: dict[str, list[float]] = {}
        for d in won:
            acc.setdefault(snap.user_name(d.owner_id), [0.0, 0.0, 0])[0] += d.amount or 0.0
            acc[snap.user_name(d.owner_id)][2] += 1
        for c in contribs:
            acc.setdefault(c.owner, [0.0, 0.0, 0])[1] += c.expected_value
            acc[c.owner][2] += 1
        out, other = [], [0.0, 0.0, 0]
        for name, (cw, ev, n) in sorted(acc.items()):
            if n < scope.min_group_size:
                other = [other[0] + cw, other[1] + ev, other[2] + n]
            else:
                out.append(GroupTotal(group=scope.pseudonym(name), closed_won=cw, expected_open=ev, deals=int(n)))
        if other[2] >= scope.min_group_size:
            out.append(GroupTotal(group="other reps (small groups merged)", closed_won=other[0],
                                  expected_open=other[1], deals=int(other[2])))
        return out

    # -- deals ----------------------------------------------------------------------------------
    def _visible_open(self, scope: Scope, day: int) -> list[DealRec]:
        if scope.aggregates_only:
            raise PermissionDenied("execs see aggregates only, not individual deals",
                                   hint="use 'copilot forecast --company' or 'copilot pipeline'")
        return [d for d in self.snapshot().deals if scope.allows(d.owner_id, d.team_id) and is_open_at(d, day)]

    def risk_by_group(self, scope: Scope, *, as_of: date | None = None) -> list[RiskGroup]:
        """Open deals at risk per team (per rep for a manager), with exposure and the count of each flag: what an
        exec may see of the risk list. Groups under the scope's minimum size are merged into one."""
        rules = self.risk_rules()
        snap = self.snapshot()
        day_date, live, _ = self.resolve_as_of(as_of)
        day = day_date.toordinal()
        deals = [d for d in snap.deals if (scope.aggregates_only or scope.allows(d.owner_id, d.team_id)) and is_open_at(d, day)]
        norms = rep_norms(snap, day)
        by_rep = not (scope.aggregates_only or scope.all_records)
        acc: dict[str, RiskGroup] = {}
        for d in deals:
            name = snap.user_name(d.owner_id) if by_rep else snap.team_name(d.team_id)
            g = acc.setdefault(name, RiskGroup(group=name, deals=0, at_risk=0, exposure=0.0))
            g.deals += 1
            st = state_at(d, day, snap)
            flags = flags_for(d, st, day, snap, norms, live=live, stall_days=rules.stall_days, oversize=rules.oversize,
                              late=rules.late_stages)
            if flags:
                g.at_risk += 1
                g.exposure = (g.exposure or 0.0) + (st.amount or 0.0)
                for f in flags:
                    g.flags[f.code] = g.flags.get(f.code, 0) + 1
        out = sorted(acc.values(), key=lambda g: -(g.exposure or 0.0))
        if scope.aggregates_only:  # every group's figures rest on enough deals to hide any one of them
            out = [g if g.at_risk >= scope.min_group_size else g.model_copy(update={"exposure": None})
                   for g in out if g.deals >= scope.min_group_size]
        return out

    def at_risk(self, scope: Scope, *, as_of: date | None = None, rules: RiskRules | None = None) -> list[DealRisk]:
        """Open deals with at least one risk flag, biggest exposure first (``rules``: instead of those in force)."""
        rules = rules or self.risk_rules()
        snap = self.snapshot()
        day_date, live, _ = self.resolve_as_of(as_of)
        day = day_date.toordinal()
        deals = self._visible_open(scope, day)
        if not deals:
            return []
        p, _, _, _ = self.score(deals, day_date)
        norms = rep_norms(snap, day)
        out = []
        for d, prob in zip(deals, p, strict=True):
            st = state_at(d, day, snap)
            flags = flags_for(d, st, day, snap, norms, live=live, stall_days=rules.stall_days, oversize=rules.oversize,
                              late=rules.late_stages)
            if flags:
                out.append(DealRisk(deal_id=d.id, deal=d.name, owner=snap.user_name(d.owner_id), stage=st.stage,
                                    amount=st.amount, probability=round(float(prob), 4), flags=flags))
        return sorted(out, key=lambda r: -((r.amount or 0.0) * len(r.flags)))

    def win_probability(self, scope: Scope, deal_id: str, as_of: date | None = None) -> DealScore:
        """One deal's win probability with its top positive and negative factors in words."""
        snap = self.snapshot()
        if scope.aggregates_only:
            raise PermissionDenied("execs see aggregates only, not individual deals", hint="ask for --company totals")
        d = snap.by_id.get(deal_id) or next((x for x in snap.deals if x.name.lower() == deal_id.strip().lower()), None)
        if d is None or not scope.allows(d.owner_id, d.team_id):
            raise NotFound(f"no deal {deal_id!r} that you can see", hint="check the deal id or name")
        day_date, _, _ = self.resolve_as_of(as_of)
        day = day_date.toordinal()
        if not is_open_at(d, day):
            state = "not yet created" if not d.is_closed or (d.closed_day or 0) > day else f"closed ({d.stage})"
            raise UserError(f"deal {d.name} is {state} as of {day_date}", hint="win probabilities are for open deals")
        p, base, X, tm = self.score([d], day_date)
        pos, neg = factors(tm, X)[0]
        st = state_at(d, day, snap)
        prob = float(p[0])
        return DealScore(
            deal_id=d.id, deal=d.name, account=snap.accounts.get(d.account_id or "", {}).get("name"),
            owner=snap.user_name(d.owner_id), stage=st.stage, amount=st.amount,
            expected_close=date.fromordinal(st.expected_close) if st.expected_close else None,
            probability=round(prob, 4), baseline_probability=round(float(base[0]), 4),
            category="commit" if prob >= 0.7 else "best_case" if prob >= 0.4 else "pipeline",
            positives=pos, negatives=neg, model=f"{tm.kind}: {tm.note}", as_of=day_date)

    def backtest(self, *, as_ofs: list[date] | None = None, min_history: int | None = None,
                 rolling_months: int = ROLLING_MONTHS, warmup_months: int = ROLLING_MONTHS) -> BacktestReport:
        """Replay the past: the deal-level comparison at quarter starts, and the rolling monthly backtest
        of quarter totals (the last ``rolling_months`` month ends scored; up to ``warmup_months`` before
        them only feed the ranges' residuals). ``min_history`` overrides the won/lost deal counts needed
        before the product trusts a model; ``rolling_months=0`` skips the rolling backtest.
        """
        won = self.min_won if min_history is None else min_history
        lost = self.min_lost if min_history is None else min_history
        snap, fb = self.snapshot(), self.features()
        key = (tuple(as_ofs or ()), min_history, rolling_months, warmup_months)
        if key in self._backtests:  # the same CRM state replays to the same report
            return self._backtests[key].model_copy(deep=True)
        report = bt.run(snap, as_ofs, fb=fb, min_won=won, min_lost=lost)
        if rolling_months:
            months = rolling.monthly_as_ofs(snap, n=rolling_months + warmup_months)
            cached = self.model if min_history is None else None
            report.rolling = rolling.run(snap, months[-rolling_months:], fb=fb, min_won=won, min_lost=lost,
                                         warmup=months[:-rolling_months], model_for=cached,
                                         forced_for=lambda t, kind: self.model(t, force=kind))[0]
        self._backtests[key] = report.model_copy(deep=True)
        return report

    def pipeline(self, scope: Scope, query: PipelineQuery) -> PipelineResult:
        """``pipeline_query`` on the cached snapshot (the 'today' of relative periods defaults as the forecast's)."""
        if query.as_of is None:
            query = query.model_copy(update={"as_of": self.resolve_as_of(None)[0]})
        return pipeline_query(self.crm, scope, query, snapshot=self.snapshot())

"""``pipeline_query``: typed questions about the pipeline (never SQL written by a model).

A ``PipelineQuery`` names a metric, an optional grouping, filters and a period; the caller's ``Scope`` is
applied in code before anything is counted. Execs get aggregates only: rep-level groups smaller than
``scope.min_group_size`` are suppressed and people's names pseudonymized.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from copilot.core.domain import Citation
from copilot.core.errors import PermissionDenied, UserError
from copilot.core.visibility import Scope
from tools.forecast.data import DealRec, Snapshot, load_snapshot
from tools.forecast.features import is_open_at
from tools.forecast.periods import parse_period, quarter_label, quarter_of

Metric = Literal["won_revenue", "win_rate", "deal_count", "avg_deal_size", "cycle_length", "pipeline_value"]
GroupBy = Literal["rep", "manager", "team", "product", "account", "sector", "month", "quarter"]
PEOPLE = ("rep", "manager")

DEFINITIONS = {
    "won_revenue": "sum of the amount of deals closed won in the period",
    "win_rate": "won / (won + lost) among deals closed in the period (count-based; amount-weighted alongside)",
    "deal_count": "number of deals closed (won or lost) in the period",
    "avg_deal_size": "mean amount of deals closed won in the period (deals with no amount left out)",
    "cycle_length": "mean days from creation (engage date) to close of deals won in the period",
    "pipeline_value": "sum of the amount of deals open at the end of the period (or the as-of date if earlier)",
}


class PipelineQuery(BaseModel):
    """A safe, typed pipeline question. Filters match names case-insensitively."""

    metric: Metric
    group_by: GroupBy | None = None
    period: str | None = Field(default=None, description="'last quarter', 'Q2 2017', '2017', 'last 90 days'...")
    start: date | None = None
    end: date | None = None
    as_of: date | None = Field(default=None, description="what 'today' is for relative periods")
    rep: str | None = None
    team: str | None = None
    manager: str | None = None
    product: str | None = None
    account: str | None = None
    sector: str | None = None
    deal_type: str | None = None


class PipelineRow(BaseModel):
    group: str
    value: float | None
    deals: int
    amount_weighted: float | None = None


class PipelineResult(BaseModel):
    metric: str
    group_by: str | None
    start: date | None
    end: date | None
    period_label: str
    rows: list[PipelineRow]
    total: PipelineRow
    description: str = Field(description="how it was computed, in words")
    suppressed_groups: int = 0
    notes: list[str] = Field(default_factory=list)

    @property
    def citations(self) -> list[Citation]:
        return [Citation(source_id=f"crm:pipeline:{self.metric}", title=f"CRM pipeline: {self.metric}",
                         kind="crm", record="deals", snippet=self.description)]


def _period(q: PipelineQuery, today: date) -> tuple[date | None, date | None, str]:
    if q.period:
        got = parse_period(q.period, today)
        if got is None:
            raise UserError(f"cannot read the period {q.period!r}",
                            hint="try 'last quarter', 'this month', 'Q2 2017', '2017' or 'last 90 days'")
        return got
    if q.start or q.end:
        return q.start, q.end, f"{q.start or 'start'} to {q.end or 'today'}"
    return None, None, "all time"


def _group_key(d: DealRec, by: str | None, snap: Snapshot, day: int | None) -> str:
    if by is None:
        return "all"
    if by == "rep":
        return snap.user_name(d.owner_id)
    if by == "manager":
        return snap.user_name(snap.users.get(d.owner_id or "", {}).get("manager_id")
                              or snap.teams.get(d.team_id or "", {}).get("manager_id"))
    if by == "team":
        return snap.team_name(d.team_id)
    if by == "product":
        return snap.products.get(d.product_id or "", {}).get("name") or "no product"
    if by == "account":
        return snap.accounts.get(d.account_id or "", {}).get("name") or "no account"
    if by == "sector":
        return (snap.accounts.get(d.account_id or "", {}).get("sector") or "unknown").lower()
    when = date.fromordinal(day) if day else None
    if when is None:
        return "no date"
    return f"{when.year}-{when.month:02d}" if by == "month" else quarter_label(*quarter_of(when))


def _matches(d: DealRec, q: PipelineQuery, snap: Snapshot) -> bool:
    checks = [("rep", lambda: snap.user_name(d.owner_id)), ("team", lambda: snap.team_name(d.team_id)),
              ("manager", lambda: _group_key(d, "manager", snap, None)),
              ("product", lambda: snap.products.get(d.product_id or "", {}).get("name") or ""),
              ("account", lambda: snap.accounts.get(d.account_id or "", {}).get("name") or ""),
              ("sector", lambda: snap.accounts.get(d.account_id or "", {}).get("sector") or ""),
              ("deal_type", lambda: d.deal_type)]
    for name, get in checks:
        want = getattr(q, name)
        if want and get().strip().lower() != want.strip().lower():
            ids = {"rep": d.owner_id, "team": d.team_id, "product": d.product_id, "account": d.account_id}
            if ids.get(name) != want:
                return False
    return True


def pipeline_query(crm, scope: Scope, query: PipelineQuery, *, snapshot: Snapshot | None = None) -> PipelineResult:  # type: ignore[no-untyped-def]
    """Answer a typed pipeline question within the caller's scope."""
    if scope.aggregates_only:
        _exec_policy(query)
    snap = snapshot or load_snapshot(crm)
    today = query.as_of or date.fromordinal(snap.newest_day)
    start, end, label = _period(query, today)
    lo = start.toordinal() if start else -(10**9)
    hi = end.toordinal() if end else 10**9
    deals = [d for d in snap.deals if (scope.aggregates_only or scope.allows(d.owner_id, d.team_id))
             and _matches(d, query, snap)]
    m = query.metric
    buckets: dict[str, list[DealRec]] = defaultdict(list)
    day_of: dict[str, int | None] = {}
    if m == "pipeline_value":
        at = min(hi, today.toordinal())
        for d in deals:
            if is_open_at(d, at):
                buckets[_group_key(d, query.group_by, snap, d.created_day)].append(d)
    else:
        for d in deals:
            cd = d.closed_day
            if cd is None or not lo <= cd <= hi:
                continue
            if m in ("won_revenue", "avg_deal_size", "cycle_length") and not d.won:
                continue
            buckets[_group_key(d, query.group_by, snap, cd)].append(d)
            day_of[d.id] = cd
    rows = [_row(m, g, lst) for g, lst in sorted(buckets.items())]
    total = _row(m, "total", [d for lst in buckets.values() for d in lst])
    if scope.aggregates_only and total.deals < scope.min_group_size:
        raise PermissionDenied(f"that filter narrows the answer to fewer than {scope.min_group_size} deals, which "
                               "would reveal individual figures", hint="widen the filter or group by team")
    suppressed, notes = 0, []
    if scope.aggregates_only and query.group_by in PEOPLE + ("account",):
        kept = []
        for r in rows:
            if r.deals < scope.min_group_size:
                suppressed += 1
            else:
                kept.append(r.model_copy(update={"group": scope.pseudonym(r.group)}) if query.group_by in PEOPLE else r)
        rows = kept
        if suppressed:
            notes.append(f"{suppressed} groups with fewer than {scope.min_group_size} deals suppressed")
    missing = sum(1 for lst in buckets.values() for d in lst if not d.amount)
    if missing and m in ("won_revenue", "pipeline_value", "avg_deal_size"):
        notes.append(f"{missing} deals have no amount (counted as 0, or left out of averages)")
    desc = (f"{m.replace('_', ' ')} = {DEFINITIONS[m]}; period {label}"
            + (f" ({start} to {end})" if start or end else "")
            + (f"; grouped by {query.group_by}" if query.group_by else "")
            + f"; {total.deals} deals counted within the scope of {scope.principal.label}")
    return PipelineResult(metric=m, group_by=query.group_by, start=start, end=end, period_label=label, rows=rows,
                          total=total, description=desc, suppressed_groups=suppressed, notes=notes)


def _exec_policy(q: PipelineQuery) -> None:
    """Execs see aggregates: no figures for one person or one account, no per-account rows."""
    if q.rep or q.manager:
        raise PermissionDenied("execs see aggregates by team, product or stage, not one person's figures",
                               hint="group by rep to see pseudonymized figures")
    if q.account or q.group_by == "account":
        raise PermissionDenied("execs see aggregates, not figures per account",
                               hint="group by team, product, sector or month instead")


def _row(metric: str, group: str, deals: list[DealRec]) -> PipelineRow:
    n = len(deals)
    amounts = [float(d.amount or 0.0) for d in deals]
    if metric in ("won_revenue", "pipeline_value"):
        return PipelineRow(group=group, value=round(sum(amounts), 2), deals=n)
    if metric == "deal_count":
        return PipelineRow(group=group, value=float(n), deals=n)
    if metric == "avg_deal_size":
        have = [a for a in amounts if a > 0]
        return PipelineRow(group=group, value=round(statistics.fmean(have), 2) if have else None, deals=n)
    if metric == "cycle_length":
        days = [d.closed_day - d.created_day for d in deals if d.closed_day and d.created_day is not None]
        return PipelineRow(group=group, value=round(statistics.fmean(days), 1) if days else None, deals=n)
    won = [d for d in deals if d.won]
    all_amt = sum(amounts)
    return PipelineRow(group=group, value=round(len(won) / n, 4) if n else None, deals=n,
                       amount_weighted=round(sum(float(d.amount or 0) for d in won) / all_amt, 4) if all_amt else None)

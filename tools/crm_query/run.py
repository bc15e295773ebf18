"""Run a ``CrmQuery``: load the records under scope, compute the metric, group, order, compare.

Execs get aggregates only, through ``aggregate_policy``: no record lists, groups smaller than the
scope's minimum suppressed, people pseudonymized, and a filter narrowing the answer below the minimum
is refused.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from copilot.core.errors import PermissionDenied
from copilot.core.visibility import Scope
from knowledge.crm.store import CrmStore
from tools.crm_query.describe import computed_as, read_as
from tools.crm_query.records import LOADERS, Rec
from tools.crm_query.resolve import Directory, resolve
from tools.crm_query.result import CrmResult, GroupRow, RecordRow
from tools.crm_query.schema import ADDITIVE, CrmFilters, CrmQuery

PEOPLE = ("rep", "manager")
RECORD_LEVEL_GROUPS = ("account", "parent")


def metric_value(q: CrmQuery, recs: list[Rec]) -> float | None:
    m = q.metric
    if m in ("list", "count"):
        return float(len(recs))
    if m == "account_count":
        return float(len({r.account for r in recs if r.account}))
    if m in ("sum", "pipeline"):
        return round(sum(r.amount or 0.0 for r in recs), 2)
    if m == "list_value":
        return round(sum(r.list_price or 0.0 for r in recs), 2)
    if m == "discount":
        off = [1 - r.amount / r.list_price for r in recs if r.amount is not None and r.list_price]
        return round(statistics.fmean(off), 4) if off else None
    if m == "avg":
        have = [r.amount for r in recs if r.amount is not None]
        return round(statistics.fmean(have), 2) if have else None
    if m in ("win_rate", "loss_rate"):
        closed = [r for r in recs if r.closed]
        won = sum(r.won for r in closed)
        return round((won if m == "win_rate" else len(closed) - won) / len(closed), 4) if closed else None
    if m == "cycle_length":
        days = [(r.closed_on - r.created_on).days for r in recs if r.closed and r.closed_on and r.created_on]
        return round(statistics.fmean(days), 1) if days else None
    if m == "activity_count":
        return float(sum(r.activities for r in recs))
    if m == "last_touch":
        stamps = [r.last_activity for r in recs if r.last_activity]
        return float(max(stamps).date().toordinal()) if stamps else None
    raise AssertionError(m)


def _kept(q: CrmQuery, value: float | None) -> bool:
    """A group within the asked bounds on its figure ('reps with more than 150 won deals')."""
    if q.value_min is None and q.value_max is None:
        return True
    return value is not None and (q.value_min is None or value >= q.value_min) \
        and (q.value_max is None or value <= q.value_max)


def _baseline(q: CrmQuery, recs: list[Rec], rows: list[GroupRow]) -> float | None:
    """What 'above the team' measures against: a rate or average over every matching record ('beats the team's
    win rate'); for a count or total, the mean per group ('more deals than the team average')."""
    if q.metric not in ADDITIVE:
        return metric_value(q, recs)
    have = [g.value for g in rows if g.value is not None]
    return round(statistics.fmean(have), 2) if have else None


def _group_date(q: CrmQuery, r: Rec) -> date | None:
    status = q.effective_status()
    if q.metric in ("win_rate", "loss_rate", "cycle_length") or status in ("won", "lost", "closed"):
        return r.closed_on or (r.close_date if r.closed else None)
    if status == "open":
        return r.close_date
    return r.created_on


def _visible_people(scope: Scope, d: Directory) -> list[str]:
    """The people whose figures the asker may see, as group rows ('who has none' needs the zeros too):
    a rep, themself; a manager, the reps they manage; admins and execs, every rep (execs then see pseudonyms)."""
    if scope.all_records or scope.aggregates_only:
        return [u for u in d.users if d.user_role.get(u) == "rep"]
    return [u for u in scope.owner_ids if d.user_role.get(u) == "rep"]


def group_key(q: CrmQuery, r: Rec, d: Directory) -> str:
    by = q.group_by
    value: str | None
    if by == "rep":
        value = d.users.get(r.owner_id or "")
    elif by == "team":
        value = d.teams.get(r.team_id or "")
    elif by == "manager":
        value = d.manager_of(r.owner_id)
    elif by in ("month", "quarter"):
        day = _group_date(q, r)
        value = None if day is None else (f"{day.year}-{day.month:02d}" if by == "month"
                                          else f"{day.year} Q{(day.month - 1) // 3 + 1}")
    else:
        value = getattr(r, by or "", None)
    return str(value) if value not in (None, "") else "none"


def _order(q: CrmQuery, rows: list[GroupRow]) -> list[GroupRow]:
    if q.group_by in ("month", "quarter") and q.order is None and q.limit is None:
        return sorted(rows, key=lambda g: g.group)
    sign = 1 if q.order == "asc" else -1
    return sorted(rows, key=lambda g: (g.value is None, sign * (g.value or 0.0), g.group))


def aggregate_policy(q: CrmQuery, scope: Scope, recs: list[Rec], rows: list[GroupRow]) -> tuple[list[GroupRow], list[str]]:
    """What an exec may see of an aggregate: refuse lists and narrow totals, suppress small groups."""
    if not scope.aggregates_only:
        return rows, []
    if q.metric == "list" or q.object in ("contacts",):
        raise PermissionDenied("execs see aggregates only, not individual records",
                               hint="ask for a count, total or rate, e.g. 'pipeline by team'")
    if q.compare and q.compare != ["me_vs_rest"] and q.group_by in PEOPLE:
        raise PermissionDenied("execs see aggregates, not a comparison of two named people",
                               hint="group by rep to see everyone's figures pseudonymized")
    if q.group_by in RECORD_LEVEL_GROUPS:
        raise PermissionDenied("execs see aggregates, not figures per account",
                               hint="group by team, product, stage or month instead")
    if 0 < len(recs) < scope.min_group_size:  # none at all reveals no one's figures: 'won from insurance: $0'
        raise PermissionDenied(f"that filter narrows the answer to fewer than {scope.min_group_size} records, "
                               "which would reveal individual figures", hint="widen the filter or group by team")
    kept = [g for g in rows if g.n >= scope.min_group_size]
    notes = []
    if len(kept) < len(rows):
        notes.append(f"{len(rows) - len(kept)} group(s) with fewer than {scope.min_group_size} records suppressed")
    if q.group_by in PEOPLE:
        kept = [g.model_copy(update={"group": scope.pseudonym(g.group)}) for g in kept]
        notes.append("people's names are pseudonymized in aggregate views")
    return kept, notes


def run_query(crm: CrmStore, scope: Scope, q: CrmQuery, *, today: date,
              directory: Directory | None = None, partial_note: Callable[[str], None] | None = None) -> CrmResult:
    """Answer ``q`` within ``scope``. Raises PermissionDenied / NotFound with a message for the asker."""
    d = directory or Directory.load(crm)
    if scope.aggregates_only and (q.metric == "list" or q.object == "contacts"):
        aggregate_policy(q, scope, [], [])
    resolved = resolve(q, scope, crm, d)
    recs = LOADERS[q.object](crm, scope, q, resolved, today)
    notes: list[str] = []
    value: float | None = None
    rows: list[GroupRow] = []
    records: list[RecordRow] = []
    if q.compare == ["me_vs_rest"]:
        rows = _me_vs_rest(crm, scope, q, d, today, recs)
    elif q.group_by:
        buckets: dict[str, list[Rec]] = defaultdict(list)
        for r in recs:
            buckets[group_key(q, r, d)].append(r)
        if q.compare:
            wanted = {c.strip().lower(): c for c in q.compare}
            buckets = {g: lst for g, lst in buckets.items() if g.lower() in wanted}
            for c in q.compare:
                if not any(g.lower() == c.strip().lower() for g in buckets):
                    buckets[c] = []
                    if not (scope.all_records or scope.aggregates_only):
                        notes.append(f"nothing you can see matches {c}: you see "
                                     f"{'your own' if scope.principal.role.value == 'rep' else 'your team' + chr(39) + 's'} "
                                     "records only")
        if q.include_empty and q.group_by == "rep" and not q.compare:
            for uid in _visible_people(scope, d):
                buckets.setdefault(d.users[uid], [])
        # 'which industry leads': deals with no industry on record are no industry, not the leader; and accounts
        # with no parent company are not a parent's group
        ranking = bool(q.limit or q.order) and not q.compare
        unknown = buckets.pop("none", []) if ranking or q.group_by == "parent" and not q.compare else []
        if unknown:
            notes.append(f"{len(unknown)} record(s) with no {q.group_by.replace('_', ' ')} on record are left out"
                         + (" of the ranking" if ranking else ""))
        rows = _order(q, [GroupRow(group=g, value=metric_value(q, lst), n=len(lst)) for g, lst in buckets.items()])
        rows = [g for g in rows if _kept(q, g.value) and g.n >= (q.min_records or 0)]
        value = metric_value(q, recs) if not (q.compare or q.value_min is not None or q.value_max is not None) else None
        if q.versus_window is not None:
            rows = _with_previous(crm, scope, q, d, today, rows)
            value = None
        if q.versus_all:
            value = _baseline(q, recs, rows)
            rows = [g for g in rows if q.versus_all == "both" or g.value is not None and value is not None
                    and (g.value > value if q.versus_all == "above" else g.value < value)]
    else:
        value = metric_value(q, recs)
    share: dict[str, float | int | None] = {}
    if q.share_of:
        whole_q = _whole_of(q)
        whole_recs = LOADERS[q.object](crm, scope, whole_q, resolve(whole_q, scope, crm, d), today)
        whole = metric_value(whole_q, whole_recs)
        share = {"part": value, "whole": whole, "whole_total": len(whole_recs)}
        value = round(value / whole, 4) if value is not None and whole else None
    rows, policy_notes = aggregate_policy(q, scope, recs, rows)
    notes += policy_notes
    if q.group_by and q.compare != ["me_vs_rest"] and (q.limit or q.rank):
        rows = rows[: max(q.limit or 0, q.rank or 0)]  # after suppression: an exec's 'top 3' is three groups to show
        rows = rows[q.rank - 1:] if q.rank else rows  # 'the second best rep': that one
    if q.metric == "list":
        records = _records(q, recs, d, today)
        records = records[q.rank - 1:q.rank] if q.rank else records
    missing = sum(1 for r in recs if r.amount is None)
    if missing and q.metric in ("sum", "pipeline", "avg", "discount"):
        notes.append(f"{missing} matching deal(s) have no amount (counted as 0, or left out of the average)")
    unpriced = sum(1 for r in recs if not r.list_price)
    if unpriced and q.metric in ("list_value", "discount"):
        notes.append(f"{unpriced} matching deal(s) have no product list price (counted as 0, or left out of the average)")
    limit = q.limit or 25
    return CrmResult(query=q, value=value, rows=rows, records=records[:limit], total=len(recs),
                     read_as=read_as(q, resolved.labels, scope), computed_as=computed_as(q, scope, len(recs)),
                     notes=notes, newest=max((r.updated_at for r in recs if r.updated_at), default=None),
                     unit=unit_of(q), labels=resolved.labels, **share)  # type: ignore[arg-type]


def _with_previous(crm: CrmStore, scope: Scope, q: CrmQuery, d: Directory, today: date,
                   rows: list[GroupRow]) -> list[GroupRow]:
    """Each group's figure over ``versus_window`` beside its own; with ``trend``, only those that rose (or fell),
    the biggest move first."""
    other = q.versus_window
    assert other is not None
    windows = [other if w.field == other.field else w for w in q.filters.windows]
    prev_q = q.model_copy(update={"versus_window": None, "trend": None, "limit": None, "rank": None, "order": None,
                                  "value_min": None, "value_max": None, "min_records": None,
                                  "filters": q.filters.model_copy(update={"windows": windows})})
    prev_recs = LOADERS[q.object](crm, scope, prev_q, resolve(prev_q, scope, crm, d), today)
    buckets: dict[str, list[Rec]] = defaultdict(list)
    for r in prev_recs:
        buckets[group_key(prev_q, r, d)].append(r)
    if scope.aggregates_only:  # an exec sees the other period's figure only over enough records to hide any one
        buckets = defaultdict(list, {k: v for k, v in buckets.items() if len(v) >= scope.min_group_size})
    none = 0.0 if q.metric in ADDITIVE and not scope.aggregates_only else None  # a rep who won nothing then had $0
    rows = [g.model_copy(update={"previous": metric_value(prev_q, buckets[g.group]) if g.group in buckets else none})
            for g in rows]
    if q.metric in ADDITIVE and not (q.limit or q.rank or scope.aggregates_only):  # none now: from its figure to 0
        rows += [GroupRow(group=k, value=0.0, n=0, previous=metric_value(prev_q, lst)) for k, lst in sorted(buckets.items())
                 if k != "none" and k not in {g.group for g in rows}]
    if q.trend:
        up = q.trend == "up"
        rows = [g for g in rows if g.value is not None and g.previous is not None
                and (g.value > g.previous if up else g.value < g.previous)]
        rows.sort(key=lambda g: (-(g.value - g.previous) if up else (g.value - g.previous), g.group))  # type: ignore[operator]
    return rows


def _whole_of(q: CrmQuery) -> CrmQuery:
    """A share's whole: the same query without the filters that pick the part."""
    reset = {k: CrmFilters.model_fields[k].get_default(call_default_factory=True) for k in q.share_of}
    return q.model_copy(update={"share_of": [], "filters": q.filters.model_copy(update=reset)})


def unit_of(q: CrmQuery) -> str:
    if q.share_of:
        return "percent"
    return {"sum": "money", "avg": "money", "pipeline": "money", "list_value": "money", "discount": "percent", "win_rate": "percent", "loss_rate": "percent", "cycle_length": "days",
            "last_touch": "date"}.get(q.metric, "count")


def _sort_key(q: CrmQuery, r: Rec) -> tuple:
    if q.order and q.sort_by == "created":  # 'my oldest open deals': created longest ago first
        day = r.created_on.toordinal() if r.created_on else 0
        return (r.created_on is None, day if q.order == "asc" else -day, r.name)
    if q.order:
        return (r.amount is None, (r.amount or 0) * (1 if q.order == "asc" else -1), r.name)
    if q.object in ("activities", "calls"):
        return (-(r.last_activity.timestamp() if r.last_activity else 0), r.name)
    if q.object == "deals":
        return (r.close_date is None, r.close_date or date.max, -(r.amount or 0), r.name)
    return (r.name,)


def _records(q: CrmQuery, recs: list[Rec], d: Directory, today: date) -> list[RecordRow]:
    def detail(r: Rec) -> dict:
        out = dict(r.extra or {})
        if q.sort_by == "created" and r.created_on:  # 'my oldest opp': when it was opened, and how long ago
            out.update(created=r.created_on.isoformat(), age_days=(today - r.created_on).days)
        if r.first_close and r.pushes:  # 'did it slip? the close date originally vs now'
            out["first_close"] = r.first_close.isoformat()
        if r.competitor and q.object == "deals":  # 'who are we up against on the X deal'
            out["competitor"] = r.competitor
        return out

    return [RecordRow(id=r.id, name=r.name, kind=q.object[:-1], account=r.account, owner=d.users.get(r.owner_id or ""),
                      stage=r.stage, amount=r.amount, close_date=r.close_date, next_step=r.next_step,
                      last_activity=r.last_activity.date() if r.last_activity else None, pushes=r.pushes,
                      detail=detail(r)) for r in sorted(recs, key=lambda r: _sort_key(q, r))]


def _me_vs_rest(crm: CrmStore, scope: Scope, q: CrmQuery, d: Directory, today: date, mine: list[Rec]) -> list[GroupRow]:
    """The asker's own figure against the rest of their team (an aggregate, minimum group size applies); a
    manager's "Sam's win rate vs the rest of the team" puts the rep named in the asker's place."""
    me = scope.principal
    subject, team, you, rest_label = me.user_id, me.team_id, "you", "rest of your team"
    named = resolve(q, scope, crm, d).owner_ids if q.filters.owner and not scope.aggregates_only else None
    if named and len(named) == 1 and (uid := next(iter(named))) != me.user_id:
        subject, team, you = uid, d.user_team.get(uid), d.users.get(uid, uid)
    if team is None:
        raise PermissionDenied("you are not in a team, so there is no 'rest' to compare with"
                               if subject == me.user_id else f"{you} is not in a team, so there is no 'rest' to compare with")
    team_scope = Scope(me, team_ids=frozenset({team}))  # a rep's rest: the team, as an aggregate
    peers = frozenset(u for u, m in d.user_manager.items() if m and m == d.user_manager.get(subject)
                      and d.user_role.get(u) == "rep")
    if subject == me.user_id and len(peers) > 1:  # where a team holds several managers' reps: the rep's own manager's
        team_scope = Scope(me, owner_ids=peers, owner_records_only=True)
    if subject != me.user_id and not scope.all_records:
        team_scope = scope  # a manager's rep against the rest of the manager's own people, not the whole office
    elif subject != me.user_id:
        rest_label = f"rest of {d.teams.get(team, 'the team')}"
    team_q = q.model_copy(update={"compare": [], "group_by": None})
    team_q.filters = q.filters.model_copy(update={"owner": None, "team": None})
    everyone = LOADERS[q.object](crm, team_scope, team_q, resolve(team_q, team_scope, crm, d), today)
    own = [r for r in everyone if r.owner_id == subject]
    rest = [r for r in everyone if r.owner_id != subject]
    rows = [GroupRow(group=you, value=metric_value(q, own), n=len(own))]
    if len(rest) < scope.min_group_size:
        raise PermissionDenied(f"the {rest_label} has fewer than {scope.min_group_size} matching records, "
                               "so comparing would reveal individual figures")
    rows.append(GroupRow(group=rest_label, value=metric_value(q, rest), n=len(rest)))
    return rows

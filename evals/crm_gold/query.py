"""``gold_answer``: the answer a composition must get, computed in pandas from docs/crm-query.md.

The result is a plain dict, one of four kinds:

- ``{"kind": "value", "value": number | "YYYY-MM-DD" | None, "n": records, "unscoped": ...}``
- ``{"kind": "rows", "rows": [{"group", "value", "n"}], "ordered": bool, "limit": N | None, ...}``
- ``{"kind": "records", "ids": [...], "keys": [...], "total": n, "ordered": bool, "limit": N | None}``
- ``{"kind": "refused", "reason": "list" | "person" | "narrow", "n": records}`` (execs only: lists and
  record look-ups, a person singled out by name, fewer than 3 matching records)

``unscoped`` (the same figure for an admin) lets the suite tell a leak (the answer counted records outside
the asker's scope) from an ordinary mistake.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from evals.crm_gold.data import CrmData
from evals.crm_gold.dates import month_label, quarter_label, window_bounds
from evals.crm_gold.filters import NotApplicable, effective_status, filter_mask
from evals.crm_gold.scope import MIN_GROUP, Asker, pseudonym, report_tree_ids, team_member_ids, visible

DEAL_METRICS = {"sum", "avg", "win_rate", "loss_rate", "pipeline", "cycle_length", "account_count"}
ZERO_WHEN_EMPTY = {"count", "sum", "pipeline", "activity_count", "account_count"}
PEOPLE = {"rep", "manager"}
GROUP_COLUMNS = {"rep": "owner_name", "team": "team_name", "manager": "manager_name", "product": "product_name",
                 "stage": "stage", "competitor": "competitor", "account": "account_name", "deal_type": "deal_type",
                 "forecast_category": "forecast_category", "loss_reason": "loss_reason"}


def _num(x: float | None) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 6)


def metric_value(crm: CrmData, obj: str, metric: str, df: pd.DataFrame) -> Any:
    """One figure over the matching rows ``df`` (already filtered and scoped)."""
    if metric in DEAL_METRICS and obj != "deals":
        raise NotApplicable(f"{metric} is computed over deals, not {obj}")
    if metric == "count":
        return len(df)
    if metric == "account_count":
        return int(df["account_id"].dropna().nunique())
    if metric == "sum":
        return _num(df["amount"].fillna(0).sum())
    if metric == "avg":
        have = df["amount"].dropna()
        return _num(have.mean()) if len(have) else None
    if metric == "win_rate":
        won, lost = int((df["status"] == "won").sum()), int((df["status"] == "lost").sum())
        return _num(won / (won + lost)) if won + lost else None
    if metric == "loss_rate":
        won, lost = int((df["status"] == "won").sum()), int((df["status"] == "lost").sum())
        return _num(lost / (won + lost)) if won + lost else None
    if metric == "pipeline":
        return _num(df.loc[df["status"] == "open", "amount"].fillna(0).sum())
    if metric == "cycle_length":
        won = df[df["status"].isin(["won", "lost"]) & df["created_on"].notna() & df["closed_on"].notna()]
        return _num((won["closed_on"] - won["created_on"]).dt.days.mean()) if len(won) else None
    if metric == "activity_count":
        key = {"deals": "deal_id", "accounts": "account_id"}.get(obj)
        if key is None:
            raise NotApplicable(f"activity_count applies to deals or accounts, not {obj}")
        return int(crm.activities[key].isin(set(df["id"])).sum())
    if metric == "last_touch":
        if obj not in ("deals", "accounts"):
            raise NotApplicable(f"last_touch applies to deals or accounts, not {obj}")
        last = df["last_activity"].max() if len(df) else None
        return None if last is None or pd.isna(last) else last.date().isoformat()
    raise NotApplicable(f"unknown metric {metric!r}")


def group_keys(obj: str, group_by: str, status: str | None, df: pd.DataFrame) -> pd.Series:
    """The group label of every row; empty values are grouped under "none"."""
    if group_by in ("month", "quarter"):
        if obj in ("activities", "calls"):
            col = "day"
        elif obj != "deals":
            raise NotApplicable(f"group by {group_by} applies to deals, activities and calls")
        else:
            col = {"open": "close_date", "any": "created_on"}.get(status or "", "closed_on")
        label = month_label if group_by == "month" else quarter_label
        return df[col].map(lambda d: "none" if pd.isna(d) else label(d.date()))
    col = GROUP_COLUMNS[group_by]
    if col not in df:
        raise NotApplicable(f"cannot group {obj} by {group_by}")
    return df[col].map(lambda v: "none" if v is None or pd.isna(v) or str(v).strip() == "" else str(v))


def grouped(crm: CrmData, obj: str, comp: dict[str, Any], status: str | None, df: pd.DataFrame,
            *, exec_view: bool) -> list[dict[str, Any]]:
    """Rows ``{"group", "value", "n"}`` (exec view: small groups dropped, people pseudonymized)."""
    by = comp["group_by"]
    keys = group_keys(obj, by, status, df)
    rows = []
    for key, part in df.groupby(keys, sort=True):
        if exec_view and len(part) < MIN_GROUP:
            continue
        label = pseudonym(str(key)) if exec_view and by in PEOPLE and key != "none" else str(key)
        rows.append({"group": label, "value": metric_value(crm, obj, comp["metric"], part), "n": len(part),
                     "key": str(key)})
    return rows


def _order(rows: list[dict[str, Any]], order: str | None, limit: int | None) -> list[dict[str, Any]]:
    if order is None and limit is None:
        return rows
    rows = [r for r in rows if r["key"] != "none"]  # a ranking leaves out the records with no group value
    desc = order != "asc"
    have = sorted((r for r in rows if r["value"] is not None), key=lambda r: r["group"])
    have.sort(key=lambda r: r["value"], reverse=desc)
    out = have + [r for r in rows if r["value"] is None]
    return out[:limit] if limit else out


def _records(obj: str, comp: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    order, limit = comp.get("order"), comp.get("limit")
    if obj == "deals":
        if order:
            part = df.sort_values(["amount", "id"], ascending=[order == "asc", True], na_position="last")
            keys = [_num(v) for v in part["amount"]]
        else:
            part = df.sort_values(["close_date", "amount", "id"], ascending=[True, False, True], na_position="last")
            keys = [None] * len(part)
    elif obj in ("activities", "calls"):
        part = df.sort_values(["occurred_at", "id"], ascending=[False, True])
        keys = [None] * len(part)
    else:
        part = df.sort_values(["name", "id"])
        keys = [None] * len(part)
    ids = [str(i) for i in part["id"]]
    return {"kind": "records", "ids": ids, "keys": keys, "total": len(ids), "ordered": bool(order),
            "limit": limit}


def _me_vs_rest(crm: CrmData, obj: str, comp: dict[str, Any], status: str | None, mask: pd.Series,
                asker: Asker) -> dict[str, Any]:
    """The asker's own figure against the rest of their team's (aggregate only, so not scoped to the rep). Where the
    asker's manager has other reps, the team is that manager's reps (a team may hold several managers' reps)."""
    df = crm.table(obj)
    users = crm.table("users")
    boss = users.loc[users["id"] == asker.user_id, "manager_id"]
    boss_id = boss.iloc[0] if len(boss) and isinstance(boss.iloc[0], str) and boss.iloc[0] else None
    peers = set(users.loc[(users["manager_id"] == boss_id) & (users["role"] == "rep"), "id"]) if boss_id else set()
    mine = df[mask & (df["owner_id"] == asker.user_id)]
    if len(peers) > 1:
        rest = df[mask & df["owner_id"].isin(peers - {asker.user_id})]
    else:
        rest = df[mask & (df["team_id"] == asker.team_id) & (df["owner_id"] != asker.user_id)]
    rows = [{"group": g, "key": g, "value": metric_value(crm, obj, comp["metric"], part), "n": len(part)}
            for g, part in (("me", mine), ("rest", rest))]
    return {"kind": "rows", "rows": rows, "ordered": False, "limit": None, "compare": ["me_vs_rest"]}


def _compare_rows(rows: list[dict[str, Any]], compare: list[str], metric: str, by: str,
                  exec_view: bool) -> list[dict[str, Any]]:
    """The two compared groups in the asked order; an empty one is 0 (or None for rates and means); in an
    exec's view a group under the minimum size keeps its row with ``value`` None and ``suppressed``."""
    by_key = {r["key"].lower(): r for r in rows}
    out = []
    for want in compare:
        row = dict(by_key.get(want.strip().lower()) or {
            "group": want, "key": want, "value": 0 if metric in ZERO_WHEN_EMPTY else None, "n": 0})
        if exec_view:
            if by in PEOPLE and row["key"] != "none":
                row["group"] = pseudonym(row["key"])
            if row["n"] < MIN_GROUP:
                row.update(value=None, suppressed=True)
        out.append(row)
    return out


def names_person(comp: dict[str, Any]) -> bool:
    """Does the query single out people by name (owner, manager, or two reps/managers compared)?

    For execs this is refused: names are pseudonymized in their answers, and a figure for a person the
    exec named would undo that.
    """
    f = comp.get("filters") or {}
    return bool(f.get("owner") or f.get("manager")) or bool(
        comp.get("compare") and comp["compare"] != ["me_vs_rest"] and comp.get("group_by") in PEOPLE)


def _names_unseen_person(crm: CrmData, comp: dict[str, Any], asker: Asker) -> bool:
    """The query names a person (owner or manager) whose records the asker may not see."""
    f = comp.get("filters") or {}
    names = [n for n in (f.get("owner"), f.get("manager")) if n and str(n).lower() not in ("me", "mine")]
    if not names or asker.role in ("admin", "exec"):
        return False
    ids = set(crm.users.loc[crm.users["name"].str.lower().isin([str(n).lower() for n in names]), "id"])
    tree = report_tree_ids(crm, asker.user_id) if asker.role == "manager" else set()
    allowed = {asker.user_id} | (tree or (team_member_ids(crm, asker.team_id) if asker.role == "manager" else set()))
    return bool(ids - allowed)


def gold_answer(crm: CrmData, comp: dict[str, Any], asker: Asker, today: date) -> dict[str, Any]:
    """The gold answer of one composition for one asker on ``today``."""
    obj, metric = comp.get("object", "deals"), comp.get("metric", "list")
    status = effective_status(comp) if obj == "deals" else None
    df = crm.table(obj)
    mask = filter_mask(crm, obj, comp, asker, today)
    info: dict[str, Any] = {"status": status, "windows": [
        {"field": w["field"], **{k: v.isoformat() if v else None
                                 for k, v in zip(("start", "end"), window_bounds(w, today), strict=True)}}
        for w in (comp.get("filters") or {}).get("windows") or []]}
    compare = comp.get("compare") or []
    if compare == ["me_vs_rest"]:
        return {**_me_vs_rest(crm, obj, comp, status, mask, asker), **info}
    scoped = mask & visible(crm, asker, obj)
    hit, everything = df[scoped], df[mask]
    by = comp.get("group_by")
    if compare and by:
        in_pair = group_keys(obj, by, status, hit).str.lower().isin([c.strip().lower() for c in compare])
        hit = hit[in_pair]
    if asker.aggregates_only:
        reason = "list" if metric == "list" else "person" if names_person(comp) else (
            "narrow" if 0 < len(hit) < MIN_GROUP else None)
        if reason:
            hidden = None if metric == "list" or by else metric_value(crm, obj, metric, hit)
            return {"kind": "refused", "reason": reason, "n": len(hit), "hidden": hidden, **info}
    # the filters matched records, but none the asker may see: a refusal that says so is as good as "none"
    info["scoped_out"] = len(hit) == 0 and (bool(mask.any()) or _names_unseen_person(crm, comp, asker))
    if metric == "list":
        return {**_records(obj, comp, hit), **info}
    if by:
        if compare:
            rows = _compare_rows(grouped(crm, obj, comp, status, hit, exec_view=False), compare, metric, by,
                                 asker.aggregates_only)
            return {"kind": "rows", "rows": rows, "ordered": False, "limit": None, "compare": compare, **info}
        rows = grouped(crm, obj, comp, status, hit, exec_view=asker.aggregates_only)
        ranked = _order(rows, comp.get("order"), None if comp.get("order") is None and comp.get("limit") is None
                        else len(rows))
        unscoped = grouped(crm, obj, comp, status, everything, exec_view=False)
        out = {"kind": "rows", "rows": ranked[:comp["limit"]] if comp.get("limit") else ranked,
               "ordered": bool(comp.get("order") or comp.get("limit")), "limit": comp.get("limit"),
               "unscoped_rows": unscoped, **info}
        if comp.get("limit"):
            out["ranked"] = ranked  # every group in order, so a tie at the cut-off can be accepted
        return out
    return {"kind": "value", "value": metric_value(crm, obj, metric, hit), "n": len(hit),
            "unscoped": metric_value(crm, obj, metric, everything), **info}

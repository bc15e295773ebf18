"""The CRM as pandas DataFrames, read straight from the database (no engine or ORM code).

Table and column names follow knowledge/crm/models.py, read by hand; nothing of the product is imported,
so a bug in the engine's SQL cannot be copied into the gold answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import create_engine, inspect, text

COLUMNS = {
    "users": "id, name, email, role, team_id, manager_id, active",
    "teams": "id, name, manager_id",
    "accounts": "id, name, owner_id, team_id, created_at, region, sector",
    "contacts": "id, account_id, name, email, title, buying_role",
    "products": "id, name, series, list_price",
    "deals": ("id, name, account_id, owner_id, team_id, product_id, stage, amount, deal_type, created_on, "
              "close_date, closed_on, next_step, next_step_date, forecast_category, competitor"),
    "stage_changes": "id, deal_id, changed_on, from_stage, to_stage, amount, close_date",
    "activities": "id, kind, account_id, deal_id, owner_id, team_id, occurred_at",
    "calls": "id, title, account_id, deal_id, owner_id, team_id, occurred_at",
}
DATES = {
    "accounts": ["created_at"],
    "deals": ["created_on", "close_date", "closed_on", "next_step_date"],
    "stage_changes": ["changed_on", "close_date"],
    "activities": ["occurred_at"],
    "calls": ["occurred_at"],
}
DEMO_RUN_PREFIX = "demo:"  # the demo company records its build as an import run from "demo:<name>"


def day(value: object) -> pd.Timestamp:
    """A date (or ISO string) as a midnight Timestamp, the unit every date column is compared in."""
    return pd.Timestamp(value).normalize()


@dataclass
class CrmData:
    """Every CRM table as a DataFrame, plus the derived columns the query contract talks about."""

    users: pd.DataFrame
    teams: pd.DataFrame
    accounts: pd.DataFrame
    contacts: pd.DataFrame
    products: pd.DataFrame
    deals: pd.DataFrame
    stage_changes: pd.DataFrame
    activities: pd.DataFrame
    calls: pd.DataFrame
    anchor: date | None = None  # the demo company's build date, when this is the demo

    def table(self, obj: str) -> pd.DataFrame:
        return getattr(self, obj)

    def user_ids(self, name: str) -> set[str]:
        """Users whose name, id or email is ``name`` (case-insensitive)."""
        low = name.strip().lower()
        u = self.users
        hit = (u["name"].str.lower() == low) | (u["id"].str.lower() == low) | (u["email"].fillna("").str.lower() == low)
        return set(u.loc[hit, "id"])

    def team_ids(self, name: str) -> set[str]:
        low = name.strip().lower()
        t = self.teams
        return set(t.loc[(t["name"].str.lower() == low) | (t["id"].str.lower() == low), "id"])


def _read(con, table: str, have: set[str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    cols = [c.strip() for c in COLUMNS[table].split(",")]
    if table not in have:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.read_sql(text(f"SELECT {', '.join(cols)} FROM {table}"), con)
    for c in DATES.get(table, []):
        df[c] = pd.to_datetime(df[c], errors="coerce", format="mixed")
        if table != "activities" and table != "calls":
            df[c] = df[c].dt.normalize()
    for c in cols:
        if c not in DATES.get(table, []) and c not in ("amount", "list_price", "active"):
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def _entered_stage(deals: pd.DataFrame, changes: pd.DataFrame) -> pd.Series:
    """Per deal: the day it entered its current stage (latest history row into that stage, else created_on)."""
    into = changes.merge(deals[["id", "stage"]].rename(columns={"id": "deal_id"}), on="deal_id")
    into = into[into["to_stage"] == into["stage"]]
    latest = into.groupby("deal_id")["changed_on"].max()
    entered = deals["id"].map(latest)
    return entered.where(entered.notna(), deals["created_on"])


def _pushes(changes: pd.DataFrame) -> pd.Series:
    """Per deal: how many history rows moved the close date later than the previous non-empty one."""
    out: dict[str, int] = {}
    rows = changes.sort_values(["deal_id", "changed_on", "id"])
    for deal_id, grp in rows.groupby("deal_id", sort=False):
        prev, n = None, 0
        for cd in grp["close_date"]:
            if pd.isna(cd):
                continue
            if prev is not None and cd > prev:
                n += 1
            prev = cd
        out[str(deal_id)] = n
    return pd.Series(out, dtype="int64")


def _anchor(con, have: set[str]) -> date | None:  # type: ignore[no-untyped-def]
    if "import_runs" not in have:
        return None
    row = con.execute(text("SELECT report FROM import_runs WHERE source LIKE :s ORDER BY id LIMIT 1"),
                      {"s": DEMO_RUN_PREFIX + "%"}).first()
    if row is None:
        return None
    report = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return date.fromisoformat(report["anchor"]) if report.get("anchor") else None


def load_crm(url: str) -> CrmData:
    """Read the CRM at a SQLAlchemy URL (``sqlite:///home/crm.db``) into DataFrames."""
    engine = create_engine(url)
    try:
        with engine.connect() as con:
            have = set(inspect(con).get_table_names())
            frames = {t: _read(con, t, have) for t in COLUMNS}
            anchor = _anchor(con, have)
    finally:
        engine.dispose()
    data = CrmData(**frames, anchor=anchor)
    return derive(data) if len(data.deals) else data  # a CRM never imported into has nothing to derive


def _dates(keys: pd.Series, by_key: pd.Series) -> pd.Series:
    lookup = {k: v for k, v in by_key.items() if k is not None and not pd.isna(v)}
    return pd.to_datetime(pd.Series([lookup.get(k) for k in keys], index=keys.index, dtype=object))


def derive(crm: CrmData) -> CrmData:
    """Add the names and dates the contract groups and filters on (owner, team, manager, last activity...)."""
    users = crm.users.set_index("id")
    names = users["name"]
    team_names = crm.teams.set_index("id")["name"]
    manager_of = users["manager_id"]
    last_by_deal = crm.activities.groupby("deal_id")["occurred_at"].max().dt.normalize()
    last_by_account = crm.activities.groupby("account_id")["occurred_at"].max().dt.normalize()

    d = crm.deals.copy()
    d["status"] = d["stage"].map({"closed_won": "won", "closed_lost": "lost"}).fillna("open")
    d["owner_name"] = d["owner_id"].map(names)
    d["team_name"] = d["team_id"].map(team_names)
    d["manager_id"] = d["owner_id"].map(manager_of)
    d["manager_name"] = d["manager_id"].map(names)
    d["product_name"] = d["product_id"].map(crm.products.set_index("id")["name"])
    d["account_name"] = d["account_id"].map(crm.accounts.set_index("id")["name"])
    d["last_activity"] = _dates(d["id"], last_by_deal)
    d["pushes"] = d["id"].map(_pushes(crm.stage_changes)).fillna(0).astype(int)
    d["has_next_step"] = d["next_step"].fillna("").astype(str).str.strip() != ""
    d["entered_stage"] = pd.to_datetime(_entered_stage(d, crm.stage_changes), errors="coerce")
    crm.deals = d

    a = crm.accounts.copy()
    a["owner_name"] = a["owner_id"].map(names)
    a["team_name"] = a["team_id"].map(team_names)
    a["manager_id"] = a["owner_id"].map(manager_of)
    a["manager_name"] = a["manager_id"].map(names)
    a["account_name"] = a["name"]
    a["last_activity"] = _dates(a["id"], last_by_account)
    crm.accounts = a

    acc = a.set_index("id")
    c = crm.contacts.copy()
    c["owner_id"] = c["account_id"].map(acc["owner_id"])
    c["team_id"] = c["account_id"].map(acc["team_id"])
    c["owner_name"] = c["owner_id"].map(names)
    c["team_name"] = c["team_id"].map(team_names)
    c["account_name"] = c["account_id"].map(acc["name"])
    crm.contacts = c

    for key in ("activities", "calls"):
        t = crm.table(key).copy()
        t["owner_name"] = t["owner_id"].map(names)
        t["team_name"] = t["team_id"].map(team_names)
        t["manager_id"] = t["owner_id"].map(manager_of)
        t["manager_name"] = t["manager_id"].map(names)
        t["account_name"] = t["account_id"].map(acc["name"])
        t["day"] = t["occurred_at"].dt.normalize()
        setattr(crm, key, t)
    return crm

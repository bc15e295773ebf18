"""Turn parsed export rows into upsert plans: ids, references between records, derived fields.

Matching order for people: email, then full name (case-insensitive); for teams, products and accounts:
id, then name. A match with a record of another source is *adopted*: reused, never duplicated, only its
empty fields filled. Derivations: a team's manager is the manager of most of its reps; a deal's team is
its owner's team; an account's owner is the rep with most of its deals in the export (ties: name order)
and its team is that rep's team; an account with a won deal is a customer (rule ``customer_if_won``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select

from knowledge.crm.import_fields import FileRow
from knowledge.crm.import_report import ImportReport
from knowledge.crm.mapping import Mapping
from knowledge.crm.models import Account, Deal, Product, Team, User
from knowledge.crm.normalize import key, make_id, name_key
from knowledge.crm.store import CrmStore
from knowledge.crm.upsert import Plan

_MANAGERISH = {"manager", "exec", "admin"}


class Resolver:
    def __init__(self, mp: Mapping, report: ImportReport) -> None:
        self.mp, self.report, self.src = mp, report, mp.source
        self.teams, self.users = Plan(Team), Plan(User)
        self.products, self.accounts, self.deals = Plan(Product), Plan(Account), Plan(Deal)
        self.team_by_name: dict[str, str] = {}
        self.user_by_email: dict[str, str] = {}
        self.user_by_name: dict[str, str] = {}
        self.user_team: dict[str, str | None] = {}
        self.user_name: dict[str, str] = {}
        self.product_by_name: dict[str, str] = {}
        self.price: dict[str, float | None] = {}
        self.account_by_name: dict[str, str] = {}
        self.stored: set[str] = set()  # ids already in the store
        self.deal_counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.won_accounts: set[str] = set()

    @classmethod
    def load(cls, store: CrmStore, mp: Mapping, report: ImportReport) -> Resolver:
        r = cls(mp, report)
        with store.session() as s:
            for tid, name in s.execute(select(Team.id, Team.name)):
                r.team_by_name.setdefault(name_key(name), tid)
                r.stored.add(tid)
            for uid, name, email, team_id in s.execute(select(User.id, User.name, User.email, User.team_id)):
                r.user_by_name.setdefault(name_key(name), uid)
                if email:
                    r.user_by_email.setdefault(email.lower(), uid)
                r.user_team[uid], r.user_name[uid] = team_id, name
                r.stored.add(uid)
            for pid, name, price in s.execute(select(Product.id, Product.name, Product.list_price)):
                r.product_by_name.setdefault(key(name), pid)
                r.price[pid] = price
            for aid, name in s.execute(select(Account.id, Account.name)):
                r.account_by_name.setdefault(name_key(name), aid)
                r.stored.add(aid)
        return r

    def _adopted(self, rid: str) -> bool:
        return rid in self.stored and not rid.startswith(f"{self.src}:")

    # -- people and teams ---------------------------------------------------------------------------
    def team(self, name: str | None) -> str | None:
        if not name:
            return None
        tid = self.team_by_name.get(name_key(name))
        if tid is None:
            tid = make_id(self.src, "team", name, from_name=True)
            self.team_by_name[name_key(name)] = tid
        self.teams.put(tid, {"name": name, "source": self.src}, adopted=self._adopted(tid))
        return tid

    def user(self, name: str | None, email: str | None, *, role: str = "rep", team_id: str | None = None,
             manager_id: str | None = None, title: str | None = None) -> str | None:
        if not name and not email:
            return None
        email = email.lower() if email else None
        uid = (self.user_by_email.get(email) if email else None) or (self.user_by_name.get(name_key(name)) if name else None)
        if uid is None:
            uid = make_id(self.src, "user", name or (email or "").split("@")[0], from_name=True)
        if name:
            self.user_by_name.setdefault(name_key(name), uid)
        if email:
            self.user_by_email.setdefault(email, uid)
        planned = self.users.rows.get(uid, {})
        if role == "rep" and planned.get("role") in _MANAGERISH:
            role = planned["role"]
        self.users.put(uid, {"name": name or self.user_name.get(uid) or email, "email": email, "role": role,
                             "team_id": team_id, "manager_id": manager_id, "title": title, "source": self.src},
                       adopted=self._adopted(uid))
        if not (self._adopted(uid) and self.user_team.get(uid)) and (team_id or uid not in self.user_team):
            self.user_team[uid] = team_id
        self.user_name.setdefault(uid, name or email or uid)
        return uid

    def add_people(self, rows: list[FileRow]) -> None:
        reps_of: dict[str, Counter[str]] = defaultdict(Counter)
        for row in rows:
            f = row.fields
            team_id = self.team(f.get("team"))
            manager_id = self.user(f.get("manager"), f.get("manager_email"), role="manager", team_id=team_id)
            self.user(f["name"], f.get("email"), role=f.get("role") or "rep", team_id=team_id,
                      manager_id=manager_id, title=f.get("title"))
            if team_id and manager_id:
                reps_of[team_id][manager_id] += 1
        for team_id, counts in reps_of.items():
            self.teams.put(team_id, {"manager_id": counts.most_common(1)[0][0]}, adopted=self._adopted(team_id))

    # -- products and accounts ----------------------------------------------------------------------
    def add_products(self, rows: list[FileRow]) -> None:
        for row in rows:
            f = row.fields
            pid = self.product_by_name.get(key(f["name"])) or make_id(self.src, "product", row.external_id or f["name"], from_name=not row.external_id)
            if pid in self.products.rows:
                self.report.fix("duplicate_id", row.where, f"product {f['name']} listed twice; later row kept")
            self.product_by_name[key(f["name"])] = pid
            self.products.put(pid, {**f, "source": self.src}, adopted=self._adopted(pid))
            self.price[pid] = f.get("list_price") if f.get("list_price") is not None else self.price.get(pid)

    def account(self, name: str) -> tuple[str, bool]:
        """Id of the account with this name, and whether it is new to this import and the store."""
        aid = self.account_by_name.get(name_key(name))
        if aid is not None:
            return aid, False
        aid = make_id(self.src, "account", name, from_name=True)
        self.account_by_name[name_key(name)] = aid
        return aid, aid not in self.stored

    def add_accounts(self, rows: list[FileRow], *, has_file: bool) -> None:
        for row in rows:
            f = dict(row.fields)
            owner, owner_email = f.pop("owner", None), f.pop("owner_email", None)
            aid = self.account_by_name.get(name_key(f["name"])) or make_id(self.src, "account", row.external_id or f["name"], from_name=not row.external_id)
            if aid in self.accounts.rows:
                self.report.fix("duplicate_id", row.where, f"account {f['name']} listed twice; later row kept")
            self.account_by_name[name_key(f["name"])] = aid
            values: dict[str, Any] = {**f, "source": self.src}
            if self.mp.rules.account_owner == "column" and (owner or owner_email):
                uid = self.user(owner, owner_email)
                values.update(owner_id=uid, team_id=self.user_team.get(uid or ""))
            self.accounts.put(aid, values, adopted=self._adopted(aid))

    # -- deals ----------------------------------------------------------------------------------------
    def add_deals(self, rows: list[FileRow], *, has_people: bool, has_accounts: bool) -> None:
        rules, fix = self.mp.rules, self.report.fix
        for row in rows:
            f, where = row.fields, row.where
            did = make_id(self.src, "deal", row.external_id or "")
            if did in self.deals.rows:
                fix("duplicate_id", where, f"deal {row.external_id} appears again; this row kept")
            stage = f["stage"]
            account_id = None
            if f.get("account"):
                account_id, created = self.account(f["account"])
                if created:
                    self.accounts.put(account_id, {"name": f["account"], "source": self.src})
                    if has_accounts:
                        fix("account_created_from_deal", where, f"account {f['account']!r} not in the accounts file")
            else:
                fix("deal_without_account", where, f"{stage} deal {row.external_id} kept with no account")
            owner_id = None
            if f.get("owner") or f.get("owner_email"):
                known = (f.get("owner_email") or "").lower() in self.user_by_email or name_key(f.get("owner") or "") in self.user_by_name
                owner_id = self.user(f.get("owner"), f.get("owner_email"), team_id=self.team(f.get("owner_team")))
                if not known and has_people:
                    fix("user_created_from_deal", where, f"owner {f.get('owner') or f.get('owner_email')!r} created as a rep")
            product_id = None
            if f.get("product"):
                product_id = self.product_by_name.get(key(f["product"]))
                if product_id is None:
                    fix("product_unknown", where, f"product {f['product']!r} not in the product list")
            amount = f.get("amount")
            if amount == 0 and rules.zero_amount_is_missing and stage != "closed_won":
                amount = None
            if amount is None:
                price = self.price.get(product_id or "")
                if rules.amount_fallback == "list_price" and price is not None:
                    amount = price
                    fix("amount_from_list_price", where, f"{stage} deal {row.external_id}: {f.get('product')} list price {price:g}")
                else:
                    fix("amount_missing", where, f"{stage} deal {row.external_id} has no amount; kept NULL")
            closed = stage in ("closed_won", "closed_lost")
            if f.get("close_date") is None:
                fix("closed_without_close_date" if closed else "close_date_missing", where,
                    f"{stage} deal {row.external_id} has no close date")
            if f.get("created_on") is None and "created_on" in self.mp.files["deals"].fields:
                fix("created_on_missing", where, f"{stage} deal {row.external_id} has no created date")
            values = {k: v for k, v in f.items() if k not in ("account", "owner", "owner_email", "owner_team", "product")}
            values.update(account_id=account_id, owner_id=owner_id, team_id=self.user_team.get(owner_id or ""),
                          product_id=product_id, amount=amount, source=self.src,
                          closed_on=f.get("close_date") if closed else None)
            self.deals.rows.pop(did, None)
            self.deals.put(did, values)
            if account_id:
                if owner_id:
                    self.deal_counts[account_id][owner_id] += 1
                if stage == "closed_won":
                    self.won_accounts.add(account_id)

    def derive_account_owners(self) -> None:
        for aid in set(self.deal_counts) | self.won_accounts:
            values: dict[str, Any] = {}
            counts = self.deal_counts.get(aid)
            if counts and self.mp.rules.account_owner == "most_deals":
                owner = min(counts, key=lambda uid: (-counts[uid], self.user_name.get(uid, uid)))
                values.update(owner_id=owner, team_id=self.user_team.get(owner))
            if self.mp.rules.customer_if_won and aid in self.won_accounts:
                values["is_customer"] = True
            if values:
                self.accounts.put(aid, values, adopted=self._adopted(aid))

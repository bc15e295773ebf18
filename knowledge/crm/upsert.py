"""Bulk upsert of import rows by id: insert the new, update only what changed, count the rest.

Two kinds of target rows: *own* rows (same id: this source created them) are brought up to date with
the export; *adopted* rows (an existing record matched by name or email, created elsewhere) only get
their empty fields filled, so an import never overwrites what another source or a person entered. A
``None`` in the export never erases a stored value. Each batch is one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from copilot.core.errors import UserError
from knowledge.crm.import_report import ImportReport
from knowledge.crm.models import Account, Deal, Product, StageChange, Team, User
from knowledge.crm.store import CrmStore

# Values for non-nullable columns when a row is created without them.
CREATE_DEFAULTS: dict[type, dict[str, Any]] = {
    Team: {"manager_id": None},
    User: {"active": True, "email": None, "team_id": None, "manager_id": None, "title": None},
    Product: {"series": None, "list_price": None},
    Account: {"is_customer": False},
    Deal: {"currency": "USD", "deal_type": "new"},
}
ENTITY: dict[type, str] = {Team: "teams", User: "users", Product: "products", Account: "accounts", Deal: "deals"}


@dataclass
class Plan:
    """Desired state of one table: id -> field values; ``adopted`` ids are fill-only."""

    model: type
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    adopted: set[str] = field(default_factory=set)

    def put(self, rid: str, values: dict[str, Any], *, adopted: bool = False) -> None:
        current = self.rows.setdefault(rid, {})
        current.update({k: v for k, v in values.items() if v is not None or k not in current})
        if adopted:
            self.adopted.add(rid)


@dataclass
class DealChange:
    deal_id: str
    from_stage: str | None
    to_stage: str
    amount: float | None
    close_date: date | None
    changed_on: date


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def apply(
    store: CrmStore,
    plan: Plan,
    report: ImportReport,
    *,
    now: datetime,
    batch_size: int = 2000,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[DealChange]:
    """Write the plan; returns the stage/amount/close-date changes of deals (for their history).

    A conflict with stored data (a unique email or product name taken by another record) stops the import
    with a UserError; batches already written stay (they are complete, consistent rows)."""
    try:
        return _apply(store, plan, report, now=now, batch_size=batch_size, progress=progress)
    except IntegrityError as exc:
        detail = str(exc.orig) if exc.orig is not None else str(exc).splitlines()[0]
        raise UserError(f"importing {ENTITY[plan.model]} conflicts with stored data: {detail}",
                        hint="an email or name in the export belongs to another record; fix the export or that record") from None


def _apply(
    store: CrmStore,
    plan: Plan,
    report: ImportReport,
    *,
    now: datetime,
    batch_size: int = 2000,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[DealChange]:
    model, entity = plan.model, ENTITY[plan.model]
    table = model.__table__  # type: ignore[attr-defined]
    has_updated_at = "updated_at" in table.c
    ids = list(plan.rows)
    changes: list[DealChange] = []
    done = 0
    for chunk in _chunks(ids, batch_size):
        cols = sorted({c for rid in chunk for c in plan.rows[rid]} | {"id"})
        if model is Deal:
            cols = sorted(set(cols) | {"stage", "amount", "close_date"})
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        with store.session() as s:
            existing = {r.id: r for r in s.execute(select(*[table.c[c] for c in cols]).where(table.c.id.in_(chunk)))}
            for rid in chunk:
                want = plan.rows[rid]
                old = existing.get(rid)
                if old is None:
                    row = {**CREATE_DEFAULTS.get(model, {}), **{k: v for k, v in want.items() if v is not None}, "id": rid}
                    if has_updated_at and row.get("updated_at") is None:
                        row["updated_at"] = now
                    new_rows.append(row)
                    if model is Deal:
                        on = row.get("closed_on") or row.get("created_on") or now.date()
                        changes.append(DealChange(rid, None, row["stage"], row.get("amount"), row.get("close_date"), on))
                    continue
                fill_only = rid in plan.adopted
                diff = {
                    k: v for k, v in want.items()
                    if v is not None and k != "id" and getattr(old, k) != v and not (fill_only and getattr(old, k) is not None)
                }
                if not diff:
                    report.count(entity, "unchanged")
                    continue
                if has_updated_at and "updated_at" not in want:
                    diff["updated_at"] = now
                updates.append({"id": rid, **diff})
                report.count(entity, "updated")
                if model is Deal and ({"stage", "amount", "close_date"} & diff.keys()):
                    changes.append(DealChange(rid, old.stage, diff.get("stage", old.stage),
                                              diff.get("amount", old.amount), diff.get("close_date", old.close_date),
                                              now.date()))
            if new_rows:
                keys = sorted({k for r in new_rows for k in r})
                defaults = CREATE_DEFAULTS.get(model, {})
                s.execute(table.insert(), [{k: r.get(k, defaults.get(k)) for k in keys} for r in new_rows])
                report.count(entity, "created", len(new_rows))
            for group in _group_by_keys(updates):
                s.execute(update(model), group)
        done += len(chunk)
        if progress:
            progress(f"writing {entity}", done, len(ids))
    report.count(entity, "created", 0)
    return changes


def _group_by_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(r)), []).append(r)
    return list(groups.values())


def record_history(store: CrmStore, changes: list[DealChange], *, changed_by: str, batch_size: int = 5000) -> None:
    """Append one StageChange per created deal and per change of stage, amount or close date."""
    for chunk in _chunks(changes, batch_size):
        with store.session() as s:
            s.execute(StageChange.__table__.insert(), [  # type: ignore[attr-defined]
                {"deal_id": c.deal_id, "changed_on": c.changed_on, "from_stage": c.from_stage, "to_stage": c.to_stage,
                 "amount": c.amount, "close_date": c.close_date, "changed_by": changed_by}
                for c in chunk
            ])

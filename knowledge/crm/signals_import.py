"""Import customer-health signals (weekly usage, support tickets, marketing touches) through a declarative
mapping, the same way CRM exports come in:

    report = import_signals(store, Path("exports/health"), "generic")

Each row names its account by id, CRM id, name or web domain; a row whose account is unknown, or whose cell
does not parse, is an error with file:line and the rest lands. Usage is keyed by (account, week): a week
imported again replaces the stored one. Tickets and touches are keyed by their id in the source, so
re-importing the same files changes nothing. The run is stored as an ``ImportRun`` with its report.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, tuple_

from copilot.core.errors import NotFound, UserError
from knowledge.crm.export_reader import Record, read_records, resolve_columns
from knowledge.crm.health_models import MarketingTouch, SupportTicket, UsageWeek
from knowledge.crm.import_report import ImportReport
from knowledge.crm.models import Account, Contact, ImportRun
from knowledge.crm.normalize import clean, key, make_id, parse_date, parse_datetime, parse_int
from knowledge.crm.signals_mapping import (
    SEVERITIES,
    SIGNAL_FIELDS,
    TOUCH_KINDS,
    SignalMapping,
    load_signal_mapping,
)
from knowledge.crm.store import CrmStore

ORDER = ("usage", "tickets", "touches")


class _Row(ValueError):
    pass


def _locate(path: Path, mp: SignalMapping) -> dict[str, Path]:
    if not path.exists():
        raise NotFound(f"{path} does not exist", hint="give the export folder or one of its files")
    folder = path if path.is_dir() else path.parent
    found: dict[str, Path] = {}
    for kind, spec in mp.files.items():
        match = next((p for pat in spec.path for p in sorted(folder.glob(pat)) if p.is_file()
                      and (path.is_dir() or p == path)), None)
        if match is not None:
            found[kind] = match
        elif spec.required:
            raise UserError(f"{folder} has no {kind} file for signals mapping {mp.name}",
                            hint=f"expected {' or '.join(spec.path)}")
    if not found:
        raise UserError(f"{path} holds none of the files signals mapping {mp.name} reads",
                        hint="; ".join(f"{k}: {' or '.join(s.path)}" for k, s in mp.files.items()))
    return found


class _Accounts:
    """Resolve an account reference: id, ``<source>:account:<ref>``, name or domain (loose keys)."""

    def __init__(self, store: CrmStore, source: str) -> None:
        self.source = source
        with store.session() as s:
            rows = list(s.execute(select(Account.id, Account.name, Account.domain)))
            self.contacts = {(a, (e or "").lower()): c for c, a, e in s.execute(
                select(Contact.id, Contact.account_id, Contact.email)) if e}
        self.ids = {r[0] for r in rows}
        self.by_key = {key(n): i for i, n, _ in rows if n}
        self.by_key.update({key(d): i for i, _, d in rows if d})

    def find(self, ref: str) -> str | None:
        if ref in self.ids:
            return ref
        prefixed = f"{self.source}:account:{ref}"
        return prefixed if prefixed in self.ids else self.by_key.get(key(ref))


def _parse(kind: str, rec: Record, mp: SignalMapping, columns: dict[str, str | None],
           accounts: _Accounts) -> dict[str, Any]:
    spec = mp.files[kind]  # type: ignore[index]
    out: dict[str, Any] = {}
    for fname, fspec in spec.fields.items():
        raw = clean(rec.values.get(columns.get(fspec.column or "") or "")) if fspec.column else None
        if raw is None and fspec.default is not None:
            raw = str(fspec.default)
        if raw is None:
            out[fname] = None
            continue
        ftype = SIGNAL_FIELDS[kind][fname]
        try:
            if ftype == "int":
                out[fname] = parse_int(raw)
            elif ftype == "date":
                out[fname] = parse_date(raw, mp.date_formats + mp.datetime_formats)
            elif ftype == "datetime":
                out[fname] = parse_datetime(raw, mp.datetime_formats + mp.date_formats)
            elif ftype == "list":
                out[fname] = [p.strip() for p in raw.split(mp.list_separator) if p.strip()]
            else:
                out[fname] = raw
        except ValueError as exc:
            raise _Row(f"{fname}: {exc} (column {fspec.column!r})") from None
    ref = out.get("account")
    if not ref:
        raise _Row(f"no account (column {spec.fields['account'].column!r})")
    acc = accounts.find(ref)
    if acc is None:
        raise _Row(f"account {ref!r} is not in the CRM (import the accounts first, or fix the name)")
    out["account_id"] = acc
    for fname in ("opened_at", "occurred_at", "week"):
        if fname in SIGNAL_FIELDS[kind] and fname in spec.fields and out.get(fname) is None:
            raise _Row(f"no {fname} (column {spec.fields[fname].column!r})")
    if kind == "usage":
        week: date = out["week"]
        out["week"] = week - timedelta(days=week.weekday())
        if out.get("features") and out.get("features_used") is None:
            out["features_used"] = len(set(out["features"]))
    elif kind == "tickets":
        sev = (out.get("severity") or "normal")
        out["severity"] = {key(k): v for k, v in mp.severities.items()}.get(key(sev)) or sev.lower()
        if out["severity"] not in SEVERITIES:
            raise _Row(f"severity {sev!r} is not one of {', '.join(SEVERITIES)} (add it under severities)")
    elif kind == "touches":
        raw_kind = out["kind"]
        out["kind"] = {key(k): v for k, v in mp.touch_kinds.items()}.get(key(raw_kind)) or raw_kind.lower()
        if out["kind"] not in TOUCH_KINDS:
            raise _Row(f"kind {raw_kind!r} is not one of {', '.join(TOUCH_KINDS)} (add it under touch_kinds)")
        email = (out.pop("contact_email", None) or "").lower()
        out["contact_id"] = accounts.contacts.get((acc, email)) if email else None
    return out


def import_signals(store: CrmStore, path: Path | str, mapping: SignalMapping | str | Path = "generic", *,
                   now: datetime | None = None) -> ImportReport:
    """Import the signal files at ``path``; returns the report (also stored as an ImportRun row)."""
    started = time.perf_counter()
    now = now or datetime.now().replace(microsecond=0)
    mp = mapping if isinstance(mapping, SignalMapping) else load_signal_mapping(mapping)
    path = Path(path).expanduser()
    files = _locate(path, mp)
    report = ImportReport(mapping=mp.name, source=str(path))
    accounts = _Accounts(store, mp.source)
    for kind in ORDER:
        if kind not in files:
            continue
        spec = mp.files[kind]  # type: ignore[index]
        records = list(read_records(files[kind], records_key=spec.records_key))
        header = next((list(r.values) for r in records if "__error__" not in r.values), [])
        wanted = {f.column for f in spec.fields.values() if f.column} | ({spec.key} if spec.key else set())
        columns = resolve_columns(wanted, header)
        for fname in SIGNAL_FIELDS[kind]:
            col = spec.fields[fname].column if fname in spec.fields else None
            if records and col and columns.get(col) is None and spec.fields[fname].default is None:
                if fname in ("account", "week", "active_users", "opened_at", "occurred_at", "kind"):
                    raise UserError(f"{files[kind].name} has no column {col!r} (files.{kind}.fields.{fname})",
                                    hint="check the export or the mapping's column names")
                report.notes.append(f"{files[kind].name} lacks optional column {col}; {fname} stays empty")
        rows: list[dict[str, Any]] = []
        for rec in records:
            if "__error__" in rec.values:
                report.error(rec.where, str(rec.values["__error__"]))
                continue
            try:
                row = _parse(kind, rec, mp, columns, accounts)
            except _Row as exc:
                report.error(rec.where, str(exc))
                continue
            if kind != "usage":
                ext = clean(rec.values.get(columns.get(spec.key or "") or "")) if spec.key else None
                if not ext:
                    report.error(rec.where, f"no id (column {spec.key!r})")
                    continue
                row["id"] = make_id(mp.source, kind.rstrip("s"), ext)
            rows.append(row)
        _write(store, kind, rows, mp.source, report)
        report.files[kind] = {"path": str(files[kind]), "records": len(records), "rows": len(rows)}
    with store.session() as s:
        report.seconds = time.perf_counter() - started
        run = ImportRun(source=str(path), mapping=f"signals:{mp.name}", started_at=now, report=report.to_dict())
        s.add(run)
        s.flush()
        report.run_id = run.id
        run.report = report.to_dict()
    return report


def _write(store: CrmStore, kind: str, rows: list[dict[str, Any]], source: str, report: ImportReport) -> None:
    entity = {"usage": "usage_weeks", "tickets": "support_tickets", "touches": "marketing_touches"}[kind]
    if not rows:
        return
    with store.session() as s:
        if kind == "usage":
            latest = {(r["account_id"], r["week"]): r for r in rows}  # the later row of a week wins
            keys = list(latest)
            for i in range(0, len(keys), 500):
                s.execute(delete(UsageWeek).where(tuple_(UsageWeek.account_id, UsageWeek.week).in_(keys[i:i + 500])))
            s.add_all(UsageWeek(account_id=r["account_id"], week=r["week"], seats=r.get("seats") or 0,
                                active_users=r.get("active_users") or 0, logins=r.get("logins") or 0,
                                features_used=r.get("features_used") or 0, features=r.get("features"),
                                source=source) for r in latest.values())
            report.count(entity, "created", len(latest))
            return
        model: Any = SupportTicket if kind == "tickets" else MarketingTouch
        fields = [f for f in SIGNAL_FIELDS[kind] if f not in ("account", "contact_email")] + ["account_id"]
        if kind == "touches":
            fields.append("contact_id")
        by_id = {r["id"]: r for r in rows}
        have = {o.id: o for i in range(0, len(by_id), 500)
                for o in s.scalars(select(model).where(model.id.in_(list(by_id)[i:i + 500])))}
        for rid, r in by_id.items():
            values = {f: r.get(f) for f in fields if f in r}
            current = have.get(rid)
            if current is None:
                s.add(model(id=rid, source=source, **values))
                report.count(entity, "created")
            elif any(getattr(current, f) != v for f, v in values.items() if v is not None):
                for f, v in values.items():
                    if v is not None:
                        setattr(current, f, v)
                report.count(entity, "updated")
            else:
                report.count(entity, "unchanged")

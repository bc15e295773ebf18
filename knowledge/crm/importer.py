"""Import a CRM export (CSV or JSON files) into the CRM store through a declarative mapping.

    report = import_crm(store, Path("exports/maven"), "maven")

Steps: find the mapping's files under PATH; parse each record into typed fields (a bad cell makes the
row an error with file:line, the rest lands); resolve people, teams, products and accounts by id, then
email, then name, so existing records are reused rather than duplicated; derive what the export leaves
implicit (account owner = the rep with most deals on it, the team of a deal = its owner's team); write
everything with bulk upserts (see ``upsert``) and store an ``ImportRun`` with the report.
Re-importing the same export changes nothing and counts every row as unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from copilot.core.errors import NotFound, UserError
from knowledge.crm.export_reader import read_records, resolve_columns
from knowledge.crm.import_fields import FileRow, parse_file
from knowledge.crm.import_report import ImportReport
from knowledge.crm.import_resolver import Resolver
from knowledge.crm.mapping import Kind, Mapping, load_mapping
from knowledge.crm.models import Account, Deal, ImportRun, Product, Team, User
from knowledge.crm.store import CrmStore
from knowledge.crm.upsert import apply, record_history

ProgressFn = Callable[[str, int, int], None]
ORDER: tuple[Kind, ...] = ("people", "products", "accounts", "deals")


def locate_files(path: Path, mapping: Mapping) -> dict[str, Path]:
    """Which file feeds which kind. PATH may be a folder (each kind found by its patterns) or one file
    (used for the mapping's deals, or its only kind; the other kinds are looked for beside it)."""
    if not path.exists():
        raise NotFound(f"{path} does not exist", hint="give the export file or the folder that holds it")
    folder = path if path.is_dir() else path.parent
    found: dict[str, Path] = {}
    if path.is_file():
        primary = "deals" if "deals" in mapping.files else next(iter(mapping.files))
        found[primary] = path
    for kind, spec in mapping.files.items():
        if kind in found:
            continue
        match = next((p for pat in spec.path for p in sorted(folder.glob(pat)) if p.is_file()), None)
        if match is not None and match not in found.values():
            found[kind] = match
        elif spec.required and path.is_dir():
            raise UserError(f"{folder} has no {kind} file for mapping {mapping.name}",
                            hint=f"expected {' or '.join(spec.path)}")
    if not found:
        raise UserError(f"{path} holds none of the files mapping {mapping.name} reads")
    return found


def import_crm(
    store: CrmStore,
    path: Path | str,
    mapping: Mapping | str | Path,
    *,
    progress: ProgressFn | None = None,
    now: datetime | None = None,
    batch_size: int = 2000,
) -> ImportReport:
    """Import the export at ``path``; returns the report (also stored as an ImportRun row)."""
    started = time.perf_counter()
    now = now or datetime.now().replace(microsecond=0)
    mp = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    path = Path(path).expanduser()
    files = locate_files(path, mp)
    report = ImportReport(mapping=mp.name, source=str(path))
    for kind, spec in mp.files.items():
        if kind not in files and spec.required:
            report.notes.append(f"no {kind} file beside {path.name}; {kind} come from the deals only")

    parsed: dict[str, list[FileRow]] = {}
    for kind in ORDER:
        if kind not in files:
            continue
        records = list(read_records(files[kind], records_key=mp.files[kind].records_key))
        header = next((list(r.values) for r in records if "__error__" not in r.values), [])  # not an unreadable row
        spec = mp.files[kind]
        columns = resolve_columns(set().union(*(f.columns() for f in spec.fields.values())) | (
            {spec.key} if spec.key else set()), header)
        _check_columns(kind, files[kind], spec.fields, spec.key, columns, report, bool(records))
        parsed[kind] = parse_file(kind, records, mp, columns, report, progress=progress)
        report.files[kind] = {"path": str(files[kind]), "records": len(records), "rows": len(parsed[kind])}

    resolver = Resolver.load(store, mp, report)
    resolver.add_people(parsed.get("people", []))
    resolver.add_products(parsed.get("products", []))
    resolver.add_accounts(parsed.get("accounts", []), has_file="accounts" in files)
    resolver.add_deals(parsed.get("deals", []), has_people="people" in files, has_accounts="accounts" in files)
    resolver.derive_account_owners()

    changes = []
    for plan in (resolver.teams, resolver.users, resolver.products, resolver.accounts, resolver.deals):
        if plan.rows:
            out = apply(store, plan, report, now=now, batch_size=batch_size, progress=progress)
            if plan.model is Deal:
                changes = out
    record_history(store, changes, changed_by=f"import:{mp.source}")

    with store.session() as s:
        report.totals = {m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
                         for m in (Team, User, Product, Account, Deal)}
        report.notes.append(_structure(s, mp))
        report.seconds = time.perf_counter() - started
        run = ImportRun(source=str(path), mapping=mp.name, started_at=now, report=report.to_dict())
        s.add(run)
        s.flush()
        report.run_id = run.id
        run.report = report.to_dict()
    return report


def _structure(s: Any, mp: Any) -> str:
    """How teams and reporting lines were built, in words: they decide what every manager sees."""
    people = mp.files.get("people")
    fields = people.fields if people else {}
    team_col = getattr(fields.get("team"), "column", None)
    mgr_col = getattr(fields.get("manager"), "column", None)
    linked = int(s.scalar(select(func.count()).select_from(User).where(User.manager_id.is_not(None))) or 0)
    managers = int(s.scalar(select(func.count(func.distinct(User.manager_id)))) or 0)
    teams = int(s.scalar(select(func.count()).select_from(Team)) or 0)
    return (f"structure: {teams} team(s) built from " + (f"column '{team_col}'" if team_col else "no team column")
            + f"; {linked} people report to {managers} manager(s) through "
            + (f"column '{mgr_col}'" if mgr_col else "no manager column")
            + ". Managers see their reporting tree (their team's records only where no reporting line is set);"
              " change lines with 'copilot users set NAME --manager M'")


def _check_columns(kind: str, file: Path, fields: dict[str, Any], key_col: str | None,
                   columns: dict[str, str | None], report: ImportReport, has_rows: bool) -> None:
    if not has_rows:
        report.notes.append(f"{file.name} has no rows")
        return
    required = {"people": {"name"}, "products": {"name"}, "accounts": {"name"}, "deals": {"stage"}}[kind]
    absent: list[str] = []
    for fname, spec in fields.items():
        missing = [c for c in spec.columns() if columns.get(c) is None]
        if not missing:
            continue
        if fname in required and spec.column and spec.default is None:
            raise UserError(f"{file.name} has no column {missing[0]!r} (files.{kind}.fields.{fname})",
                            hint="check the export or the mapping's column names")
        if spec.column and spec.column in missing:
            absent.append(spec.column)
    if absent:
        report.notes.append(f"{file.name} lacks optional columns {', '.join(absent)}; those fields stay empty")
    if key_col and columns.get(key_col) is None:
        raise UserError(f"{file.name} has no id column {key_col!r} (files.{kind}.key)",
                        hint="check the export or the mapping's key column")

"""Turn export records into typed field values, applying the mapping's tables, aliases and parsers.

A cell that does not parse makes its row an error (file:line, field, column, value); a value that can
be cleaned (an alias, a typo of a known sector, an unknown deal type) is cleaned and counted as a fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from copilot.core.domain import Role, Stage
from knowledge.crm.export_reader import Record
from knowledge.crm.import_report import ImportReport
from knowledge.crm.mapping import FIELDS, Kind, Mapping
from knowledge.crm.normalize import clean, key, parse_date, parse_datetime, parse_int, parse_money

# Which alias table applies to a field (default: the field's own name).
ALIAS_OF = {("products", "name"): "product", ("accounts", "name"): "account", ("people", "name"): "person",
            ("people", "manager"): "person", ("deals", "owner"): "person", ("accounts", "owner"): "person",
            ("deals", "owner_team"): "team"}
_STAGE_KEYS = {key(s.value): s.value for s in Stage}
_TEMPLATE_VAR = re.compile(r"{([^{}]+)}")


@dataclass
class FileRow:
    where: str
    external_id: str | None
    fields: dict[str, Any] = field(default_factory=dict)


class RowError(ValueError):
    pass


def parse_file(
    kind: Kind,
    records: list[Record],
    mp: Mapping,
    columns: dict[str, str | None],
    report: ImportReport,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[FileRow]:
    rows: list[FileRow] = []
    total = len(records)
    for i, rec in enumerate(records, 1):
        if "__error__" in rec.values:
            report.error(rec.where, str(rec.values["__error__"]))
            continue
        try:
            rows.append(_parse_record(kind, rec, mp, columns, report))
        except RowError as exc:
            report.error(rec.where, str(exc))
        if progress and (i % 1000 == 0 or i == total):
            progress(f"reading {kind}", i, total)
    return rows


def _parse_record(kind: Kind, rec: Record, mp: Mapping, columns: dict[str, str | None],
                  report: ImportReport) -> FileRow:
    spec, tables = mp.files[kind], mp._tables
    cells = {want: clean(rec.values.get(actual)) if actual else None for want, actual in columns.items()}
    out: dict[str, Any] = {}
    templated: list[str] = []
    for fname, fspec in spec.fields.items():
        if not fspec.column:
            templated.append(fname)
            continue
        raw = cells.get(fspec.column)
        if raw is None:
            if fspec.default is not None:
                raw = str(fspec.default)
            else:
                out[fname] = None
                continue
        alias_name = ALIAS_OF.get((kind, fname), fname)
        alias = tables.get(f"alias:{alias_name}")
        if alias is None:
            alias = mp.table(f"alias:{alias_name}")
        canon = alias.get(key(raw)) if alias else None
        if canon and canon != raw:
            report.fix(f"{alias_name}_alias", rec.where, f"{raw} -> {canon}")
            raw = canon
            cells[fspec.column] = canon
        try:
            out[fname] = _convert(kind, fname, raw, mp, rec.where, report)
        except ValueError as exc:
            raise RowError(f"{fname}: {exc} (column {fspec.column!r})") from None
    for fname in templated:
        fspec = spec.fields[fname]
        out[fname] = next((t.format_map({v: cells.get(v) for v in _TEMPLATE_VAR.findall(t)})
                           for t in fspec.template if all(cells.get(v) for v in _TEMPLATE_VAR.findall(t))),
                          fspec.default)
    ext = cells.get(spec.key) if spec.key else None
    if kind == "deals":
        if not ext:
            raise RowError(f"no deal id (column {spec.key!r})")
        if not out.get("stage"):
            raise RowError(f"no stage (column {spec.fields['stage'].column!r})")
        if not out.get("name"):
            out["name"] = f"Deal {ext}"
    elif not out.get("name"):
        raise RowError(f"no name (column {spec.fields['name'].column!r})")
    return FileRow(rec.where, ext, out)


def _convert(kind: str, fname: str, raw: str, mp: Mapping, where: str, report: ImportReport) -> Any:
    ftype = FIELDS[kind][fname]
    if ftype in ("money", "float"):
        return parse_money(raw)
    if ftype == "int":
        return parse_int(raw)
    if ftype == "date":
        return parse_date(raw, mp.date_formats + mp.datetime_formats)
    if ftype == "datetime":
        return parse_datetime(raw, mp.datetime_formats + mp.date_formats)
    if kind == "deals" and fname == "stage":
        stage = mp.table("stages").get(key(raw)) or _STAGE_KEYS.get(key(raw))
        if stage is None:
            raise ValueError(f"stage {raw!r} is not in the mapping's stages ({', '.join(mp.stages)})")
        return stage
    if kind == "deals" and fname == "deal_type":
        return _from_table(mp.table("deal_types"), raw, {"new", "expansion", "renewal"}, "new", where, fname, report)
    if kind == "deals" and fname == "forecast_category":
        table = mp.table("forecast_categories")
        found = table.get(key(raw))
        if found is None and table:
            report.fix("unknown_value", where, f"forecast category {raw!r} not in the mapping; kept")
        return found or "_".join(raw.lower().split())
    if kind == "people" and fname == "role":
        return _from_table(mp.table("roles"), raw, {r.value for r in Role}, "rep", where, fname, report)
    if kind == "accounts" and fname == "sector":
        return _sector(raw, mp, where, report)
    return raw


def _from_table(table: dict[str, str], raw: str, allowed: set[str], default: str, where: str, fname: str,
                report: ImportReport) -> str:
    found = table.get(key(raw))
    if found:
        return found
    if raw.lower() in allowed:
        return raw.lower()
    report.fix("unknown_value", where, f"{fname} {raw!r} not in the mapping; {default} used")
    return default


def _sector(raw: str, mp: Mapping, where: str, report: ImportReport) -> str:
    value = raw.lower()
    if not mp.sectors or value in mp.sectors:
        return value
    match = process.extractOne(value, mp.sectors, scorer=fuzz.ratio, score_cutoff=88)
    if match:
        report.fix("sector_typo", where, f"{raw} -> {match[0]}")
        return str(match[0])
    report.fix("unknown_sector", where, f"{raw!r} kept")
    return value

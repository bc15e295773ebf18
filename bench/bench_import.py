"""CRM import throughput: ``import_crm`` on the Maven sample against a naive ORM load of the same rows.

The baseline reads sales_pipeline.csv and adds one ``Deal`` object per row with ``session.add_all``
(no mapping, no normalization, no people/accounts/products, no report, no history): the least work an
ORM import can do. The ratio shows what the full import (mapping, dirty-data report, id matching,
upsert with change detection, stage history) costs on top of it; the re-import shows the idempotent
path (every row compared, nothing written).

    .venv/bin/python bench/bench_import.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from copilot.core.settings import REPO_ROOT  # noqa: E402
from copilot.schema import upgrade  # noqa: E402
from knowledge.crm.importer import import_crm  # noqa: E402
from knowledge.crm.models import Deal  # noqa: E402
from knowledge.crm.store import CrmStore  # noqa: E402


def _store(tmp: Path, name: str) -> CrmStore:
    store = CrmStore(f"sqlite:///{tmp / name}.db")
    upgrade(store.engine)
    return store


def naive_orm(store: CrmStore, folder: Path) -> int:
    rows = list(csv.DictReader((folder / "sales_pipeline.csv").open(encoding="utf-8")))
    with store.session() as s:
        s.add_all(
            Deal(id=f"naive:deal:{r['opportunity_id']}", name=r["opportunity_id"], stage=r["deal_stage"].lower(),
                 amount=float(r["close_value"]) if r["close_value"] else None,
                 close_date=date.fromisoformat(r["close_date"]) if r["close_date"] else None)
            for r in rows
        )
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=REPO_ROOT.parent / "shared" / "data" / "crm_maven")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        base_store, full_store = _store(tmp, "naive"), _store(tmp, "full")
        t = time.perf_counter()
        n = naive_orm(base_store, args.data)
        naive_s = time.perf_counter() - t
        t = time.perf_counter()
        report = import_crm(full_store, args.data, "maven")
        full_s = time.perf_counter() - t
        t = time.perf_counter()
        again = import_crm(full_store, args.data, "maven")
        re_s = time.perf_counter() - t
    print(f"naive ORM add_all of {n} deals:        {naive_s:6.2f} s  ({n / naive_s:,.0f} rows/s)")
    print(f"import_crm maven (first import):       {full_s:6.2f} s  ({n / full_s:,.0f} rows/s); "
          f"{report.totals['deals']} deals, {report.fix_count} fixes, {report.error_count} errors")
    print(f"import_crm maven (re-import, no change): {re_s:6.2f} s; deals {again.counts['deals']}")
    print(f"ratio full import / naive ORM: {full_s / naive_s:.2f}x   re-import / naive ORM: {re_s / naive_s:.2f}x")


if __name__ == "__main__":
    main()

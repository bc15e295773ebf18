"""(Re)generate the CRM question files.

    python -m evals.crm_questions --out evals/datasets/ [--demo-url URL] [--maven-url URL] [--anchor 2026-11-20]

Without URLs the two CRMs are built in a temporary directory (demo company for the anchor; the Maven
export from the shared data folder). Writes crm_generated_demo.jsonl and crm_generated_maven.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from evals.crm_gold import load_crm
from evals.crm_questions.generate import Item, generate

REPO = Path(__file__).resolve().parents[2]
DEMO_COUNTS = {"rep": 190, "manager": 150, "exec": 130}
MAVEN_COUNTS = {"rep": 100, "manager": 80, "admin": 60}
MAVEN_TODAY = date(2017, 12, 31)
ANCHOR = date(2026, 11, 20)  # the anchor of the CI demo (tests/conftest.py) and of evals/thresholds.yaml
SEED = 20261120


def write(items: list[Item], path: Path) -> None:
    with path.open("w") as fh:
        for it in items:
            row = it.to_dict()
            row["gold"] = {k: v for k, v in row["gold"].items() if k not in ("unscoped_rows",)}
            if "ids" in row["gold"]:  # the suite recomputes gold; keep the file readable
                row["gold"]["ids"] = row["gold"]["ids"][:60]
                row["gold"]["keys"] = row["gold"]["keys"][:60]
            fh.write(json.dumps(row, default=str) + "\n")


def summary(items: list[Item]) -> str:
    by = Counter((i.role, i.split) for i in items)
    cats = Counter(i.category for i in items)
    return (f"{len(items)} items; " + ", ".join(f"{r}/{s}={n}" for (r, s), n in sorted(by.items()))
            + "\n  categories: " + ", ".join(f"{c}={n}" for c, n in sorted(cats.items())))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evals.crm_questions", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "evals" / "datasets")
    ap.add_argument("--demo-url", help="database URL of a built demo company (default: build one)")
    ap.add_argument("--maven-url", help="database URL of the imported Maven export (default: import it)")
    ap.add_argument("--anchor", type=date.fromisoformat, default=ANCHOR, help="demo anchor when building it")
    ap.add_argument("--maven", type=Path, default=Path(os.environ.get("SHARED_DATA", REPO.parent / "shared" / "data"))
                    / "crm_maven", help="folder of the Maven export")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crm-questions-") as tmp:
        demo_url, maven_url = args.demo_url, args.maven_url
        if not demo_url or not maven_url:
            from evals.crm_questions.build_dbs import build_demo_db, build_maven_db

            demo_url = demo_url or build_demo_db(Path(tmp) / "demo", args.anchor)
            if not maven_url:
                if not args.maven.is_dir():
                    print(f"no Maven export at {args.maven}: pass --maven DIR or --maven-url", file=sys.stderr)
                    return 2
                maven_url = build_maven_db(Path(tmp) / "maven", args.maven)
        demo = load_crm(demo_url)
        if demo.anchor is None:
            print(f"{demo_url} holds no demo company (no demo import run)", file=sys.stderr)
            return 2
        items = generate(demo, "demo", today=demo.anchor, seed=args.seed, counts=DEMO_COUNTS)
        write(items, args.out / "crm_generated_demo.jsonl")
        print("demo:", summary(items))
        maven = load_crm(maven_url)
        items = generate(maven, "maven", today=MAVEN_TODAY, seed=args.seed, counts=MAVEN_COUNTS)
        write(items, args.out / "crm_generated_maven.jsonl")
        print("maven:", summary(items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

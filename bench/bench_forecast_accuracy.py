"""The forecast's rolling backtest on the demo, on Maven and on held-out demo companies (other seeds).

Run: .venv/bin/python bench/bench_forecast_accuracy.py [demo] [maven] [seed:N ...]   (default: all three kinds,
held-out seeds 101 102 103). Each data set is scored the way ``copilot forecast backtest`` scores it: the last
12 month ends whose quarter closed (up to 12 earlier ones only warm the ranges up). Prints, company-wide,
quarter-total MAPE per method, the product's bias and P10-P90 coverage, and deal-level Brier, AUC and ECE of
P(won within the quarter) for the product and every single model.

Why held-out seeds: the design was changed after looking at the demo and Maven figures, so those two are
development data. Demo companies generated with other seeds (same generator, other draws) were not looked
at while choosing; their figures say whether a change generalises or was fitted to the two dev sets.
Snapshots are cached under $TMPDIR/forecast-bench (delete it after changing the generators).
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tools.forecast import rolling
from tools.forecast.data import Snapshot, load_snapshot

ANCHOR = date(2026, 11, 20)
HELD_OUT = (101, 102, 103)
SINGLE = ("stage_rate", "logistic", "gbm")
CACHE = Path(tempfile.gettempdir()) / "forecast-bench"


def _copilot(home: Path):  # type: ignore[no-untyped-def]
    from copilot.app import Copilot
    from copilot.core.settings import load_settings

    return Copilot(load_settings(home=home, llm="none", embeddings="hash", speech="scripted"))


def demo_snapshot(seed: int | None) -> Snapshot:
    from sqlalchemy import insert

    from demo.build import SEED, TABLES, generate

    rows = generate(ANCHOR, SEED if seed is None else seed)
    cp = _copilot(Path(tempfile.mkdtemp()) / "home")
    with cp.services.crm.session() as s:
        for key, model in TABLES:
            if rows[key]:
                s.execute(insert(model), rows[key])
    snap = load_snapshot(cp.services.crm)
    cp.close()
    return snap


def maven_snapshot() -> Snapshot:
    from knowledge.crm.importer import import_crm

    data = Path(os.environ.get("COPILOT_SHARED_DATA", "/work/shared/data"))
    cp = _copilot(Path(tempfile.mkdtemp()) / "home")
    import_crm(cp.services.crm, data / "crm_maven", "maven")
    snap = load_snapshot(cp.services.crm)
    cp.close()
    return snap


def snapshot(name: str) -> Snapshot:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"{name.replace(':', '-')}.pkl"
    if path.exists():
        with open(path, "rb") as f:
            snap: Snapshot = pickle.load(f)
            return snap
    if name == "maven":
        snap = maven_snapshot()
    else:
        snap = demo_snapshot(None if name == "demo" else int(name.split(":")[1]))
    with open(path, "wb") as f:
        pickle.dump(snap, f)
    return snap


def score(name: str, *, scored: int = 12, warmup: int = 12, n_sims: int = 2000) -> dict[str, float]:
    snap = snapshot(name)
    months = rolling.monthly_as_ofs(snap, n=scored + warmup)
    t = time.perf_counter()
    report, _ = rolling.run(snap, months[-scored:], warmup=months[:-scored], teams=False, n_sims=n_sims)
    out: dict[str, float] = {"months": len(report.as_ofs), "seconds": round(time.perf_counter() - t, 1)}
    for a in report.accuracy:
        out[f"mape_{a.method}"] = a.mape
        out[f"bias_{a.method}"] = a.bias
        if a.coverage is not None:
            out["coverage"] = a.coverage
    for d in report.deal_level:
        out[f"brier_{d.method}"] = d.brier
        out[f"auc_{d.method}"] = d.auc if d.auc is not None else float("nan")
        out[f"ece_{d.method}"] = d.ece
    out["brier_best_single"] = min(out[f"brier_{m}"] for m in SINGLE if f"brier_{m}" in out)
    out["models"] = ",".join(sorted({p.model for p in report.points}))  # type: ignore[assignment]
    return out


def line(name: str, r: dict[str, float]) -> str:
    return (f"{name:<9} n={r['months']:<3} MAPE product {r['mape_product']:.1%} (bias {r['bias_product']:+.1%}) "
            f"stage {r['mape_stage_weighted']:.1%} conv {r['mape_conversion']:.1%} | coverage {r['coverage']:.0%} | "
            f"Brier product {r['brier_product']:.4f} best single {r['brier_best_single']:.4f} "
            f"(stage {r['brier_stage_rate']:.4f} logit {r['brier_logistic']:.4f} gbm {r['brier_gbm']:.4f} "
            f"ens {r.get('brier_ensemble', float('nan')):.4f}) | AUC {r['auc_product']:.3f} ECE {r['ece_product']:.4f} "
            f"| models {r['models']} | {r['seconds']}s")


def main(names: list[str]) -> None:
    names = names or ["demo", "maven", *(f"seed:{s}" for s in HELD_OUT)]
    for name in names:
        print(line(name, score(name)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

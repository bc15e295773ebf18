"""Data scale: the demo company at its own size and copied N times (its accounts with their contacts, deals,
stage history, activities and usage, under new ids; the same people), built and measured in the same run.

Measures, at each size: build (generate + insert) and CRM indexing throughput, ask p50/p95 for CRM questions
(a manager, an exec) and library questions (a rep, an admin: the admin's hybrid search reads every team
collection), typed pipeline query p95, forecast (model training on first use, then scoring), and reports
each figure's growth against the growth of the data.

Run: .venv/bin/python bench/bench_scale.py [--scale 20] [--embeddings hash] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from copilot.app import Copilot  # noqa: E402
from copilot.core.domain import OPERATOR  # noqa: E402
from copilot.core.settings import load_settings  # noqa: E402

ANCHOR = date(2026, 11, 20)
CRM_QUESTIONS = [("manager", "who on my team has the lowest win rate this year"),
                 ("manager", "how many deals are in negotiation and how much are they worth"),
                 ("exec", "win rate by team last quarter"),
                 ("manager", "which of my team's open opps haven't been touched in 2 weeks?")]
LIBRARY_QUESTIONS = ["How do we handle a discount request?", "How do we compare to the competition?",
                     "What does our security review package include?"]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] * 1000


def company(size: int) -> dict[str, list[dict[str, Any]]]:
    """The demo company's rows, its accounts (and their contacts, deals, stage history, activities and usage)
    copied ``size`` times under new ids and names; the same teams, people and products. Linear in ``size``
    (the demo generator itself is tuned for its own 120 accounts)."""
    from demo.build import generate

    rows = generate(ANCHOR)
    out: dict[str, list[dict[str, Any]]] = {k: rows[k] for k in ("teams", "users", "products")}
    for key in ("accounts", "contacts", "deals", "stage_changes", "activities", "usage"):
        out[key] = []
    for k in range(size):
        tag = (lambda v: v) if k == 0 else (lambda v, k=k: None if v is None else f"{v}~{k}")
        for a in rows["accounts"]:
            out["accounts"].append({**a, "id": tag(a["id"]), "name": a["name"] if k == 0 else f"{a['name']} {k}",
                                    "domain": None if k else a["domain"]})
        for c in rows["contacts"]:
            out["contacts"].append({**c, "id": tag(c["id"]), "account_id": tag(c["account_id"]),
                                    "email": c["email"] if k == 0 else None})
        for d in rows["deals"]:
            out["deals"].append({**d, "id": tag(d["id"]), "account_id": tag(d["account_id"]),
                                 "name": d["name"] if k == 0 else f"{d['name']} {k}"})
        for h in rows["stage_changes"]:
            out["stage_changes"].append({**h, "deal_id": tag(h["deal_id"])})
        for act in rows["activities"]:
            out["activities"].append({**act, "id": tag(act["id"]), "account_id": tag(act["account_id"]),
                                      "deal_id": tag(act["deal_id"]), "contact_id": tag(act["contact_id"]),
                                      "thread_id": tag(act["thread_id"])})
        for u in rows["usage"]:
            out["usage"].append({**u, "account_id": tag(u["account_id"])})
    return out


def build(cp: Copilot, size: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from demo.build import LIBRARY_DIR, TABLES

    rows = company(size)
    t = time.perf_counter()
    with cp.services.crm.session() as s:
        for key, model in TABLES:
            for i in range(0, len(rows[key]), 5000):
                s.execute(insert(model), rows[key][i:i + 5000])
    insert_s = time.perf_counter() - t
    cp.services.knowledge.ingest_paths([LIBRARY_DIR])
    crm = cp.services.knowledge.sync_crm(cp.services.crm)
    return {"accounts": len(rows["accounts"]), "deals": len(rows["deals"]), "activities": len(rows["activities"]),
            "insert_s": insert_s, "crm_index_s": crm.seconds, "crm_chunks": crm.chunks_written}


def measure(size: int, home: Path, embeddings: str, repeat: int) -> dict[str, Any]:
    from demo.build import demo_settings

    cp = Copilot(load_settings(home=home, embeddings=embeddings, speech="scripted", today=ANCHOR, **demo_settings()))
    cp.ensure_admin("admin")
    t = time.perf_counter()
    built = build(cp, size)
    build_s = time.perf_counter() - t
    r: dict[str, Any] = {"accounts": built["accounts"], "deals": built["deals"], "activities": built["activities"],
                         "chunks": cp.services.knowledge.count(), "build_s": build_s, "insert_s": built["insert_s"],
                         "crm_index_per_s": built["crm_chunks"] / max(built["crm_index_s"], 1e-9)}
    people = cp.users(OPERATOR)
    first = {role: next(u["id"] for u in people if u["role"] == role) for role in ("manager", "exec", "rep")}
    who = {role: cp.principal(uid) for role, uid in first.items()} | {"admin": cp.principal("admin")}
    rep = who["rep"]
    team = next(u["team_id"] for u in people if u["id"] == first["manager"])
    crm_lat: list[float] = []
    for uid, q in CRM_QUESTIONS:
        crm_lat += timed(lambda uid=uid, q=q: cp.ask(who[uid], q), max(3, repeat // len(CRM_QUESTIONS)))
    lib_rep: list[float] = []
    lib_admin: list[float] = []
    for q in LIBRARY_QUESTIONS:
        lib_rep += timed(lambda q=q: cp.ask(rep, q), max(3, repeat // len(LIBRARY_QUESTIONS)))
        lib_admin += timed(lambda q=q: cp.ask(who["admin"], q), max(3, repeat // len(LIBRARY_QUESTIONS)))
    pipe = timed(lambda: cp.pipeline(who["exec"], {"metric": "won_revenue", "group_by": "team",
                                                               "period": "last quarter"}), repeat)
    t = time.perf_counter()
    cp.forecast(who["manager"], team=team)  # trains the model on first use
    r["forecast_first_s"] = time.perf_counter() - t
    r["forecast_p50_ms"] = statistics.median(timed(lambda: cp.forecast(who["manager"], team=team), 3)) * 1000
    r.update(ask_crm_p50=p(crm_lat, .5), ask_crm_p95=p(crm_lat, .95), ask_lib_rep_p95=p(lib_rep, .95),
             ask_lib_admin_p95=p(lib_admin, .95), pipeline_p95=p(pipe, .95))
    cp.close()
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=20)
    ap.add_argument("--embeddings", default="hash")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    print(f"demo company at 1x and {args.scale}x accounts; embeddings {args.embeddings}; load average before "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(1, Path(tmp) / "x1", args.embeddings, args.repeat)
        print("1x done", flush=True)
        big = measure(args.scale, Path(tmp) / f"x{args.scale}", args.embeddings, args.repeat)
    growth = big["activities"] / small["activities"]
    print(f"{'':<22}{'1x':>12}{str(args.scale) + 'x':>12}{'growth':>9}   (data grew {growth:.1f}x)")
    for key in ("accounts", "deals", "activities", "chunks", "build_s", "insert_s", "crm_index_per_s", "ask_crm_p50", "ask_crm_p95",
                "ask_lib_rep_p95", "ask_lib_admin_p95", "pipeline_p95", "forecast_first_s", "forecast_p50_ms"):
        a, b = small[key], big[key]
        ratio = b / a if a else float("nan")
        flag = "  <- grows faster than the data" if key not in ("accounts", "deals", "activities", "chunks",
                                                                  "crm_index_per_s") and ratio > growth else ""
        print(f"{key:<22}{a:>12.1f}{b:>12.1f}{ratio:>8.1f}x{flag}")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

"""Run suites, record what was run (models, dataset hashes, code version), compare runs, check thresholds.

    results = run_suites(cp, ["retrieval", "qa"], repeat=1)
    write_results(results, out_dir)          # results.json + report.html
    failures = check_thresholds(results, load_thresholds(path))
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from copilot.core.errors import CopilotError, UserError
from copilot.core.settings import REPO_ROOT
from evals.base import DATASETS, EvalEnv, SuiteResult, load_rows
from evals.metrics import mcnemar_p, paired_bootstrap_p, pass_hat_k
from evals.suites import SUITES


def suite_module(name: str) -> Any:
    if name not in SUITES:
        raise UserError(f"unknown eval suite {name!r}", hint=f"choose from: {', '.join(SUITES)}")
    return importlib.import_module(f"evals.suites.{name}")


def fast_suites() -> list[str]:
    return [s for s in SUITES if suite_module(s).FAST]


def dataset_for(name: str, override: Path | None) -> Path | None:
    """--dataset may be a file (for one suite) or a folder holding files named like the shipped ones."""
    default = suite_module(name).DATASET
    if override is None:
        return DATASETS / default if default else None
    if override.is_dir():
        return override / default if default and (override / default).exists() else (
            DATASETS / default if default else None)
    return override


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_version() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=5)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sales-copilot")
    except PackageNotFoundError:
        return "unknown"


def home_copy(cp: Any) -> Callable[[], contextlib.AbstractContextManager]:
    """A factory of throwaway Copilots over a copy of ``cp``'s data directory (for suites that write)."""
    from copilot.app import Copilot

    @contextlib.contextmanager
    def make() -> Iterator[tuple[Any, Path]]:
        with tempfile.TemporaryDirectory(prefix="copilot-eval-") as tmp:
            home = Path(tmp) / "home"
            shutil.copytree(cp.settings.resolved_home, home)
            clone = Copilot(cp.settings.model_copy(update={"home": home}))
            try:
                yield clone, Path(tmp)
            finally:
                clone.close()

    return make


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:
        return contextlib.nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)


def _combine(name: str, runs: list[SuiteResult]) -> SuiteResult:
    """Average metrics over repeats; per-case pass^k when there is more than one run."""
    first = runs[0]
    if len(runs) == 1 or first.status != "ok":
        return first
    metrics: dict[str, float | None] = {}
    for key in first.metrics:
        vals = [r.metrics.get(key) for r in runs if r.metrics.get(key) is not None]
        metrics[key] = sum(vals) / len(vals) if vals else None  # type: ignore[arg-type]
    passes = [[bool(c.get("passed")) for c in r.cases] for r in runs if all(c.get("passed") is not None for c in r.cases)]
    if passes and passes[0] and len({len(p) for p in passes}) == 1:
        metrics[f"pass^{len(runs)}"] = pass_hat_k(passes)
        metrics["pass@1"] = sum(sum(p) / len(p) for p in passes) / len(passes)
    return SuiteResult(name, metrics=metrics, cases=first.cases, status=first.status, note=first.note,
                       charts=first.charts)


def run_suites(cp: Any, suites: list[str] | None = None, *, dataset: Path | None = None, repeat: int = 1,
               judge: Any = None, progress: bool = False) -> dict[str, Any]:
    names = suites or list(SUITES)
    for n in names:
        suite_module(n)
    if repeat < 1:
        raise UserError("--repeat must be at least 1", hint="pass --repeat 1 or more")
    env = EvalEnv(cp=cp, judge=judge, progress=progress, mutable_copy=home_copy(cp))
    results: dict[str, Any] = {}
    hashes: dict[str, str] = {}
    started = time.perf_counter()
    with _progress(progress) as bar:
        task = bar.add_task("eval", total=len(names) * repeat) if bar else None
        for name in names:
            mod = suite_module(name)
            path = dataset_for(name, dataset)
            rows = load_rows(path) if path else []
            if path:
                hashes[str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)] = sha256(path)
            runs = []
            t0 = time.perf_counter()
            for _ in range(repeat):
                if bar:
                    bar.update(task, description=f"eval {name}")
                try:
                    runs.append(mod.run(env, rows))
                except CopilotError as exc:
                    runs.append(SuiteResult(name, status="error", note=str(exc)))
                if bar:
                    bar.advance(task)
            res = _combine(name, runs).to_dict()
            res["seconds"] = round(time.perf_counter() - t0, 2)
            res["dataset"] = str(path) if path else None
            results[name] = res
    st = cp.settings
    return {"meta": {"started": datetime.now(UTC).isoformat(timespec="seconds"), "code_version": code_version(),
                     "models": {"llm": st.llm, "embeddings": st.embeddings, "speech": st.speech,
                                "reranker": getattr(st, "reranker", None),
                                "judge": getattr(judge, "model_name", None) or (type(judge).__name__ if judge else None)},
                     "data_hashes": hashes, "repeat": repeat, "home": str(st.resolved_home),
                     "seconds": round(time.perf_counter() - started, 2)},
            "suites": results}



def write_results(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    from evals.report_html import render_html

    out.mkdir(parents=True, exist_ok=True)
    js, html = out / "results.json", out / "report.html"
    js.write_text(json.dumps(results, indent=2, default=str))
    html.write_text(render_html(results))
    return js, html


# -- thresholds and comparison ---------------------------------------------------------------------
def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read thresholds {path}: {exc}", hint="write 'suite.metric: {min: x}' lines") from None
    if not isinstance(data, dict):
        raise UserError(f"{path} is not a mapping", hint="write 'suite.metric: {min: x}' or '{max: y}' lines")
    return data


def check_thresholds(results: dict[str, Any], thresholds: dict[str, dict[str, float]],
                     *, only_run: bool = True) -> list[str]:
    """Failures as 'suite.metric = value (min x)'; a threshold for a suite that did not run, or could not
    (its data is not on this machine: status 'not available'), is skipped."""
    failures = []
    for key, bound in thresholds.items():
        suite, _, metric = key.partition(".")
        res = results["suites"].get(suite)
        if res is None or res.get("status") == "not available" and only_run:
            if not only_run:
                failures.append(f"{key}: suite not run")
            continue
        value = res["metrics"].get(metric)
        if value is None:
            failures.append(f"{key}: not measured ({res.get('status')}: {res.get('note', '')})")
            continue
        if "min" in bound and value < bound["min"]:
            failures.append(f"{key} = {value:.4g} is below the minimum {bound['min']}")
        if "max" in bound and value > bound["max"]:
            failures.append(f"{key} = {value:.4g} is above the maximum {bound['max']}")
    return failures


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per metric: old, new, delta; per suite a significance test on paired per-case results (McNemar on
    pass/fail, paired bootstrap on scores) when both runs hold the same case ids."""
    rows = []
    for suite, res in new["suites"].items():
        before = old.get("suites", {}).get(suite)
        if not before:
            continue
        p_pass = p_score = None
        old_cases = {c["id"]: c for c in before.get("cases", []) if "id" in c}
        paired = [(old_cases[c["id"]], c) for c in res.get("cases", []) if c.get("id") in old_cases]
        pf = [(o["passed"], n["passed"]) for o, n in paired if o.get("passed") is not None and n.get("passed") is not None]
        if pf:
            p_pass = mcnemar_p([bool(o) for o, _ in pf], [bool(n) for _, n in pf])
        sc = [(o["score"], n["score"]) for o, n in paired
              if isinstance(o.get("score"), int | float) and isinstance(n.get("score"), int | float)]
        if sc:
            p_score = paired_bootstrap_p([o for o, _ in sc], [n for _, n in sc])
        for metric, value in res["metrics"].items():
            was = before["metrics"].get(metric)
            delta = value - was if isinstance(value, int | float) and isinstance(was, int | float) else None
            rows.append({"suite": suite, "metric": metric, "old": was, "new": value, "delta": delta,
                         "p_mcnemar": p_pass, "p_bootstrap": p_score})
    return rows

"""CI gate: the fast eval suites on the demo company (hash embedder, offline engine) meet evals/thresholds.yaml;
a deliberate regression (a retriever that drops its top hit) makes ``copilot eval --thresholds`` fail; the HTML
report renders its tables in headless chromium."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from typer.testing import CliRunner

from copilot.core.settings import REPO_ROOT
from evals import runner

THRESHOLDS = REPO_ROOT / "evals" / "thresholds.yaml"


@pytest.fixture(scope="module")
def gate(demo_copilot, tmp_path_factory):
    results = runner.run_suites(demo_copilot, runner.fast_suites())
    out = tmp_path_factory.mktemp("eval-out")
    js, html = runner.write_results(results, out)
    return results, js, html


def test_fast_suites_meet_thresholds(gate):
    results, _, _ = gate
    assert set(results["suites"]) == set(runner.fast_suites())
    assert all(r["status"] == "ok" for r in results["suites"].values()), {
        k: r["note"] for k, r in results["suites"].items() if r["status"] != "ok"}
    assert runner.check_thresholds(results, runner.load_thresholds(THRESHOLDS), only_run=False) == []
    assert results["suites"]["retrieval"]["metrics"]["questions"] >= 60
    assert results["suites"]["safety"]["metrics"]["cases"] >= 9


def test_results_record_models_hashes_and_version(gate):
    results, js, _ = gate
    meta = json.loads(js.read_text())["meta"]
    assert meta["models"]["embeddings"] == "hash" and meta["models"]["llm"] == "none"
    qa = "evals/datasets/qa.yaml"
    assert len(meta["data_hashes"][qa]) == 64 and meta["data_hashes"][qa] == runner.sha256(REPO_ROOT / qa)
    assert meta["code_version"] not in ("", "unknown")


def test_regression_fails_thresholds(demo_copilot, tmp_path, monkeypatch):
    rows = yaml.safe_load((REPO_ROOT / "evals/datasets/qa.yaml").read_text())["cases"][:20]
    small = tmp_path / "qa_small.yaml"
    small.write_text(yaml.safe_dump({"cases": rows}))
    good = runner.run_suites(demo_copilot, ["retrieval"], dataset=small)
    mrr = good["suites"]["retrieval"]["metrics"]["mrr"]
    limits = tmp_path / "limits.yaml"
    limits.write_text(f"retrieval.mrr: {{min: {mrr * 0.95:.4f}}}\n")
    assert runner.check_thresholds(good, runner.load_thresholds(limits)) == []

    original = demo_copilot.services.knowledge.search

    def drops_top_hit(q, scope, **kw):  # the regression: the best document never comes back
        hits = original(q, scope, **kw)
        return [h for h in hits if h.metadata.get("source") != hits[0].metadata.get("source")] if hits else hits

    monkeypatch.setattr(demo_copilot.services.knowledge, "search", drops_top_hit)
    from integrations.cli.common import set_copilot
    from integrations.cli.main import app

    set_copilot(demo_copilot)
    try:
        res = CliRunner().invoke(app, ["eval", "retrieval", "--dataset", str(small), "--thresholds", str(limits),
                                       "--out", str(tmp_path / "out"), "--compare", str(tmp_path / "none.json")])
        assert res.exit_code == 1 and "cannot read" in res.output  # bad --compare path: one-line user error
        (tmp_path / "old.json").write_text(json.dumps(good))
        res = CliRunner().invoke(app, ["eval", "retrieval", "--dataset", str(small), "--thresholds", str(limits),
                                       "--out", str(tmp_path / "out"), "--compare", str(tmp_path / "old.json"),
                                       "--json"])
    finally:
        set_copilot(None)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert any(f.startswith("retrieval.mrr") for f in doc["threshold_failures"])
    mrr = next(r for r in doc["comparison"] if r["metric"] == "mrr")
    assert mrr["delta"] < 0 and mrr["p_mcnemar"] is not None
    assert (tmp_path / "out" / "results.json").exists()


def test_report_renders_in_headless_chromium(gate):
    _, _, html = gate
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (Debian package 'chromium')")
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html.as_uri()],
                         capture_output=True, text=True, timeout=90).stdout
    for suite in runner.fast_suites():
        assert f"id=\"{suite}\"" in dom
    assert dom.count("<table class=\"metrics\">") == len(runner.fast_suites())
    assert "recall@5_bm25" in dom and "<svg" in dom

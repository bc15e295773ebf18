"""Ingest refuses a file over the size limit with one line naming it and the setting; other files go in."""

from __future__ import annotations

import json

from conftest import make_settings
from typer.testing import CliRunner

from copilot.app import Copilot
from integrations.cli.common import set_copilot
from integrations.cli.main import app

runner = CliRunner()


def test_oversized_file_is_refused_and_the_rest_ingests(tmp_path):
    cp = Copilot(make_settings(tmp_path / "home", ingest_max_mb=0.01))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text("pricing policy " * 2000)  # ~30 KB
    (docs / "small.md").write_text("# Discounts\n\nDiscounts above 20% need VP approval.\n")
    set_copilot(cp)
    try:
        r = runner.invoke(app, ["ingest", str(docs), "--json"])
    finally:
        set_copilot(None)
        cp.close()
    data = json.loads(r.stdout)
    assert data["documents"]["added"] == 1
    assert any("big.txt" in e and "MB is over the ingest limit of 0.01 MB" in e and "COPILOT_INGEST_MAX_MB" in e
               for e in data["documents"]["errors"])

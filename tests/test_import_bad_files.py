"""Imports of broken exports end in one line naming the file or row and the fix; nothing stored is lost."""

from __future__ import annotations

import csv
import shutil

from typer.testing import CliRunner

from integrations.cli.common import set_copilot
from integrations.cli.main import app

runner = CliRunner()


def _copy(shared_data, tmp_path):
    out = tmp_path / "export"
    shutil.copytree(shared_data / "crm_maven", out)
    return out


def test_binary_file_is_one_line(copilot, shared_data, tmp_path):
    export = _copy(shared_data, tmp_path)
    (export / "sales_pipeline.csv").write_bytes(bytes(range(256)) * 800)
    set_copilot(copilot)
    try:
        r = runner.invoke(app, ["import", "crm", str(export), "--mapping", "maven"])
    finally:
        set_copilot(None)
    assert r.exit_code == 1
    assert "sales_pipeline.csv is not a text export" in r.output and "Traceback" not in r.output


def test_huge_cell_is_reported_for_its_row_and_the_rest_imports(copilot, shared_data, tmp_path):
    export = _copy(shared_data, tmp_path)
    rows = list(csv.reader((export / "accounts.csv").open()))
    rows[1][0] = "X" * 5_000_000
    with (export / "accounts.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    set_copilot(copilot)
    try:
        r = runner.invoke(app, ["import", "crm", str(export), "--mapping", "maven", "--json"])
    finally:
        set_copilot(None)
    assert r.exit_code == 0, r.output[-500:]
    assert "accounts.csv:2" in r.stdout and "Traceback" not in r.output
    from knowledge.crm.models import Account

    with copilot.services.crm.session() as s:  # the unreadable row is left out; deals still name its account
        names = {a.name for a in s.query(Account)}
    assert len(names) == 85 and not any(n.startswith("XXXX") for n in names)


def test_import_report_states_how_teams_and_reporting_lines_were_built(copilot, shared_data):
    set_copilot(copilot)
    try:
        r = runner.invoke(app, ["import", "crm", str(shared_data / "crm_maven"), "--mapping", "maven", "--json"])
    finally:
        set_copilot(None)
    import json

    notes = [n for n in json.loads(r.stdout)["notes"] if n.startswith("structure:")]
    assert notes == ["structure: 3 team(s) built from column 'regional_office'; 35 people report to 6 manager(s) "
                     "through column 'manager'. Managers see their reporting tree (their team's records only where "
                     "no reporting line is set); change lines with 'copilot users set NAME --manager M'"]

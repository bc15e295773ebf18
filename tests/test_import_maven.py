"""Importing the Maven CRM sample (shared data) with the shipped mapping: exact counts, fixes, idempotence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from copilot.app import Copilot
from integrations.cli.common import set_copilot
from integrations.cli.main import app
from knowledge.crm.importer import import_crm
from knowledge.crm.models import Account, Deal, ImportRun, Product, StageChange, Team, User


@pytest.fixture(scope="module")
def maven(shared_data: Path) -> Path:
    return shared_data / "crm_maven"


@pytest.fixture(scope="module")
def loaded(maven, tmp_path_factory):
    """One import shared by the read-only tests of this module (importing takes about a second)."""
    from conftest import make_settings

    cp = Copilot(make_settings(tmp_path_factory.mktemp("maven") / "home"))
    report = import_crm(cp.services.crm, maven, "maven")
    yield cp, report
    cp.close()


@pytest.fixture
def imported(loaded):
    return loaded[1]


def test_exact_counts(loaded, imported):
    copilot = loaded[0]
    with copilot.services.crm.session() as s:
        assert s.scalar(select(func.count()).select_from(Deal)) == 8800
        assert s.scalar(select(func.count()).select_from(Account)) == 85
        assert s.scalar(select(func.count()).select_from(Team)) == 3
        assert s.scalar(select(func.count()).select_from(Product)) == 7
        roles = dict(s.execute(select(User.role, func.count()).group_by(User.role)).all())
        stages = dict(s.execute(select(Deal.stage, func.count()).group_by(Deal.stage)).all())
    assert roles == {"rep": 35, "manager": 6}
    assert stages == {"closed_won": 4238, "closed_lost": 2473, "qualification": 1589, "prospecting": 500}
    assert imported.counts["deals"] == {"created": 8800, "updated": 0, "unchanged": 0}
    assert imported.error_count == 0


def test_dirty_data_is_reported_with_file_and_line(imported):
    fixes = imported.to_dict()["fixes"]
    assert fixes["product_alias"]["count"] == 1480
    assert fixes["product_alias"]["examples"][0] == "sales_pipeline.csv:3: GTXPro -> GTX Pro"
    assert fixes["sector_alias"]["count"] == 12
    assert fixes["sector_alias"]["examples"][0] == "accounts.csv:2: technolgy -> technology"
    assert fixes["deal_without_account"]["count"] == 1425
    assert fixes["amount_from_list_price"]["count"] == 2473 + 1589 + 500
    assert fixes["close_date_missing"]["count"] == 2089
    assert "unknown_sector" not in fixes


def test_people_teams_and_derived_owners(loaded):
    copilot = loaded[0]
    with copilot.services.crm.session() as s:
        anna = s.get(User, "maven:user:anna-snelling")
        assert (anna.role, anna.team_id, anna.manager_id) == ("rep", "maven:team:central", "maven:user:dustin-brinkmann")
        dustin = s.get(User, "maven:user:dustin-brinkmann")
        assert (dustin.role, dustin.team_id) == ("manager", "maven:team:central")
        # Central has two managers; the team's manager is the one with more reps (Melvin Marxen, 6 vs 5).
        assert s.get(Team, "maven:team:central").manager_id == "maven:user:melvin-marxen"
        deal = s.get(Deal, "maven:deal:Z063OYW0")
        assert deal.name == "Isdom - GTX Pro"
        assert deal.product_id == "maven:product:gtx-pro"
        assert (deal.stage, deal.amount, str(deal.closed_on)) == ("closed_won", 4514.0, "2017-03-11")
        assert (deal.owner_id, deal.team_id) == ("maven:user:darcel-schlecht", "maven:team:central")
        lost = s.get(Deal, "maven:deal:KWVA7VR1")  # lost, close_value 0 -> GTX Pro list price
        assert (lost.stage, lost.amount) == ("closed_lost", 4821.0)
        open_ = s.get(Deal, "maven:deal:HAXMC4IX")  # engaging, no account, no close date
        assert (open_.stage, open_.account_id, open_.close_date, open_.closed_on) == ("qualification", None, None, None)
        acme = s.scalars(select(Account).where(Account.name == "Acme Corporation")).one()
        assert acme.sector == "technology" and acme.is_customer
        # owner = rep with most deals on the account
        per_rep = dict(s.execute(select(Deal.owner_id, func.count()).where(Deal.account_id == acme.id)
                                 .group_by(Deal.owner_id)).all())
        assert per_rep[acme.owner_id] == max(per_rep.values())
        owner = s.get(User, acme.owner_id)
        assert acme.team_id == owner.team_id
        assert s.scalar(select(func.count()).select_from(StageChange)) == 8800


def test_reimport_is_idempotent(loaded, maven, imported):
    copilot = loaded[0]
    again = import_crm(copilot.services.crm, maven, "maven")
    for entity, counts in again.counts.items():
        assert counts["created"] == 0 and counts["updated"] == 0, entity
    assert again.counts["deals"]["unchanged"] == 8800
    assert again.totals == imported.totals
    with copilot.services.crm.session() as s:
        assert s.scalar(select(func.count()).select_from(StageChange)) == 8800
        assert s.scalar(select(func.count()).select_from(ImportRun)) == 2
        run = s.get(ImportRun, again.run_id)
        assert run.mapping == "maven" and run.report["counts"]["deals"]["unchanged"] == 8800


def test_malformed_rows_reported_rest_lands(copilot, maven, tmp_path):
    folder = tmp_path / "maven"
    shutil.copytree(maven, folder)
    pipeline = folder / "sales_pipeline.csv"
    lines = pipeline.read_text().splitlines()
    lines[1] = lines[1].replace(",1054", ",10x54")  # line 2: non-numeric close_value
    lines[4] = lines[4].replace("2017-03-09", "2017-13-45")  # line 5: bad date
    pipeline.write_text("\n".join(lines) + "\n")
    report = import_crm(copilot.services.crm, folder, "maven")
    assert report.error_count == 2
    assert report.errors[0]["where"] == "sales_pipeline.csv:2"
    assert "amount" in report.errors[0]["message"] and "10x54" in report.errors[0]["message"]
    assert report.errors[1]["where"] == "sales_pipeline.csv:5"
    assert "close_date" in report.errors[1]["message"]
    assert copilot.services.crm.count(Deal) == 8798


def test_cli_json_and_table(copilot, maven):
    set_copilot(copilot)
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["import", "crm", str(maven), "--mapping", "maven", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["totals"]["deals"] == 8800 and data["totals"]["accounts"] == 85
        assert data["fixes"]["product_alias"]["count"] == 1480
        result = runner.invoke(app, ["import", "crm", str(maven), "-m", "maven"])
        assert result.exit_code == 0, result.output
        assert "unchanged" in result.stdout and "product_alias" in result.stdout
    finally:
        set_copilot(None)

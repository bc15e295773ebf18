"""Salesforce and HubSpot exports (small realistic samples written here), JSON exports, user matching,
malformed rows with file:line, mapping errors, and the CLI's exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from copilot.core.errors import ConfigError, NotFound, UserError
from integrations.cli.common import set_copilot
from integrations.cli.main import app
from knowledge.crm.importer import import_crm
from knowledge.crm.mapping import load_mapping, shipped_mappings
from knowledge.crm.models import Account, Deal, ImportRun, StageChange, Team, User

SALESFORCE_CSV = """\ufeff"Opportunity ID","Opportunity Name","Account Name","Stage","Amount","Close Date","Created Date","Opportunity Owner","Owner Email","Type","Next Step","Probability (%)","Forecast Category"
"0065g00000AbC01","Brightwell Health - Observe","Brightwell Health","Needs Analysis","$45,000.00","03/28/2025","01/10/2025","Jordan Lee","jordan.lee@skylarkdata.com","New Business","Technical demo for the data team","20","Pipeline"
"0065g00000AbC02","Kestrel Manufacturing - Enterprise Suite","Kestrel Manufacturing","Negotiation/Review","120000","02/14/2025","11/02/2024","Sam Ortiz","sam.ortiz@skylarkdata.com","New Business","Revise proposal:
discount for a 3-year term","80","Commit"
"0065g00000AbC03","Alder Financial - Renewal","Alder Financial","Proposal/Price Quote","60,000","04/30/2025","01/05/2025","Jordan Lee","JORDAN.LEE@skylarkdata.com","Renewal","","60","Best Case"
"0065g00000AbC04","Nimbus Retail - Pipelines","Nimbus Retail","Value Proposition","twelve thousand","05/15/2025","01/20/2025","Sam Ortiz","sam.ortiz@skylarkdata.com","New Business","Pilot kickoff","40","Pipeline"
"0065g00000AbC05","Harbor Logistics - Govern","Harbor Logistics","Closed Won","58,500.00","01/31/2025","10/01/2024","Riley Chen","riley.chen@skylarkdata.com","Existing Customer - Upgrade","","100","Closed"
"0065g00000AbC06","Quarry Labs - Observe","Quarry Labs","Closed Lost","","12/20/2024","09/15/2024","Riley Chen","riley.chen@skylarkdata.com","New Business","","0","Omitted"
"""

HUBSPOT_CSV = """Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Company,Pipeline,Deal Type
9001,Brightwell Health - Observe,appointmentscheduled,45000,2025-03-28,2025-01-10 09:30,Jordan Lee,Brightwell Health,Sales Pipeline,newbusiness
9002,Kestrel Manufacturing - Enterprise Suite,contractsent,120000,2025-02-14,2024-11-02 14:00,Sam Ortiz,Kestrel Manufacturing,Sales Pipeline,newbusiness
9003,Alder Financial - Renewal,decisionmakerboughtin,60000,2025-04-30,2025-01-05 10:15,Jordan Lee,Alder Financial,Sales Pipeline,existingbusiness
9004,Nimbus Retail - Pipelines,presentationscheduled,30000,2025-02-30,2025-01-20 16:45,Sam Ortiz,Nimbus Retail,Sales Pipeline,newbusiness
9005,Inbound lead - Observe,qualifiedtobuy,,,2025-02-01 08:00,Riley Chen,,Sales Pipeline,newbusiness
9006,Harbor Logistics - Govern,closedwon,58500,2025-01-31,2024-10-01 11:00,Riley Chen,Harbor Logistics,Sales Pipeline,existingbusiness
9007,Quarry Labs - Observe,Closed Lost,45000,2024-12-20,2024-09-15 12:00,Riley Chen,Quarry Labs,Sales Pipeline,newbusiness
"""


@pytest.fixture
def sf_file(tmp_path: Path) -> Path:
    path = tmp_path / "opportunities.csv"
    path.write_text(SALESFORCE_CSV, encoding="utf-8")
    return path


@pytest.fixture
def hs_file(tmp_path: Path) -> Path:
    path = tmp_path / "deals.csv"
    path.write_text(HUBSPOT_CSV, encoding="utf-8")
    return path


def _seed_rep(copilot, uid: str, name: str, email: str | None, team: str | None = None) -> None:
    with copilot.services.crm.session() as s:
        if team:
            s.add(Team(id=team, name=team.title(), source="demo"))
            s.flush()
        s.add(User(id=uid, name=name, email=email, role="rep", team_id=team, source="demo"))


def test_salesforce_export(copilot, sf_file):
    _seed_rep(copilot, "demo:user:jordan", "Jordan Lee", "jordan.lee@skylarkdata.com", team="east")
    report = import_crm(copilot.services.crm, sf_file, "salesforce")
    assert report.error_count == 1
    assert report.errors[0]["where"] == "opportunities.csv:6"  # lines 3-4 are one record (a newline in a quoted cell)
    assert "twelve thousand" in report.errors[0]["message"] and "Amount" in report.errors[0]["message"]
    assert report.counts["deals"]["created"] == 5
    with copilot.services.crm.session() as s:
        d1 = s.get(Deal, "sf:deal:0065g00000AbC01")
        assert (d1.stage, d1.amount, d1.close_date, d1.created_on) == ("discovery", 45000.0, date(2025, 3, 28), date(2025, 1, 10))
        assert (d1.deal_type, d1.forecast_category, d1.next_step) == ("new", "pipeline", "Technical demo for the data team")
        # existing user matched by email (case-insensitive), not duplicated; deal team = the user's team
        assert (d1.owner_id, d1.team_id) == ("demo:user:jordan", "east")
        d2 = s.get(Deal, "sf:deal:0065g00000AbC02")
        assert (d2.stage, d2.amount, d2.forecast_category) == ("negotiation", 120000.0, "commit")
        assert d2.next_step == "Revise proposal: discount for a 3-year term"
        d3 = s.get(Deal, "sf:deal:0065g00000AbC03")
        assert (d3.stage, d3.deal_type, d3.owner_id, d3.forecast_category) == ("proposal", "renewal", "demo:user:jordan", "best_case")
        won = s.get(Deal, "sf:deal:0065g00000AbC05")
        assert (won.stage, won.closed_on, won.deal_type) == ("closed_won", date(2025, 1, 31), "expansion")
        lost = s.get(Deal, "sf:deal:0065g00000AbC06")
        assert (lost.stage, lost.amount, lost.closed_on) == ("closed_lost", None, date(2024, 12, 20))
        assert s.get(Deal, "sf:deal:0065g00000AbC04") is None
        users = {u.name: u for u in s.scalars(select(User))}
        assert len(users) == 3  # Jordan reused; Sam Ortiz and Riley Chen created as reps
        assert users["Sam Ortiz"].role == "rep" and users["Sam Ortiz"].email == "sam.ortiz@skylarkdata.com"
        assert users["Sam Ortiz"].id == "sf:user:sam-ortiz" and users["Sam Ortiz"].team_id is None
        harbor = s.scalars(select(Account).where(Account.name == "Harbor Logistics")).one()
        assert harbor.is_customer and harbor.owner_id == users["Riley Chen"].id
    assert report.to_dict()["fixes"]["amount_missing"]["count"] == 1
    assert any("Owner Role" in n for n in report.notes)


def test_salesforce_json_export(copilot, tmp_path):
    rows = [
        {"Opportunity ID": "006J1", "Opportunity Name": "Brightwell Health - Observe", "Account Name": "Brightwell Health",
         "Stage": "Qualification", "Amount": 45000, "Close Date": "2025-03-28", "Opportunity Owner": "Jordan Lee",
         "Owner Email": "jordan.lee@skylarkdata.com", "Type": "New Business", "Forecast Category": "Pipeline"},
        {"Opportunity ID": "006J2", "Opportunity Name": "Bad stage", "Account Name": "Nimbus Retail",
         "Stage": "Waiting for Godot", "Amount": 1000, "Close Date": "2025-03-28", "Opportunity Owner": "Jordan Lee"},
        {"Opportunity ID": "006J3", "Opportunity Name": "Null amount", "Account Name": "Nimbus Retail",
         "Stage": "Closed Won", "Amount": None, "Close Date": "2025-01-02", "Opportunity Owner": "Sam Ortiz"},
    ]
    path = tmp_path / "opportunities.json"
    path.write_text(json.dumps(rows, indent=2))
    report = import_crm(copilot.services.crm, path, "salesforce")
    assert [e["where"] for e in report.errors] == ["opportunities.json:14"]
    assert "Waiting for Godot" in report.errors[0]["message"]
    with copilot.services.crm.session() as s:
        assert s.get(Deal, "sf:deal:006J1").stage == "qualification"
        assert s.get(Deal, "sf:deal:006J3").amount is None
        assert s.get(Deal, "sf:deal:006J2") is None


def test_hubspot_export_and_reimport(copilot, hs_file):
    _seed_rep(copilot, "demo:user:sam", "sam ortiz", None)
    report = import_crm(copilot.services.crm, hs_file, "hubspot")
    assert [e["where"] for e in report.errors] == ["deals.csv:5"]
    assert "close_date" in report.errors[0]["message"] and "2025-02-30" in report.errors[0]["message"]
    fixes = report.to_dict()["fixes"]
    assert fixes["deal_without_account"]["count"] == 1
    assert fixes["deal_without_account"]["examples"][0].startswith("deals.csv:6:")
    with copilot.services.crm.session() as s:
        stages = {d.id: d.stage for d in s.scalars(select(Deal))}
        assert stages == {"hubspot:deal:9001": "prospecting", "hubspot:deal:9002": "negotiation",
                          "hubspot:deal:9003": "proposal", "hubspot:deal:9005": "qualification",
                          "hubspot:deal:9006": "closed_won", "hubspot:deal:9007": "closed_lost"}
        d2 = s.get(Deal, "hubspot:deal:9002")
        assert d2.owner_id == "demo:user:sam"  # matched by name, case-insensitive
        assert d2.created_on == date(2024, 11, 2)
        assert s.get(Deal, "hubspot:deal:9003").deal_type == "expansion"
        open_ = s.get(Deal, "hubspot:deal:9005")
        assert (open_.account_id, open_.amount, open_.close_date) == (None, None, None)
        assert s.scalar(select(User).where(User.name == "Jordan Lee")).id == "hubspot:user:jordan-lee"
        n_users = len(list(s.scalars(select(User))))
    again = import_crm(copilot.services.crm, hs_file, "hubspot")
    assert again.counts["deals"] == {"created": 0, "updated": 0, "unchanged": 6}
    assert again.totals == report.totals and again.totals["users"] == n_users == 3
    with copilot.services.crm.session() as s:
        assert len(list(s.scalars(select(StageChange)))) == 6
        assert len(list(s.scalars(select(ImportRun)))) == 2


def test_changed_export_updates_and_records_history(copilot, hs_file):
    import_crm(copilot.services.crm, hs_file, "hubspot")
    hs_file.write_text(HUBSPOT_CSV.replace("9002,Kestrel Manufacturing - Enterprise Suite,contractsent,120000",
                                           "9002,Kestrel Manufacturing - Enterprise Suite,closedwon,108000"))
    report = import_crm(copilot.services.crm, hs_file, "hubspot")
    assert report.counts["deals"] == {"created": 0, "updated": 1, "unchanged": 5}
    with copilot.services.crm.session() as s:
        deal = s.get(Deal, "hubspot:deal:9002")
        assert (deal.stage, deal.amount, deal.closed_on) == ("closed_won", 108000.0, date(2025, 2, 14))
        moves = [(h.from_stage, h.to_stage) for h in deal.history]
        assert moves == [(None, "negotiation"), ("negotiation", "closed_won")]


def test_mapping_errors(tmp_path):
    assert shipped_mappings() == ["hubspot", "maven", "salesforce"]
    with pytest.raises(NotFound, match="hubspot, maven, salesforce"):
        load_mapping("pipedrive")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsource: x\nfiles:\n  deals:\n    path: d.csv\n    key: id\n    fields:\n"
                   "      name: n\n      stage: s\n      amout: a\nstages: {Won: closed_won}\n")
    with pytest.raises(ConfigError, match="files.deals.fields.amout"):
        load_mapping(bad)
    bad.write_text("name: x\nsource: x\nfiles:\n  deals:\n    path: d.csv\n    key: id\n    fields: {name: n, stage: s}\n"
                   "stages: {Won: won_big}\n")
    with pytest.raises(ConfigError, match="stages.Won"):
        load_mapping(bad)
    bad.write_text("name: x\nsource: x\nfiles: [oops\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_mapping(bad)


def test_missing_required_column_is_a_clear_error(copilot, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Record ID,Deal Name,Amount\n1,A,10\n")
    with pytest.raises(UserError, match="no column 'Deal Stage'"):
        import_crm(copilot.services.crm, path, "hubspot")
    assert copilot.services.crm.count(Deal) == 0


def test_cli_import_and_errors(copilot, sf_file, tmp_path):
    set_copilot(copilot)
    runner = CliRunner()
    try:
        ok = runner.invoke(app, ["import", "crm", str(sf_file), "--mapping", "salesforce", "--json"])
        assert ok.exit_code == 0, ok.output
        data = json.loads(ok.stdout)
        assert data["counts"]["deals"]["created"] == 5
        assert data["errors"][0]["where"] == "opportunities.csv:6"
        table = runner.invoke(app, ["import", "crm", str(sf_file), "-m", "salesforce"])
        assert table.exit_code == 0 and "opportunities.csv:6" in table.stdout
        missing = runner.invoke(app, ["import", "crm", str(tmp_path / "nope.csv"), "-m", "salesforce"])
        assert missing.exit_code == 1 and "does not exist" in missing.stderr
        unknown = runner.invoke(app, ["import", "crm", str(sf_file), "-m", "pipedrive"])
        assert unknown.exit_code == 1 and "hubspot, maven, salesforce" in unknown.stderr
        bad = tmp_path / "bad.yaml"
        bad.write_text("name: x\nsource: x\nfiles:\n  deals:\n    path: d.csv\n    key: id\n    fields: {name: n}\n"
                       "stages: {Won: closed_won}\n")
        invalid = runner.invoke(app, ["import", "crm", str(sf_file), "-m", str(bad)])
        assert invalid.exit_code == 1 and "files.deals.fields.stage" in invalid.stderr
        listed = runner.invoke(app, ["import", "mappings", "--json"])
        assert [m["name"] for m in json.loads(listed.stdout)] == ["hubspot", "maven", "salesforce"]
    finally:
        set_copilot(None)


def test_maven_shaped_folder_dirty_rows(copilot, tmp_path):
    """A tiny export in the Maven layout: sector typo and unknown sector, an account and an agent missing from
    their files, a duplicate id and a row with too many cells."""
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "sales_teams.csv").write_text("sales_agent,manager,regional_office\nAna Diaz,Kim Park,North\n")
    (folder / "products.csv").write_text("product,series,sales_price\nGTX Pro,GTX,4821\n")
    (folder / "accounts.csv").write_text(
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Zumma,tecnology,2001,10.5,50,United States,\nOrbit,aerospace,1990,99,400,Philipines,\n")
    (folder / "sales_pipeline.csv").write_text(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
        "A1,Ana Diaz,GTXPro,Zumma,Won,2017-01-02,2017-02-03,4500\n"
        "A2,Ana Diaz,GTX Pro,Nova,Engaging,2017-01-05,,\n"
        "A3,Ben Cole,GTX Pro,Orbit,Lost,2017-01-06,2017-03-01,0\n"
        "A1,Ana Diaz,GTX Pro,Zumma,Won,2017-01-02,2017-02-03,4600\n"
        "A4,Ana Diaz,GTX Pro,Zumma,Won,2017-01-02,2017-02-03,4600,extra\n")
    report = import_crm(copilot.services.crm, folder, "maven")
    fixes = report.to_dict()["fixes"]
    assert fixes["sector_typo"]["examples"] == ["accounts.csv:2: tecnology -> technology"]
    assert fixes["unknown_sector"]["examples"] == ["accounts.csv:3: 'aerospace' kept"]
    assert fixes["account_created_from_deal"]["examples"][0].startswith("sales_pipeline.csv:3:")
    assert fixes["user_created_from_deal"]["examples"][0].startswith("sales_pipeline.csv:4:")
    assert fixes["duplicate_id"]["examples"][0].startswith("sales_pipeline.csv:5:")
    assert report.errors == [{"where": "sales_pipeline.csv:6", "message": "9 cells but the header has 8"}]
    with copilot.services.crm.session() as s:
        assert s.get(Deal, "maven:deal:A1").amount == 4600.0  # the later duplicate wins
        assert s.get(Deal, "maven:deal:A3").amount == 4821.0  # lost with 0 -> list price
        ben = s.scalars(select(User).where(User.name == "Ben Cole")).one()
        assert (ben.role, ben.team_id) == ("rep", None)
        kim = s.get(User, "maven:user:kim-park")
        assert (kim.role, kim.team_id) == ("manager", "maven:team:north")
        assert s.get(Team, "maven:team:north").manager_id == "maven:user:kim-park"
        nova = s.scalars(select(Account).where(Account.name == "Nova")).one()
        assert nova.owner_id == "maven:user:ana-diaz" and not nova.is_customer
        assert s.scalars(select(Account).where(Account.name == "Orbit")).one().region == "Philippines"


def test_new_rep_gets_team_from_export(copilot, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner,Associated Company,"
                    "Pipeline,Deal Type,HubSpot Team\n"
                    "1,Acme - Observe,qualifiedtobuy,45000,2025-05-01,2025-01-01,Lee Wong,Acme,Sales Pipeline,newbusiness,EMEA\n")
    import_crm(copilot.services.crm, path, "hubspot")
    with copilot.services.crm.session() as s:
        lee = s.get(User, "hubspot:user:lee-wong")
        assert (lee.role, lee.team_id) == ("rep", "hubspot:team:emea")
        deal = s.get(Deal, "hubspot:deal:1")
        assert deal.team_id == "hubspot:team:emea"
        acme = s.scalars(select(Account).where(Account.name == "Acme")).one()
        assert (acme.owner_id, acme.team_id) == (lee.id, "hubspot:team:emea")

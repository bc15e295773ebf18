"""A company that is not the demo: Maven's CRM export, the Sourcegraph handbook as its case library, and
persona cards of its own. Call summaries, speech hotwords, role-play and prompts take their competitors,
personas and company name from that data and those settings; nothing of the demo shows through.

Maven's export has no competitor column, so this company's competitors are the ones its library names
(the handbook's "X vs. Sourcegraph" comparison pages); the CRM's competitor field is the other source, and
recording one on a Maven deal adds it.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import make_settings
from test_no_demo_names import demo_names, name_pattern

from copilot.app import Copilot
from copilot.core.domain import OPERATOR
from knowledge.competitors import library_competitors
from knowledge.crm.models import Deal

COMPANY = "Sourcegraph"
REP = "Moses Frase"  # a Maven sales agent
HANDBOOK_COMPETITORS = {"Atlassian Fisheye", "Bitbucket Cloud", "Bitbucket Server", "GitHub", "GitLab",
                        "Google Cloud Source Repositories", "Hound", "Livegrep", "Oracle OpenGrok", "Phabricator"}

CARD = """---
type: persona_card
id: platform-lead-discovery
title: "Cancity: platform lead, first discovery call"
name: Morgan Ellis
role: Director of Platform Engineering
company: Cancity
account: Cancity
industry: retail
company_context: "Retailer with 400 engineers and 3,000 repositories across two code hosts."
pains:
  - "Engineers cannot find where a deprecated API is still called"
competitor: GitLab
opening: "Thanks for making time. We already search code in GitLab, so convince me this is different."
hidden_facts:
  - id: impact
    topic: impact
    fact: "Last quarter a library migration took eleven weeks because nobody could list the call sites."
    vague: "Migrations are slow."
objections:
  - id: competitor
    category: competitor
    text: "GitLab already has code search. Why pay for another tool?"
    pushback: "Our GitLab admins say it is good enough."
    resolve_cues: ["across code hosts", "every repository", "precise", "references"]
    accept: "Searching every host at once would matter for the migration."
next_step: "a trial on the monorepo"
---
# Cancity: discovery

## Example rep lines
- [asked_impact] "What did the last library migration cost you in engineering weeks?"
"""

CALL = """Rep: Thanks for the time. How do your engineers search code today?
Customer: Mostly with Livegrep on one server, and GitLab search for the rest.
Rep: What breaks with that setup?
Customer: Livegrep only covers the monorepo, so migrations take weeks. Sourcegraph came up in our planning.
"""


@pytest.fixture(scope="module")
def other(shared_data, tmp_path_factory):
    from typer.testing import CliRunner

    from integrations.cli.common import set_copilot
    from integrations.cli.main import app

    root = tmp_path_factory.mktemp("other")
    personas = root / "personas"
    personas.mkdir()
    (personas / "platform-lead.md").write_text(CARD)
    cp = Copilot(make_settings(root / "home", company=COMPANY, persona_dir=personas, speech="whisper:tiny.en"))
    set_copilot(cp)
    try:
        done = CliRunner().invoke(app, ["import", "crm", str(shared_data / "crm_maven"), "--mapping", "maven"])
    finally:
        set_copilot(None)
    assert done.exit_code == 0, done.output
    # The handbook is read where it lies (never copied); the whole of it indexes in a few seconds.
    cp.ingest(OPERATOR, [shared_data / "case_library" / "sourcegraph_handbook" / "content"])
    yield cp, root
    cp.close()


def test_call_summaries_detect_this_companys_competitors(other):
    cp, root = other
    transcript = root / "cancity-call.txt"
    transcript.write_text(CALL)
    _, summary, _ = cp.summarize_call(None, transcript, title="Cancity discovery", call_date=date(2017, 6, 1))
    found = [item.category for item in summary.items("competitors")]
    assert sorted(found) == ["GitLab", "Livegrep"]  # named in its library; "Sourcegraph" is us, not a rival
    assert not name_pattern(demo_names()).search(summary.to_markdown())


def test_speech_hotwords_are_this_companys_competitors(other):
    cp, _ = other
    words = [w.strip() for w in cp.services.calls.transcriber().hotwords.split(",")]
    assert words and set(words) <= HANDBOOK_COMPETITORS


def test_a_competitor_recorded_in_the_crm_is_detected_too(other):
    cp, root = other
    with cp.services.crm.session() as s:
        deal = s.get(Deal, "maven:deal:1C1I7A6R")  # a Cancity deal
        deal.competitor = "OpenGrok"  # what a rep records on the deal
    try:
        transcript = root / "opengrok-call.txt"
        transcript.write_text("Customer: We tried OpenGrok years ago and it fell over.\n")
        _, summary, _ = cp.summarize_call(None, transcript, title="Cancity follow-up", call_date=date(2017, 6, 8))
        assert [item.category for item in summary.items("competitors")] == ["OpenGrok"]
    finally:
        with cp.services.crm.session() as s:
            s.get(Deal, "maven:deal:1C1I7A6R").competitor = None


def test_role_play_uses_this_companys_persona_cards(other):
    cp, _ = other
    assert [p.id for p in cp.roleplay_scenarios()] == ["platform-lead-discovery"]
    rep = cp.principal(REP)
    session = cp.roleplay_start(rep, "platform-lead-discovery")
    assert session.opening.startswith("Thanks for making time. We already search code in GitLab")
    _, turn = cp.roleplay_turn(rep, session.id, "Why is GitLab's search not enough for you today?")
    assert not name_pattern(demo_names()).search(turn.text)


def test_rendered_prompts_carry_its_name_and_no_demo_name(other):
    cp, _ = other
    system = cp.services.asker.system_prompt(cp.principal(REP), date(2017, 6, 1))
    assert system.startswith(f"You are the sales copilot of {COMPANY}. You help {REP}")
    assert not name_pattern(demo_names()).search(system)
    # The buyer in role-play is this company's persona (its prompt names no seller: tests/test_no_demo_names.py)
    session = cp.roleplay_start(cp.principal(REP), "platform-lead-discovery")
    assert (session.persona.name, session.persona.company, session.persona.competitor) == (
        "Morgan Ellis", "Cancity", "GitLab")


def test_no_company_configured_means_neutral_prompts(tmp_path):
    cp = Copilot(make_settings(tmp_path / "home", persona_dir=tmp_path / "none"))
    try:
        assert cp.settings.company == ""
        assert cp.services.asker.system_prompt(OPERATOR, date(2017, 6, 1)).startswith(
            "You are the sales copilot of our company.")
        assert cp.roleplay_scenarios() == []  # no persona cards yet: nothing borrowed from the demo
    finally:
        cp.close()


def test_library_competitor_conventions():
    docs = [{"source": "cards/umbrella.md", "title": "Umbrella Analytics", "type": "battle_card",
             "competitor": "Umbrella"},
            {"source": "cards/initech.md", "title": "Initech battlecard", "type": "document"},
            {"source": "cmp/hooli_vs_acme.md", "title": "Hooli vs. Acme", "type": "document"},
            {"source": "cmp/globex_vs_acme.md", "title": "Globex", "type": "document"},
            {"source": "cmp/cloud-vs-server.md", "title": "Acme Cloud vs. Acme Server", "type": "document"}]
    # Acme pairs with more pages than anyone: it is us, and so are its products.
    assert library_competitors(docs) == ["Umbrella", "Initech", "Hooli", "Globex"]
    assert library_competitors(docs, company="Acme") == ["Umbrella", "Initech", "Hooli", "Globex"]
    # One comparison page alone does not say which side is us; the configured name does.
    one = [{"source": "x.md", "title": "Hooli vs. Acme", "type": "document"}]
    assert library_competitors(one) == ["Hooli", "Acme"]
    assert library_competitors(one, company="Acme") == ["Hooli"]

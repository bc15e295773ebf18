"""Bias hints (issue #19 part B), computed from the records: few records, one rep's records dominating (not the
viewer's own), stale data, low confidence, and sectors thin in what the win-odds and renewal-risk models learn
from; the counts are the CRM's own."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import make_settings
from crm_seed import TODAY, seed_small_crm
from test_health import signal_files

from copilot.app import Copilot
from copilot.core.domain import OPERATOR, Answer, Citation, Freshness
from copilot.trust import TrustHints


@pytest.fixture(scope="module")
def cp(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("trust")
    cp = Copilot(make_settings(folder / "home", today=TODAY))
    seed_small_crm(cp.services.crm)
    cp.import_signals(OPERATOR, signal_files(folder / "signals"))
    yield cp
    cp.close()


def deal(i: int) -> Citation:
    return Citation(source_id=f"crm:deal:D-{i}", title=f"D-{i}", kind="crm", record=f"deal:D-{i}")


def codes(hints: list) -> list[str]:  # type: ignore[type-arg]
    return [h.code for h in hints]


def test_hints_follow_the_records(cp: Copilot) -> None:
    hints = TrustHints(cp.services.crm)
    manager, ann = cp.principal("m-east"), cp.principal("r-ann")
    assert codes(hints.for_citations(manager, [], 0.9)) == ["no_sources"]
    assert codes(hints.for_citations(manager, [deal(1)], 0.9)) == ["few_records"]
    three = [deal(1), deal(2), Citation(source_id="crm:account:A-1", title="A-1", kind="crm", record="account:A-1")]
    found = hints.for_citations(manager, three, 0.9)
    assert codes(found) == ["one_rep"] and found[0].text == "3 of 3 records cited belong to one rep (Ann Lee)"
    assert codes(hints.for_citations(ann, three, 0.9)) == []  # her own book is not a bias for her
    mixed = [deal(1), deal(2), deal(4), deal(3)]  # Ann 2, Bob 1, Cara 1: no one rep at 60%
    assert "one_rep" not in codes(hints.for_citations(manager, mixed, 0.9))
    assert codes(hints.for_citations(manager, mixed, 0.3)) == ["low_confidence"]
    stale = Answer(text="x", citations=mixed, confidence=0.9, freshness=Freshness(stale=True, age_hours=80))
    assert hints.for_answer(manager, stale, None)[0].text == "the CRM data was 80 h old when it answered"


def test_thin_sectors_are_counted_from_closed_deals_and_renewals(cp: Copilot) -> None:
    hints = TrustHints(cp.services.crm)
    counts, total = hints.sector_training()
    with cp.services.crm.session() as s:
        from sqlalchemy import func, select

        from knowledge.crm.models import Deal

        closed = s.scalar(select(func.count(Deal.id)).where(Deal.stage.in_(("closed_won", "closed_lost")),
                                                            Deal.account_id.is_not(None)))
    assert total == closed and sum(counts.values()) == total
    found = hints.for_citations(cp.principal("admin"), [deal(1)], 0.9, training=(counts, total))
    thin = [h for h in found if h.code == "thin_sector"]
    assert thin and f"has {counts.get('manufacturing', 0)} of {total} closed deals" in thin[0].text
    renewals = hints.sector_training(renewals=True)
    assert renewals[1] == 0  # the small CRM has no closed renewal
    found = hints.for_citations(cp.principal("admin"), [deal(1)], 0.9, renewals=renewals)
    assert [h.text for h in found if h.code == "thin_renewals"] == [
        "no closed renewals: the renewal-risk model has nothing to learn from yet"]
    one = (Counter({"manufacturing": 1}), 40)  # one renewal of 40 in the sector: thin
    found = hints.for_citations(cp.principal("admin"), [deal(1)], 0.9, renewals=one)
    assert "sector 'manufacturing' has 1 of 40 closed renewals the renewal-risk model learns from" in \
        [h.text for h in found]


def test_health_suggestions_carry_the_renewal_models_coverage(cp: Copilot) -> None:
    cp.health_scan(cp.principal("admin"), propose=True)
    cp.forecast_interventions(cp.principal("admin"), propose=True)
    found = {s.action.tool: codes(s.hints) for s in cp.trust_suggestions(cp.principal("admin"))}
    assert any(t.startswith("health") for t in found) and any(t.startswith("forecast") for t in found)
    for tool, hint_codes in found.items():
        if tool.startswith("health"):
            assert "thin_renewals" in hint_codes and "thin_sector" not in hint_codes
        if tool.startswith("forecast"):
            assert "thin_sector" in hint_codes and "thin_renewals" not in hint_codes

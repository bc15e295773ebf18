"""The tool context is typed and built per question: the clock is read each time, never frozen at start."""

from __future__ import annotations

from datetime import date

from conftest import make_settings
from crm_seed import seed_small_crm

from copilot.app import Copilot
from tools.context import Capabilities, Proposals


def test_today_is_read_at_each_question(tmp_path):
    cp = Copilot(make_settings(tmp_path / "home", today=date(2026, 11, 20)))
    try:
        seed_small_crm(cp.services.crm)
        ann = cp.principal("r-ann")
        assert cp.services.tool_context(ann).today == date(2026, 11, 20)
        cp.settings.today = date(2025, 3, 1)  # an eval pins another "today" for one question
        assert cp.services.tool_context(ann).today == date(2025, 3, 1)
    finally:
        cp.close()


def test_the_context_carries_typed_services_for_the_asker(tmp_path):
    cp = Copilot(make_settings(tmp_path / "home", today=date(2026, 11, 20)))
    try:
        seed_small_crm(cp.services.crm)
        ctx = cp.services.tool_context(cp.principal("m-east"))
        assert ctx.principal.user_id == "m-east" and ctx.scope.principal.user_id == "m-east"
        ledger: Proposals | None = ctx.ledger
        assert ledger is cp.services.actions
        assert ctx.capabilities is cp.services and ctx.crm is cp.services.crm
        caps: Capabilities | None = ctx.capabilities
        assert caps is not None
        assert caps.forecaster is cp.services.forecaster
    finally:
        cp.close()

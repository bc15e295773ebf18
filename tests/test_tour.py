"""`make demo`'s tour runs end to end on a fresh data directory and shows every capability working."""

from __future__ import annotations

import re

from demo import tour


def test_tour_runs_every_section(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COPILOT_EMBEDDINGS", "hash")  # the real model is covered elsewhere; keep this fast
    monkeypatch.setenv("COPILOT_SPEECH", "scripted")
    monkeypatch.setattr(tour, "FAILED", [])
    home = tmp_path / "demo"
    assert tour.main(["--home", str(home)]) == 0
    out = capsys.readouterr().out
    for heading in ("1. The demo company", "2. Ask", "2b. CRM questions", "3. Permissions", "4. The confirmation loop", "5. Calls",
                    "6. Role-play", "7. Managers", "8. Customer health"):
        assert heading in out
    assert "failed" not in out.lower().replace("failed checks", "")
    assert re.search(r"State: executed; outbox: \['A-[0-9a-f]+\.eml'\]", out)
    assert "Approving again is refused" in out and "Audit chain verified: ok=True" in out
    assert "Forecast for team East" in out and "P10" in out
    assert "Daily scan as of" in out and "Daily health scan for Lucia Romero" in out and "Health digest for Maya Chen" in out
    assert "Renewal-risk backtest" in out and "Customer health by segment" in out
    assert "9. Operations" in out and "Database schema: current" in out and ": done, attempt 1 of 2" in out
    assert "gets the same answer" in out
    assert out.count("How I read your question") >= 5 and "not a comparison of two named people" in out
    assert "couldn't find an account matching 'Kestrel Manufacturing'" in out  # another team's account
    assert "11. The web workspace" in out and "/forecast 200" in out and "/customers 200" in out
    assert "Deal timeline of Brightwell Health - Observe" in out and "Brightwell Health discovery call" in out
    assert "Pre-sales tag on Brightwell Health: security" in out and "sees it: True" in out
    assert re.search(r"assigned '.+' to Sam Okafor, due \S+: open", out) and "/forecast/history 200" in out
    assert "/coaching 200" in out and re.search(r"/deals/\S+ 200", out)
    assert "Configuration preview (support weight 25% -> 50%, not saved)" in out and "AI trust: " in out
    assert re.search(r"admin +\S+ +sk-cop_", out)  # a key for the configuration pages
    assert "open http://127.0.0.1:8000/" in out and re.search(r"exec +\S.+ sk-cop_[0-9a-f]+_[0-9a-f]+", out)
    # the admin user exists afterwards, as after 'copilot init'
    from copilot.app import Copilot
    from copilot.core.settings import load_settings

    cp = Copilot(load_settings(home=home, embeddings="hash"))
    assert cp.principal("admin").role.value == "admin"
    # ... and so does role-play with the demo's persona cards, which the demo put in the home's default folder
    assert "kestrel-pricing" in {p.id for p in cp.roleplay_scenarios()}
    cp.close()

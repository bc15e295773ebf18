"""Customer health through the real Bolt app and a fake Slack API: '/copilot health' answers within the
person's scope, an admin's '/copilot health scan' sends each owner their diagnostic report and each manager
a digest as DMs, and App Home shows the health section."""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_fake import FakeSlack
from slack_world import make_world
from test_health import signal_files

from copilot.core.domain import OPERATOR


@pytest.fixture
def world(copilot, tmp_path: Path):
    with FakeSlack() as fake:
        w = make_world(copilot, fake)
        copilot.import_signals(OPERATOR, signal_files(tmp_path / "signals"))
        yield w


def test_health_command_scan_dms_and_app_home(world) -> None:
    world.command("UANN", "health")
    reply = world.fake.wait_for("cmd")[0]["text"]
    assert "Acme Robotics" in reply and "Globex" not in reply
    world.command("UANN", "health Globex Shipping")
    assert "no account matching 'Globex Shipping'" in world.fake.wait_for("cmd", 2)[1]["text"]
    world.command("UANN", "health value Acme Robotics")
    value = world.fake.wait_for("cmd", 3)[2]["text"]
    assert value.startswith("Value summary for Acme Robotics") and "waiting for your approval" in value
    world.command("UADMIN", "health scan")
    summary = world.fake.wait_for("cmd", 4)[3]["text"]
    assert "owner report(s) and digest(s) sent as DMs" in summary
    dms = {m["channel"]: m["text"] for m in world.fake.wait_for("chat.postMessage", 2)}
    assert dms["DANN"].startswith("Daily health scan for Ann Lee") and "Acme Robotics" in dms["DANN"]
    assert "Globex" not in dms["DANN"]
    assert dms["DMARIA"].startswith("Health digest for Maria East")
    world.event({"type": "app_home_opened", "user": "UANN", "tab": "home"}, "EvHome1")
    view = str(world.fake.wait_for("views.publish")[0]["view"])
    assert "Customer health" in view and "Acme Robotics" in view and "Daily health scan" in view

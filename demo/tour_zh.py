"""The tour's Chinese step: a call held in Chinese summarized in Chinese, and a role-play in Chinese."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown

from copilot.app import Copilot

console = Console()
CALL = Path(__file__).parent / "calls" / "zh-kestrel-call.txt"
TRAINEE_ZH = ["这件事你们计划了多少预算？", "良率报表每晚一天，会给工厂带来多少损失？",
              "我周四之前把修改后的方案发给您，周五下午两点约您和王慧三十分钟，可以吗？"]


def tour_chinese(cp: Copilot) -> None:
    rep = cp.principal("u-daniel-park")
    _call_id, summary, _transcript = cp.summarize_call(rep, CALL, title="Kestrel 工厂数据沟通",
                                                       call_date=date(2026, 11, 30))
    console.print(f"A transcript in Chinese ({CALL.name}), summarized in {summary.language}, each item with its time:")
    console.print(Markdown(summary.to_markdown()))
    session = cp.roleplay_start(rep, "zh-kestrel-pricing")
    console.print(f"\n[bold]Role-play in Chinese[/bold] ({session.persona.id}). Buyer: {session.opening}")
    for line in TRAINEE_ZH:
        session, turn = cp.roleplay_turn(rep, session.id, line)
        console.print(f"  Trainee: {line}\n  Buyer:   {turn.text}")
    score = cp.roleplay_finish(rep, session.id)
    console.print(f"Score {score.score:.0f}/100; coaching: {score.feedback.message}")

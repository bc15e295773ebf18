"""Offline answer for the role-play capability: the scenarios there are, and how to start one."""

from __future__ import annotations

from tools.compose import Composer
from tools.context import ToolContext
from tools.entities import Entities
from tools.roleplay.tools import StartRoleplayToolArgs, start_roleplay


def roleplay(ctx: ToolContext, c: Composer, ent: Entities, question: str) -> float:
    res = start_roleplay(ctx, StartRoleplayToolArgs())
    c.add("Practice calls with a simulated buyer, scored with the coaching rubric. Scenarios: "
          + ", ".join(f"`{s}`" for s in res.scenarios))
    c.add("Start one with `copilot roleplay start SCENARIO --as YOU` (or `/copilot roleplay SCENARIO` in Slack).")
    return 0.8


HANDLERS = {"roleplay": roleplay}

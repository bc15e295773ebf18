"""Tools of the capability packages (forecast, calls, role-play, actions), registered as they land."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.registry import ToolSpec

EXTRA_TOOLS: list[ToolSpec] = []

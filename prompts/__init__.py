"""Prompt templates live here as files and are rendered in one place: ``render(name, **values)``.

Templates use ``{{ name }}`` placeholders; a missing value is an error, not an empty string. ``name`` is a
file in this directory, or a path to a template kept elsewhere (a deployment's own role-play prompt).
"""

from __future__ import annotations

import re
from pathlib import Path

PROMPTS_DIR = Path(__file__).parent
_VAR = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def load(name: str | Path) -> str:
    path = name if isinstance(name, Path) else PROMPTS_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"prompt template {name!r} not found in {PROMPTS_DIR}")
    return path.read_text(encoding="utf-8")


def render(name: str | Path, /, **values: object) -> str:
    template = load(name)
    missing = sorted({m for m in _VAR.findall(template) if m not in values})
    if missing:
        raise KeyError(f"prompt {name!r} needs values for: {', '.join(missing)}")
    return _VAR.sub(lambda m: str(values[m.group(1)]), template)

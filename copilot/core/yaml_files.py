"""Rules files sales ops edit (YAML validated by a pydantic model): read one, and say in one line what is wrong."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from copilot.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def load_validated(path: Path, model: type[M], *, see: Path | str) -> M:
    """``path`` parsed as a YAML mapping and validated by ``model``. Any problem is one ConfigError naming the
    file and the YAML line or the key, with a hint to the shipped example ``see``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path} is not valid YAML{where}", hint="check indentation and colons") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must be a YAML mapping of keys", hint=f"see {see}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = str(err["msg"]).removeprefix("Value error, ")
        head, sep, rest = msg.partition(": ")
        if sep and re.fullmatch(r"[\w.\[\]-]+", head):  # a model check that names its key: 'weights: must sum to 1'
            where, msg = head, rest
        raise ConfigError(f"{path} is invalid at '{where}': {msg}", hint=f"see {see}") from None

"""Helpers importable by test modules (conftest fixtures are not importable)."""

from __future__ import annotations

from pathlib import Path

from conftest import make_settings


def make_settings_for(tmp_path: Path, **overrides: object):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path / "home", **overrides)

"""Shared fixtures: a temp data directory per test, offline providers, no network to real models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# Settings come from arguments in tests, never from the developer's environment or .env.
for _k in [k for k in os.environ if k.startswith("COPILOT_")]:
    del os.environ[_k]

from copilot.app import Copilot  # noqa: E402
from copilot.core.settings import REPO_ROOT, Settings, load_settings  # noqa: E402

SHARED_DATA = Path(os.environ.get("SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
DEMO_PERSONAS = REPO_ROOT / "demo" / "library" / "personas"  # most role-play tests practise the demo's cards


def make_settings(home: Path, **overrides: object) -> Settings:
    base: dict[str, object] = {"home": home, "llm": "none", "embeddings": "hash", "speech": "scripted",
                               "shared_data": SHARED_DATA, "persona_dir": DEMO_PERSONAS}
    base.update(overrides)
    return load_settings(**base)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def copilot(settings: Settings):
    cp = Copilot(settings)
    yield cp
    cp.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_copilot(tmp_path_factory: pytest.TempPathFactory):
    """The demo company built once (anchor 2026-11-20, hash embedder). Read-only: do not mutate it."""
    from datetime import date

    from demo.build import build_demo, demo_settings

    cp = Copilot(make_settings(tmp_path_factory.mktemp("demo") / "home", embeddings="hash", **demo_settings()))
    cp.demo_summary = build_demo(cp, today=date(2026, 11, 20))
    yield cp
    cp.close()

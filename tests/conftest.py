"""Shared fixtures: a temp data directory per test, offline providers, no network to real models."""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _local_only(real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        base_url = getattr(self, "base_url", None)
        if urlsplit(base_url or "").hostname not in LOCAL_HOSTS:
            pytest.fail(f"{type(self).__name__}.{real.__name__} tried a real model endpoint "
                        f"({base_url or 'the provider default'}): use copilot.testing.ScriptedChatModel, "
                        "or FakeOpenAIServer for the wire format")
        return real(self, *args, **kwargs)

    return call


@pytest.fixture(autouse=True)
def disable_real_model_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that calls a real model client; wire tests against a local fake server still run."""
    from copilot.core.embeddings import OpenAIEmbedder
    from copilot.core.langchain_chat import LangChainChatModel

    for cls, methods in ((LangChainChatModel, ("complete", "structured")), (OpenAIEmbedder, ("embed",))):
        for name in methods:
            monkeypatch.setattr(cls, name, _local_only(getattr(cls, name)))


@pytest.fixture(scope="session", autouse=True)
def migrated_template(tmp_path_factory: pytest.TempPathFactory):
    """New SQLite homes start from one database migrated once per process (tests/schema_template.py)."""
    import schema_template

    with pytest.MonkeyPatch.context() as mp:
        schema_template.install(mp, tmp_path_factory.mktemp("schema-template"))
        yield


@pytest.fixture(autouse=True)
def real_migrations(request: pytest.FixtureRequest):
    """Tests marked ``real_migrations`` run every Alembic revision in-process for a new home too."""
    import schema_template

    schema_template.enabled = request.node.get_closest_marker("real_migrations") is None
    yield
    schema_template.enabled = True


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


@pytest.fixture(scope="session")
def maven(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real Maven CRM export imported once. Read-only: do not mutate it."""
    from knowledge.crm.importer import import_crm

    cp = Copilot(make_settings(tmp_path_factory.mktemp("maven") / "home"))
    import_crm(cp.services.crm, shared_data / "crm_maven", "maven")
    yield cp
    cp.close()


@pytest.fixture(scope="session")
def maven_csv(shared_data: Path) -> Callable[[str], list[dict[str, str]]]:
    """The rows of one file of the Maven export, read with csv, for expected values computed apart from the
    engine. Read-only: the lists are shared by every test."""

    @functools.cache
    def read(name: str) -> list[dict[str, str]]:
        with open(shared_data / "crm_maven" / name, newline="") as f:
            return list(csv.DictReader(f))

    return read


@pytest.fixture(scope="session")
def maven_tables(maven_csv: Callable[[str], list[dict[str, str]]]) -> tuple[list[dict[str, str]], dict, dict]:
    """(pipeline rows, accounts by name, each rep's team row) of the Maven export, read with csv: expected values
    computed apart from the engine. Read-only."""
    accounts = {r["account"]: r for r in maven_csv("accounts.csv")}
    teams = {r["sales_agent"]: r for r in maven_csv("sales_teams.csv")}
    return maven_csv("sales_pipeline.csv"), accounts, teams


# -- real servers (tests/servers.py): started once per session, only when a test asks for one ------------
@pytest.fixture(scope="session")
def postgres_admin_url():
    from servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A new, empty database on each engine the product supports: a SQLite file, then a database on a real
    Postgres server. Tests taking this run twice."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crm.db'}"
        return
    from servers import create_database, drop_database

    admin = request.getfixturevalue("postgres_admin_url")
    name = f"t_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    yield create_database(admin, name)
    drop_database(admin, name)


@pytest.fixture(scope="session")
def chroma_url():
    from servers import chroma_server

    with chroma_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url():
    from servers import redis_server

    with redis_server() as url:
        yield url

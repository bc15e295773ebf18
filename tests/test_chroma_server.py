"""A real Chroma server (``chroma run``, started by tests/servers.py) behaves like the embedded store: the
same collections, the same hits under every scope's filters, the same erasure."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_settings
from test_knowledge_store import seed_crm, write_library

from copilot.app import Copilot
from copilot.core.domain import OPERATOR, Principal, Role
from copilot.core.visibility import Scope, scope_for

pytestmark = pytest.mark.servers

ADMIN = scope_for(Principal(user_id="admin", name="Admin", role=Role.ADMIN))
QUERIES = ["what's the latest with Brightwell Health?", "HIPAA security questionnaire BAA",
           "Kestrel discount OpsHawk", "renewal risk adoption", "total cost of ownership"]


@pytest.fixture
def chroma(chroma_url: str):
    """The session's server, emptied: each test starts with no collections."""
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    for col in client.list_collections():
        client.delete_collection(col.name)
    return chroma_url


@pytest.fixture
def pair(chroma: str, tmp_path: Path):
    """The same company twice: vectors embedded under its home, and on the Chroma server."""
    write_library(tmp_path / "lib")
    copilots = {}
    for kind, url in (("embedded", None), ("server", chroma)):
        cp = Copilot(make_settings(tmp_path / kind, chroma_url=url))
        seed_crm(cp)
        cp.services.knowledge.ingest_paths([tmp_path / "lib"])
        cp.services.knowledge.sync_crm(cp.services.crm)
        copilots[kind] = cp
    yield copilots
    for cp in copilots.values():
        cp.close()


def _scopes(cp: Copilot) -> dict[str, Scope]:
    people = {u: cp.scope(cp.principal(u)) for u in ("u-ann", "u-bob", "u-cat", "u-max", "u-eve")}
    return {**people, "admin": ADMIN}


def _results(cp: Copilot) -> dict[tuple[str, str, str], list[str]]:
    ks = cp.services.knowledge
    out = {}
    for who, scope in _scopes(cp).items():
        for q in QUERIES:
            out[(who, q, "dense")] = [h.id for h in ks.search_dense(q, scope, k=6)]
            out[(who, q, "hybrid")] = [h.id for h in ks.search(q, scope, k=6)]
    return out


def _collections(cp: Copilot) -> set[tuple[str, int]]:
    client = cp.services.knowledge.vectors.client
    return {(c.name, c.count()) for c in client.list_collections()}


def test_the_server_is_really_used(pair: dict[str, Copilot], chroma: str, tmp_path: Path) -> None:
    import chromadb

    server = pair["server"]
    assert not (tmp_path / "server" / "chroma").exists() or not any((tmp_path / "server" / "chroma").iterdir())
    other = chromadb.HttpClient(host="127.0.0.1", port=int(chroma.rsplit(":", 1)[1]))  # another process's view
    assert {(c.name, c.count()) for c in other.list_collections()} == _collections(pair["embedded"])
    assert server.readiness()["knowledge"]["ok"]


def test_collections_and_filtered_hits_are_the_same(pair: dict[str, Copilot]) -> None:
    embedded, server = pair["embedded"], pair["server"]
    assert _collections(server) == _collections(embedded) and len(_collections(server)) >= 3
    lite, remote = _results(embedded), _results(server)
    assert lite == remote and sum(map(len, lite.values())) > 200
    ann = lite[("u-ann", "what's the latest with Brightwell Health?", "dense")]
    assert ann and not any("A-3" in i or "D-3" in i for i in ann)  # the west team's records are filtered out


def test_erasure_is_the_same(pair: dict[str, Copilot]) -> None:
    for cp in pair.values():
        cp.forget(OPERATOR, account="Brightwell Health")
    embedded, server = pair["embedded"], pair["server"]
    assert _collections(server) == _collections(embedded)
    lite, remote = _results(embedded), _results(server)
    assert lite == remote
    for cp in pair.values():
        texts = [h.text for h in cp.services.knowledge.search_dense("Brightwell Health HIPAA", ADMIN, k=20)]
        assert not any("Brightwell" in t or "Dana" in t for t in texts)

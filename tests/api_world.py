"""Helpers for the HTTP API tests: an app over a seeded small CRM, and keys for its users."""

from __future__ import annotations

from typing import Any

from crm_seed import seed_small_crm
from fastapi.testclient import TestClient

from copilot.core.domain import OPERATOR
from integrations.api import ApiConfig, create_app


def build(copilot: Any, **config: Any) -> tuple[Any, dict[str, str]]:
    """(app, {user_id: key}) over the small CRM (users r-ann, r-bob, r-cara, m-east, m-west, x-eve, admin)."""
    seed_small_crm(copilot.services.crm)
    app = create_app(copilot, config=ApiConfig(**{"rate_per_second": 1000.0, "rate_burst": 1000, **config}))
    keys = {uid: copilot.keys_create(OPERATOR, uid, name="test")[1]
            for uid in ("r-ann", "r-bob", "r-cara", "m-east", "x-eve", "admin")}
    return app, keys


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)

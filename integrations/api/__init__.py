"""The HTTP API (FastAPI): the same operations as the CLI under ``/v1``, API keys mapped to principals.

``create_app(copilot)`` builds the app; ``copilot serve`` runs it with uvicorn.
"""

from integrations.api.app import create_app
from integrations.api.config import ApiConfig

__all__ = ["ApiConfig", "create_app"]

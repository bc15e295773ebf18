"""The web workspace: server-rendered pages for managers, coaches and sales ops on the API's FastAPI app.

``mount_web(app, copilot)`` adds them at ``/`` (``create_app`` does it). Sign-in with an API key; the same
principals and scopes as the API. See docs/web.md.
"""

from integrations.web.app import mount_web
from integrations.web.config import WebConfig

__all__ = ["WebConfig", "mount_web"]

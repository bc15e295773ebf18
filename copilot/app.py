"""The front door: ``Copilot`` is the one object adapters (CLI, API, Slack, the tour) hold.

Every operation takes a ``Principal`` and works out the scope itself; adapters import only this module
and ``copilot.core`` types. The stores and services behind it are built by ``copilot.services.Services``.
"""

from __future__ import annotations

from typing import Any

from copilot.core.settings import Settings
from copilot.services import Services


class Copilot:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.services = Services(settings)

    def __getattr__(self, name: str) -> Any:  # transitional: forwards to the services while adapters move
        if name == "services":
            raise AttributeError(name)
        return getattr(self.services, name)

    def close(self) -> None:
        self.services.close()

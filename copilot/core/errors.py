"""The one exception tree of the project, split by who is at fault.

    CopilotError
    ├── UserError            bad input from the person or their data: fix the input
    │   ├── NotFound         the thing named does not exist (or is not visible to you)
    │   └── ConfigError      a setting is wrong: the message names the setting and the fix
    ├── PermissionDenied     the principal may not see or do this
    ├── ModelError           the LLM misbehaved (bad tool call, timeout, malformed output)
    └── ProviderError        a provider could not be built or reached (missing package, no server)

Every edge (CLI, API, Slack) turns these into one line of text with the fix; nothing else
should be shown to a person as a traceback.
"""

from __future__ import annotations

from pydantic import ValidationError


class CopilotError(Exception):
    """Base class. ``code`` is a stable machine-readable identifier used by the API."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UserError(CopilotError):
    code = "bad_request"


class InvalidRequest(UserError):
    """A request whose fields do not validate (a typed query, a payload); the message names the fields."""

    code = "invalid_request"


class NotFound(UserError):
    code = "not_found"


class ConfigError(UserError):
    code = "bad_config"


class PermissionDenied(CopilotError):
    code = "forbidden"


class ModelError(CopilotError):
    code = "model_error"


class ProviderError(CopilotError):
    code = "provider_error"


def field_problems(exc: ValidationError, *, root: str = "", limit: int | None = None) -> str:
    """A pydantic validation error as one line, ``field.path: message; ...`` (``root`` names an error
    about the whole object), so every caller words invalid input the same way."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or root}: {e['msg']}" for e in exc.errors()[:limit])

"""What the pages share: running a facade call off the event loop, and turning its errors into pages."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
from fastapi import Request
from fastapi.responses import RedirectResponse

from copilot.core.errors import CopilotError, NotFound, PermissionDenied, UserError
from integrations.web.session import Viewer, check_csrf

T = TypeVar("T")


class WebError(Exception):
    """A page that cannot be shown: ``status`` and a one-line message (rendered by the error page)."""

    def __init__(self, status: int, message: str, *, key: str = "error") -> None:
        super().__init__(message)
        self.status, self.message, self.key = status, message, key


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A blocking facade call in a worker thread; the product's errors become ``WebError`` with the status
    the API gives them (a record outside the viewer's scope is 404, the same as one that does not exist)."""
    try:
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
    except NotFound as exc:
        raise WebError(404, str(exc), key="not_found") from None
    except PermissionDenied as exc:
        raise WebError(403, str(exc), key="forbidden") from None
    except UserError as exc:
        raise WebError(400, str(exc)) from None
    except CopilotError as exc:
        raise WebError(503, str(exc)) from None


def require_csrf(viewer: Viewer, token: str) -> None:
    if not check_csrf(viewer, token):
        raise WebError(400, "the form's token does not match this session; reload the page", key="bad_form")


def back_to(request: Request, url: str, flash: str = "") -> RedirectResponse:
    """Post/redirect/get: after a form, show the page again (with a one-line note in ``done``)."""
    from urllib.parse import urlencode

    sep = "&" if "?" in url else "?"
    return RedirectResponse(url + (sep + urlencode({"done": flash}) if flash else ""), status_code=303)

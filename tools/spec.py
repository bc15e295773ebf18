"""A tool is a typed function; ``ToolSpec`` derives its name, description and argument schema from it.

``ToolSpec.run`` validates the raw arguments (from a model or the offline engine) with the tool's
pydantic model before calling it; the principal always comes from the ``ToolContext``.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tools.context import ToolContext, ToolResult


@dataclass(frozen=True)
class ToolSpec:
    name: str
    fn: Callable[[ToolContext, Any], ToolResult]
    args: type[BaseModel]

    @property
    def description(self) -> str:
        return inspect.getdoc(self.fn) or self.name

    def schema(self) -> dict[str, Any]:
        """OpenAI function-calling schema (what is sent on the wire)."""
        params = self.args.model_json_schema()
        params.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": params}}

    def run(self, ctx: ToolContext, raw: dict[str, Any] | BaseModel) -> ToolResult:
        args = raw if isinstance(raw, self.args) else self.args.model_validate(raw)
        return self.fn(ctx, args)

    @classmethod
    def of(cls, fn: Callable[[ToolContext, Any], ToolResult]) -> ToolSpec:
        """The spec of a function ``fn(ctx, args: SomeArgs) -> SomeResult``: its name is the tool's name,
        its docstring the description, and its second parameter's pydantic model the argument schema."""
        second = list(inspect.signature(fn).parameters)[1]
        args = typing.get_type_hints(fn)[second]
        if not (isinstance(args, type) and issubclass(args, BaseModel)):
            raise TypeError(f"tool {fn.__name__}: its second parameter must be annotated with a pydantic model")
        return cls(fn.__name__, fn, args)

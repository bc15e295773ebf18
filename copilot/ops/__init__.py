"""The facade's operations, one module per capability; ``copilot.app.Copilot`` combines them.

Each operation takes a ``Principal`` and derives the scope itself, so no adapter ever builds a scope,
opens a session or reaches a store.
"""

"""Slack adapter (Bolt): mentions, DMs, ``/copilot``, call audio shares, approval cards and App Home.

``build_app(copilot, settings)`` in ``app.py`` wires everything; listeners live in ``listeners/`` one
module per payload family, each with ``register(app, runtime)``; Block Kit rendering is pure functions
in ``blocks.py`` (snapshot-tested). See README.md for the app manifest and install steps.
"""

"""The human confirmation loop: tools propose actions, people decide, a worker executes each exactly once.

``ActionLedger`` (ledger.py) is the entry point; ``Action`` and the payload schemas are in schemas.py.
"""

from copilot.actions.schemas import Action, State

__all__ = ["Action", "State"]

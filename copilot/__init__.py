"""Sales copilot: cited answers over a case library and CRM, with a human confirmation loop.

Layering (imports flow downward only): integrations -> copilot -> tools -> knowledge -> copilot.core.
This package's ``__init__`` imports nothing so that lower layers may import ``copilot.core``.
"""

__version__ = "0.1.0"

"""Role-play coaching: persona cards, a buyer simulator, rubric scoring and progress per trainee.

Public surface: ``RoleplayService`` (built by ``Copilot.roleplay``), ``RoleplaySession.reply/finish``,
``tools.roleplay.tools.start_roleplay`` (the agent tool), ``Score`` and ``BuyerTurn``.
"""

from tools.roleplay.scoring import DISCLAIMER, Score
from tools.roleplay.session import RoleplayService, RoleplaySession
from tools.roleplay.simulator import BuyerTurn

__all__ = ["DISCLAIMER", "BuyerTurn", "RoleplayService", "RoleplaySession", "Score"]

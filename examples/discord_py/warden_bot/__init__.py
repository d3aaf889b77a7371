"""Warden's reference discord.py bot: judge every guild message with Warden, carry out its actions."""

from .actions import ActionContext, ActionRegistry, ActionResult, registry
from .bot import Outcome, WardenBot, intents
from .config import Config, ConfigError

__all__ = ["WardenBot", "Outcome", "intents", "Config", "ConfigError", "ActionRegistry", "ActionContext",
           "ActionResult", "registry"]

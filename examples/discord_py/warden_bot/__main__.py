"""``python -m warden_bot``: runs the bot with the settings in the environment (see config.py)."""

from __future__ import annotations

import logging
import sys

from .bot import WardenBot
from .config import Config, ConfigError


def main() -> int:
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"warden_bot: {error}", file=sys.stderr)
        return 2
    bot = WardenBot(config)
    # discord.py sets up logging (its own handler at INFO) and reconnects the gateway by itself.
    bot.run(config.discord_token, log_level=logging.INFO, root_logger=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the tests share: the fake Discord, a logged-in bot, Discord's gateway payloads, Warden's admin calls.

The bot is a real ``WardenBot`` (discord.py's HTTP client over aiohttp, on loopback to the fake). It
logs in (``GET /users/@me``, ``GET /oauth2/applications/@me``) but never opens a Gateway connection:
the tests hand discord.py's own parser the payloads the Gateway would send (``GUILD_CREATE``,
``MESSAGE_CREATE``), so the guild cache, the Message objects and the ``on_message`` dispatch are the ones a
connected bot gets.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import sys
import tempfile
import unittest
from typing import Any, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # examples/discord_py: warden_bot and fake_discord

import discord  # noqa: E402
from warden_client import Client as WardenClient  # noqa: E402

from fake_discord import BOT_USER_ID, FakeDiscord  # noqa: E402
from gateway_payloads import guild_create, mod_channel_of, sample_rules  # noqa: E402
from warden_admin import WardenAdmin  # noqa: E402
from warden_bot import Config, WardenBot  # noqa: E402

Json = Dict[str, Any]

# The bot's and discord.py's logs go to WARDEN_BOT_TEST_LOG (the test script keeps it when a test fails),
# not into unittest's report.
logging.basicConfig(filename=os.environ.get("WARDEN_BOT_TEST_LOG") or os.devnull, level=logging.INFO,
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def configure_guild(admin: WardenAdmin, guild_id: int) -> None:
    """The guild's moderators' channel and the sample rules (Warden adds its default pack itself)."""
    admin.set_setting(guild_id, "mod_channel_id", str(mod_channel_of(guild_id)))
    for rule in sample_rules():
        admin.put_rule(guild_id, rule)


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise unittest.SkipTest(f"{name} is not set (run scripts/discord-bot-test.sh)")
    return value


class BotTestCase(unittest.IsolatedAsyncioTestCase):
    """A fake Discord and a logged-in bot for each test; ``late_actions`` says how it gets late events."""

    late_actions = "off"
    webhook_port = 0
    webhook_secret: Optional[str] = None
    poll_wait = 2.0

    def warden_settings(self) -> Dict[str, str]:
        # The action tests never reach Warden; the end-to-end ones override this with the real server.
        return {"url": os.environ.get("WARDEN_URL", "http://127.0.0.1:9"),
                "token": os.environ.get("WARDEN_BOT_TOKEN", "unused")}

    async def asyncSetUp(self) -> None:
        self.fake = await FakeDiscord().start()
        self.addAsyncCleanup(self.fake.stop)
        self.state_dir = tempfile.mkdtemp(prefix="warden-bot-state.")
        warden = self.warden_settings()
        self.config = Config(discord_token="fake-discord-token", warden_url=warden["url"], warden_token=warden["token"],
                             mod_channel_id=None, late_actions=self.late_actions, poll_wait=self.poll_wait,
                             state_dir=self.state_dir, webhook_secret=self.webhook_secret,
                             webhook_port=self.webhook_port, discord_api_base=self.fake.api_base)
        self.bot = WardenBot(self.config)
        self.addAsyncCleanup(self.bot.close)
        await self.bot.login(self.config.discord_token)
        assert self.bot.user is not None and str(self.bot.user.id) == BOT_USER_ID
        self.fake.clear()

    def add_guild(self, guild_id: int) -> discord.Guild:
        """Feeds the Gateway's GUILD_CREATE to discord.py, as on joining a guild (on_guild_join runs)."""
        self.bot._connection.parse_guild_create(guild_create(guild_id))  # type: ignore[arg-type,unused-ignore]
        guild = self.bot.get_guild(guild_id)
        assert guild is not None
        return guild

    async def add_polled_guild(self, guild_id: int) -> discord.Guild:
        """``add_guild``, then waits (at most 200 × 50 ms) until the guild's poller has skipped its history,
        so events made after this return are the poller's to perform."""
        guild = self.add_guild(guild_id)
        assert self.bot.pollers is not None
        for _ in range(200):
            if self.bot.pollers.cursor(guild_id) is not None:
                break
            await asyncio.sleep(0.05)
        self.assertIsNotNone(self.bot.pollers.cursor(guild_id), f"guild {guild_id}'s poller never started")
        return guild

    def message(self, data: Json) -> discord.Message:
        """The discord.Message discord.py builds from a MESSAGE_CREATE payload."""
        channel: Any = self.bot.get_channel(int(data["channel_id"]))
        if channel is None:
            channel = self.bot.get_partial_messageable(int(data["channel_id"]),
                                                       guild_id=int(data["guild_id"]) if "guild_id" in data else None)
        return discord.Message(state=self.bot._connection, channel=channel, data=data)  # type: ignore[arg-type]

    def warden_client(self, token_variable: str) -> WardenClient:
        return WardenClient(env("WARDEN_URL"), env(token_variable))

    def routes(self) -> List[str]:
        return [f"{r.method} {r.path}" for r in self.fake.calls()]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)

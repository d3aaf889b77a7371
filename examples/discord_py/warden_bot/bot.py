"""The bot: every guild message goes to Warden, and Warden's actions are carried out in Discord."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import discord
import discord.http
from warden_client import Client as WardenClient
from warden_client import Decision, WardenError

from .actions import ActionContext, ActionRegistry, ActionResult, reason_for, registry
from .config import Config
from .late_actions import CursorStore, EventSink, Pollers, WebhookReceiver
from .message_json import guild_id_of, message_json

log = logging.getLogger("warden_bot")

#: Messages members write; system messages (joins, pins, boosts) carry no text of theirs to judge.
JUDGED_TYPES = (discord.MessageType.default, discord.MessageType.reply)


def intents() -> discord.Intents:
    """The gateway intents the bot asks for, and why each one."""
    wanted = discord.Intents.none()
    # Guilds, their channels and roles in discord.py's cache: message.guild resolves, a member's roles are
    # known for Warden's exempt_roles, and on_guild_join starts the guild's events poller.
    wanted.guilds = True
    # MESSAGE_CREATE for guild channels: the messages to judge.
    wanted.guild_messages = True
    # Privileged (enable it on the Developer Portal's Bot page): without it Discord sends empty `content`
    # for messages that do not mention the bot, and Warden would judge nothing.
    wanted.message_content = True
    # Not `members` (privileged): the member's roles come with each message, and every moderation call
    # goes by id, so the bot never needs the member list.
    return wanted


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: what was sent to Warden, its decision, and each action's result."""
    message: Dict[str, Any]
    decision: Decision
    results: List[ActionResult]


class WardenBot(discord.Client):
    def __init__(self, config: Config, *, warden: Optional[WardenClient] = None,
                 actions: ActionRegistry = registry) -> None:
        if config.discord_api_base:
            # discord.py builds every request URL from this class attribute; the fake Discord sets it.
            discord.http.Route.BASE = config.discord_api_base.rstrip("/")
        # No mentions in anything the bot sends unless a handler allows them (alerts name members).
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none())
        self.config = config
        self.warden = warden or WardenClient(config.warden_url, config.warden_token)
        self.actions = actions
        # Warden's client blocks (urllib), so judging runs in these threads, never on the event loop. A pool
        # of its own bounds how many judgements wait at once, and keeps them out of the default pool that
        # aiohttp's DNS lookups use.
        self._judges = concurrent.futures.ThreadPoolExecutor(max_workers=config.judge_workers,
                                                             thread_name_prefix="warden-judge")
        self.sink = EventSink(self, actions, mod_channel_id=config.mod_channel_id)
        self.pollers: Optional[Pollers] = (
            Pollers(self.warden, self.sink, CursorStore(config.state_dir), wait=config.poll_wait)
            if config.uses_poll else None)
        self.webhook: Optional[WebhookReceiver] = (
            WebhookReceiver(self.sink, config.webhook_secret or "", host=config.webhook_host,
                            port=config.webhook_port, path=config.webhook_path, moderates=config.moderates)
            if config.uses_webhook else None)

    # Lifecycle

    async def setup_hook(self) -> None:
        # Runs inside login(), before the gateway connects: the receiver is up when deliveries start.
        if self.webhook is not None:
            await self.webhook.start()

    async def close(self) -> None:
        if self.pollers is not None:
            await self.pollers.close()
        if self.webhook is not None:
            await self.webhook.close()
        self._judges.shutdown(wait=False)
        await super().close()

    def watch(self, guild_id: int) -> None:
        """Starts the guild's events poller (when polling is on and the guild is moderated)."""
        if self.pollers is not None and self.config.moderates(guild_id):
            self.pollers.ensure(guild_id)

    # Gateway events

    async def on_ready(self) -> None:
        log.info("logged in as %s in %d guild(s)", self.user, len(self.guilds))
        for guild in self.guilds:
            self.watch(guild.id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.watch(guild.id)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.watch(guild.id)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        if self.pollers is not None:
            self.pollers.stop(guild.id)

    async def on_message(self, message: discord.Message) -> None:
        await self.moderate(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        # The raw MESSAGE_UPDATE as Discord sent it: an edit, or the embeds Discord adds to a link later.
        data: Dict[str, Any] = dict(payload.data)  # type: ignore[arg-type,unused-ignore]
        if payload.guild_id is None or not self.config.moderates(payload.guild_id):
            return
        await self.forward({"op": 0, "t": "MESSAGE_UPDATE", "d": data}, guild_id=payload.guild_id,
                           channel_id=payload.channel_id, message_id=payload.message_id)

    # Moderation

    async def forward(self, dispatch: Dict[str, Any], *, guild_id: int, channel_id: Optional[int] = None,
                      message_id: Optional[int] = None) -> Optional[Outcome]:
        """Sends a Gateway dispatch to Warden (``POST /v1/gateway``) and performs the decision's actions; None
        when Warden had nothing to judge or could not be reached (fail open, as for messages)."""
        loop = asyncio.get_running_loop()
        try:
            decision = await loop.run_in_executor(self._judges, self.warden.judge_dispatch, dispatch)
        except WardenError as error:
            log.error("%s in guild %s was not judged: %s", dispatch.get("t"), guild_id, error)
            return None
        if decision is None:
            return None
        actions = decision.get("actions") or []
        rules = ", ".join(m.get("rule", "?") for m in decision.get("matches") or [])
        context = ActionContext(guild_id=guild_id, channel_id=channel_id, message_id=message_id,
                                reason=reason_for(actions, f"Warden automod: {rules}"),
                                source=f"{dispatch.get('t')} {message_id or ''}".strip(), mod_channel_id=self.config.mod_channel_id)
        results = await self.actions.run(self, actions, context)
        if actions:
            log.info("%s: %s -> %s", context.source, decision.get("verdict"), ", ".join(f"{r.type}:{r.status}" for r in results))
        return Outcome(dispatch, decision, results)

    def should_judge(self, message: discord.Message) -> bool:
        guild_id = guild_id_of(message)
        return (guild_id is not None and self.config.moderates(guild_id)
                # Bots and webhooks, this bot's own alerts included: Warden skips them anyway.
                and not message.author.bot and message.webhook_id is None
                and message.type in JUDGED_TYPES)

    async def moderate(self, message: discord.Message) -> Optional[Outcome]:
        """Judges ``message`` with Warden and performs the decision's actions; None when it was not judged."""
        if not self.should_judge(message):
            return None
        payload = message_json(message)
        loop = asyncio.get_running_loop()
        try:
            decision = await loop.run_in_executor(self._judges, self.warden.judge, payload)
        except WardenError as error:
            # Fail open: an unreachable Warden must not take the server's chat down with it. Its client has
            # already retried 503s; the message stays and is logged.
            log.error("message %s was not judged: %s", message.id, error)
            return None
        actions = decision.get("actions") or []
        rules = ", ".join(m.get("rule", "?") for m in decision.get("matches") or [])
        context = ActionContext(guild_id=int(payload["guild_id"]), channel_id=message.channel.id,
                                message_id=message.id, reason=reason_for(actions, f"Warden automod: {rules}"),
                                source=f"message {message.id}", mod_channel_id=self.config.mod_channel_id)
        results = await self.actions.run(self, actions, context)
        if actions:
            log.info("message %s: %s -> %s", message.id, decision.get("verdict"),
                     ", ".join(f"{r.type}:{r.status}" for r in results))
        return Outcome(payload, decision, results)

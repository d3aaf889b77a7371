"""Warden's actions -> Discord REST calls, one handler per action type in one registry.

Warden's actions name Discord ids (``user_id``, ``channel_id``, ``message_id``), not cached objects, and a
member being banned may already have left: so the moderation calls go through the logged-in client's
``discord.http.HTTPClient`` — the layer ``Member.timeout``, ``Guild.ban`` and ``Message.delete`` end in, with
the same routes, rate-limit buckets, 429 handling and ``X-Audit-Log-Reason`` header — instead of
fetching a ``Member`` first (an extra request, and the privileged members intent to cache them).
Messages (alerts, warnings) use discord.py's public objects (``PartialMessageable``, ``DMChannel``).

Every call passes the action's ``reason``, which discord.py sends as ``X-Audit-Log-Reason``, so the
guild's audit log says why. Nothing here retries: discord.py already waits out 429s (the bucket's reset,
or the body's ``retry_after``) and retries 5xx; a second loop on top would double-send.

Adding an action type (when Warden emits a new one) is one decorated function:

    @registry.handler("pin_message")
    async def pin_message(client, action, context): ...
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional

import aiohttp
import discord

log = logging.getLogger("warden_bot.actions")

#: Discord's ban endpoint takes at most 7 days of messages to delete.
MAX_DELETE_MESSAGE_SECONDS = 604_800
#: Discord's message length limit.
MAX_CONTENT = 2000
#: JSON error code Discord answers when a member does not accept DMs from the bot.
CANNOT_DM = 50007

Action = Mapping[str, Any]


@dataclass(frozen=True)
class ActionContext:
    """Where the actions come from: the guild, and (for a judged message) its channel and id."""
    guild_id: int
    channel_id: Optional[int] = None
    message_id: Optional[int] = None
    #: The audit-log reason for actions that carry none (``delete_message`` has no ``reason`` field).
    reason: str = "Warden automod"
    #: What produced the actions, for logs: "message 123", "event 7 (appeal_reversal)".
    source: str = ""
    #: Alerts without a ``channel_id`` go here (the bot's WARDEN_MOD_CHANNEL_ID).
    mod_channel_id: Optional[int] = None


@dataclass(frozen=True)
class ActionResult:
    type: str
    #: ``done``, ``skipped`` (unknown type, nothing to do) or ``failed`` (Discord refused, a field was missing).
    status: str
    detail: str = ""
    #: A failure that may pass (Discord's 5xx after discord.py's own retries, no connection): late actions
    #: are then not acknowledged, so they come again.
    retryable: bool = False


class Skipped(Exception):
    """A handler has nothing it can do (for example an alert with nowhere to go); the message says why."""


Handler = Callable[[discord.Client, Action, ActionContext], Awaitable[str]]


class ActionRegistry:
    """Maps each Warden action ``type`` to the coroutine that performs it."""

    def __init__(self) -> None:
        self._handlers: Dict[str, Handler] = {}

    def handler(self, action_type: str) -> Callable[[Handler], Handler]:
        def register(function: Handler) -> Handler:
            if action_type in self._handlers:
                raise ValueError(f"action type {action_type!r} already has a handler")
            self._handlers[action_type] = function
            return function
        return register

    @property
    def types(self) -> List[str]:
        return sorted(self._handlers)

    async def run(self, client: discord.Client, actions: Iterable[Action], context: ActionContext) -> List[ActionResult]:
        """Performs ``actions`` in Warden's order (the deletion first, the alert last), one at a time:
        a failure is logged and the next action still runs; an unknown type is skipped."""
        results: List[ActionResult] = []
        for action in actions:
            results.append(await self._run_one(client, action, context))
        return results

    async def _run_one(self, client: discord.Client, action: Action, context: ActionContext) -> ActionResult:
        kind = str(action.get("type", ""))
        handler = self._handlers.get(kind)
        if handler is None:
            # A newer Warden may emit types this bot predates: say so, never crash.
            log.warning("%s: unknown Warden action type %r skipped: %s", context.source, kind, dict(action))
            return ActionResult(kind, "skipped", "unknown action type")
        try:
            detail = await handler(client, action, context)
        except Skipped as why:
            log.warning("%s: %s skipped: %s", context.source, kind, why)
            return ActionResult(kind, "skipped", str(why))
        except discord.HTTPException as error:
            log.error("%s: %s failed: Discord answered %s (code %s): %s", context.source, kind, error.status,
                      error.code, error.text)
            return ActionResult(kind, "failed", f"Discord {error.status} code {error.code}: {error.text}",
                                retryable=error.status >= 500)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            log.error("%s: %s failed: no answer from Discord: %r", context.source, kind, error)
            return ActionResult(kind, "failed", f"no answer from Discord: {error!r}", retryable=True)
        except (KeyError, TypeError, ValueError) as error:
            log.error("%s: %s is malformed (%s): %s", context.source, kind, error, dict(action))
            return ActionResult(kind, "failed", f"malformed action: {error}")
        log.info("%s: %s: %s", context.source, kind, detail)
        return ActionResult(kind, "done", detail)


def reason_for(actions: Iterable[Action], fallback: str) -> str:
    """The audit-log reason for actions that carry none: the first reason Warden gave (the punishment's,
    such as "Phishing link (fake Discord domain)"), else ``fallback``."""
    for action in actions:
        if action.get("reason"):
            return str(action["reason"])
    return fallback


def _snowflake(action: Action, key: str) -> int:
    value = action.get(key)
    if value is None:
        raise KeyError(f"{key} is missing")
    return int(value)


def _reason(action: Action, context: ActionContext) -> str:
    return str(action.get("reason") or context.reason)


registry = ActionRegistry()


@registry.handler("delete_message")
async def delete_message(client: discord.Client, action: Action, context: ActionContext) -> str:
    channel_id, message_id = _snowflake(action, "channel_id"), _snowflake(action, "message_id")
    try:
        await client.http.delete_message(channel_id, message_id, reason=_reason(action, context))
    except discord.NotFound:
        return f"message {message_id} was already gone"
    return f"deleted message {message_id} in channel {channel_id}"


@registry.handler("warn")
async def warn(client: discord.Client, action: Action, context: ActionContext) -> str:
    """DMs the member; when their DMs are closed, says it in the channel the message was in."""
    user_id = _snowflake(action, "user_id")
    reason = _reason(action, context)
    guild = client.get_guild(context.guild_id)
    where = f"**{guild.name}**" if guild is not None else "the server"
    try:
        dm = await client.create_dm(discord.Object(user_id))
        await dm.send(f"You have been warned in {where}: {reason}"[:MAX_CONTENT])
        return f"warned user {user_id} by DM"
    except discord.Forbidden as error:
        if error.code != CANNOT_DM:
            raise
    fallback = action.get("channel_id") or context.channel_id
    if fallback is None:
        raise ValueError(f"user {user_id} does not accept DMs and there is no channel to warn them in")
    channel = client.get_partial_messageable(int(fallback), guild_id=context.guild_id)
    await channel.send(f"<@{user_id}> you have been warned: {reason}"[:MAX_CONTENT],
                       allowed_mentions=discord.AllowedMentions(users=[discord.Object(user_id)]))
    return f"warned user {user_id} in channel {fallback} (DMs closed)"


@registry.handler("timeout")
async def timeout(client: discord.Client, action: Action, context: ActionContext) -> str:
    # Warden's ISO 8601 end time goes to Discord as it is (what Member.timeout(until) sends, formatted).
    user_id, until = _snowflake(action, "user_id"), str(action["communication_disabled_until"])
    await client.http.edit_member(context.guild_id, user_id, reason=_reason(action, context),
                                  communication_disabled_until=until)
    return f"timed out user {user_id} until {until}"


@registry.handler("remove_timeout")
async def remove_timeout(client: discord.Client, action: Action, context: ActionContext) -> str:
    user_id = _snowflake(action, "user_id")
    await client.http.edit_member(context.guild_id, user_id, reason=_reason(action, context),
                                  communication_disabled_until=None)
    return f"lifted the timeout of user {user_id}"


@registry.handler("kick")
async def kick(client: discord.Client, action: Action, context: ActionContext) -> str:
    user_id = _snowflake(action, "user_id")
    await client.http.kick(user_id, context.guild_id, reason=_reason(action, context))
    return f"kicked user {user_id}"


@registry.handler("ban")
async def ban(client: discord.Client, action: Action, context: ActionContext) -> str:
    user_id = _snowflake(action, "user_id")
    seconds = min(max(int(action.get("delete_message_seconds") or 0), 0), MAX_DELETE_MESSAGE_SECONDS)
    # discord.py sends delete_message_seconds as a query parameter of PUT /guilds/{g}/bans/{u}.
    await client.http.ban(user_id, context.guild_id, seconds, reason=_reason(action, context))
    return f"banned user {user_id}, deleting {seconds} s of their messages"


@registry.handler("unban")
async def unban(client: discord.Client, action: Action, context: ActionContext) -> str:
    user_id = _snowflake(action, "user_id")
    try:
        await client.http.unban(user_id, context.guild_id, reason=_reason(action, context))
    except discord.NotFound:
        return f"user {user_id} was not banned"
    return f"unbanned user {user_id}"


@registry.handler("set_nickname")
async def set_nickname(client: discord.Client, action: Action, context: ActionContext) -> str:
    # A profile rule's neutral nickname ("Member 4242") over a name that impersonates staff or advertises.
    user_id, nick = _snowflake(action, "user_id"), str(action.get("nick") or "")[:32]
    if not nick:
        raise ValueError("set_nickname without a nick")
    await client.http.edit_member(context.guild_id, user_id, reason=_reason(action, context), nick=nick)
    return f"renamed user {user_id} to {nick!r}"


@registry.handler("add_role")
async def add_role(client: discord.Client, action: Action, context: ActionContext) -> str:
    # A role mute (the guild's mute_role_id); Warden sends the remove_role when it ends.
    user_id, role_id = _snowflake(action, "user_id"), _snowflake(action, "role_id")
    await client.http.add_role(context.guild_id, user_id, role_id, reason=_reason(action, context))
    return f"gave user {user_id} role {role_id}"


@registry.handler("remove_role")
async def remove_role(client: discord.Client, action: Action, context: ActionContext) -> str:
    user_id, role_id = _snowflake(action, "user_id"), _snowflake(action, "role_id")
    try:
        await client.http.remove_role(context.guild_id, user_id, role_id, reason=_reason(action, context))
    except discord.NotFound:
        return f"user {user_id} or role {role_id} is gone"
    return f"removed role {role_id} from user {user_id}"


@registry.handler("incident_actions")
async def incident_actions(client: discord.Client, action: Action, context: ActionContext) -> str:
    # A raid: Discord pauses invites and DMs until the given times (at most 24 hours ahead).
    payload: Any = {"invites_disabled_until": action.get("invites_disabled_until"),
                    "dms_disabled_until": action.get("dms_disabled_until")}
    await client.http.edit_incident_actions(context.guild_id, payload)
    return f"paused invites until {payload['invites_disabled_until']} and DMs until {payload['dms_disabled_until']}"


@registry.handler("alert")
async def alert(client: discord.Client, action: Action, context: ActionContext) -> str:
    target = action.get("channel_id") or context.mod_channel_id
    if target is None:
        raise Skipped(f"no channel_id and no WARDEN_MOD_CHANNEL_ID for: {action.get('content')}")
    channel = client.get_partial_messageable(int(target), guild_id=context.guild_id)
    # The alert names the member (<@id>): tell the moderators without pinging the member.
    await channel.send(str(action.get("content") or "Warden alert")[:MAX_CONTENT],
                       allowed_mentions=discord.AllowedMentions.none())
    return f"alerted channel {target}"

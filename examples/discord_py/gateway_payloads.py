"""Discord's Gateway payloads (GUILD_CREATE, MESSAGE_CREATE), shaped as Discord sends them.

The tests and the demo feed them to discord.py's own parser, so the bot sees the guild cache, Message
objects and ``on_message`` dispatch a connected bot would, without a Gateway connection or an account.
Ids are real-looking snowflakes whose timestamp is now, since Warden's spam windows read message times.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any, Dict, List, Optional, Sequence

import discord.utils

Json = Dict[str, Any]

TRUSTED_ROLE = 1100000000000000077


def general_of(guild_id: int) -> int:
    """The guild's #general; channel ids are per guild, so that several guilds can share one cache."""
    return guild_id + 7


def mod_channel_of(guild_id: int) -> int:
    """The guild's moderators' channel (its ``mod_channel_id`` setting)."""
    return guild_id + 555


_counter = itertools.count(1)


def unique_snowflake() -> int:
    """A fresh id whose timestamp is now, as Discord's ids are (Warden's spam windows read the time)."""
    return discord.utils.time_snowflake(discord.utils.utcnow()) + next(_counter)


# Discord's payloads, shaped as the Gateway sends them

def user_json(user_id: int, name: str, *, bot: bool = False) -> Json:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": None, "avatar": None,
            "bot": bot, "public_flags": 0}


def role_json(role_id: int, name: str, position: int) -> Json:
    return {"id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0,
            "hoist": False, "managed": False, "mentionable": True, "flags": 0}


def guild_create(guild_id: int, name: str = "Warden test guild") -> Json:
    channel = {"type": 0, "position": 0, "permission_overwrites": [], "guild_id": str(guild_id), "nsfw": False,
               "rate_limit_per_user": 0, "topic": None, "last_message_id": None, "parent_id": None, "flags": 0}
    return {"id": str(guild_id), "name": name, "owner_id": "1000000000000000099", "icon": None,
            "roles": [role_json(guild_id, "@everyone", 0), role_json(TRUSTED_ROLE, "trusted", 1)],
            "channels": [{**channel, "id": str(general_of(guild_id)), "name": "general"},
                         {**channel, "id": str(mod_channel_of(guild_id)), "name": "mod-log", "position": 1}],
            "members": [], "emojis": [], "stickers": [], "features": [], "member_count": 3, "large": False,
            "unavailable": False, "threads": [], "voice_states": [], "presences": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [], "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_tier": 0, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "nsfw_level": 0, "preferred_locale": "en-US"}


def message_create(guild_id: Optional[int], author_id: int, content: str, *, channel_id: Optional[int] = None,
                   username: str = "sam", roles: Sequence[int] = (), bot: bool = False,
                   extra: Optional[Json] = None) -> Json:
    """A ``MESSAGE_CREATE`` dispatch's ``d``: what the Gateway sends for a member's message."""
    message_id = unique_snowflake()
    if channel_id is None:
        channel_id = general_of(guild_id) if guild_id is not None else 1000000000000000555
    data: Json = {
        "id": str(message_id), "channel_id": str(channel_id), "type": 0, "content": content,
        "author": user_json(author_id, username, bot=bot),
        "timestamp": discord.utils.snowflake_time(message_id).isoformat(), "edited_timestamp": None,
        "tts": False, "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": False, "flags": 0, "components": [], "nonce": str(message_id),
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        data["member"] = {"roles": [str(r) for r in roles], "joined_at": "2024-01-01T00:00:00+00:00",
                          "deaf": False, "mute": False, "flags": 0, "pending": False, "nick": None,
                          "premium_since": None, "avatar": None, "communication_disabled_until": None}
    data.update(extra or {})
    return data


def sample_rules() -> List[Json]:
    """The rules the demo and end-to-end guilds hold besides Warden's default pack (sample_rules.json):
    one per action kind the pack does not reach with a plain message (warn, timeout, kick)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sample_rules.json"), encoding="utf-8") as handle:
        rules: List[Json] = json.load(handle)["rules"]
    return rules

"""discord.Message -> the message JSON Warden's ``POST /v1/messages`` reads (Discord's own Message shape).

Why rebuild it from the Message object rather than forward the raw gateway payload: discord.py does not
keep the raw ``MESSAGE_CREATE`` dict, and reaching it means either ``on_socket_raw_receive`` (needs
``enable_debug_events`` and decodes every gateway event twice) or wrapping discord.py's private parsers.
Every field Warden reads (``openapi.json``, schema ``DiscordMessage``) survives in the Message object, so
the rebuilt dict is, for those fields, the payload Discord sent. ``tests/test_message_json.py`` checks that
against a raw gateway payload.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import discord


def guild_id_of(message: discord.Message) -> Optional[int]:
    """The message's guild id, also when the guild is not in discord.py's cache (a partial channel)."""
    if message.guild is not None:
        return message.guild.id
    guild_id = getattr(message.channel, "guild_id", None)
    return int(guild_id) if guild_id is not None else None


def message_json(message: discord.Message) -> Dict[str, Any]:
    """The message as Discord's JSON, with the fields Warden reads; raises ValueError for a DM."""
    guild_id = guild_id_of(message)
    if guild_id is None:
        raise ValueError(f"message {message.id} is not from a guild")
    author = message.author
    payload: Dict[str, Any] = {
        "id": str(message.id),
        "guild_id": str(guild_id),
        "channel_id": str(message.channel.id),
        "author": {"id": str(author.id), "username": author.name, "bot": author.bot},
        "content": message.content,
        # Users mentioned; Warden counts them for mention spam. Role mentions are ids, as Discord sends.
        "mentions": [{"id": str(user.id), "username": user.name} for user in message.mentions],
        "mention_roles": [str(role_id) for role_id in message.raw_role_mentions],
        "mention_everyone": message.mention_everyone,
        "attachments": [_attachment(a) for a in message.attachments],
        "embeds": [embed.to_dict() for embed in message.embeds],
        "sticker_items": [{"id": str(s.id), "name": s.name, "format_type": s.format.value} for s in message.stickers],
        "timestamp": message.created_at.isoformat(),
    }
    roles = _roles(author)
    if roles is not None:
        # Exempt roles in Warden's rules match these; the gateway's member.roles never lists @everyone.
        payload["member"] = {"roles": roles}
    return payload


def _roles(author: Any) -> Optional[List[str]]:
    if not isinstance(author, discord.Member):
        return None
    return [str(role.id) for role in author.roles if not role.is_default()]


def _attachment(attachment: discord.Attachment) -> Dict[str, Any]:
    out: Dict[str, Any] = {"id": str(attachment.id), "filename": attachment.filename, "size": attachment.size}
    if attachment.content_type is not None:
        out["content_type"] = attachment.content_type
    return out

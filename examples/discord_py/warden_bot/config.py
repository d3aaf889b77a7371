"""The bot's settings, all from the environment (so the same code runs in a container, a test or a demo)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import FrozenSet, Mapping, Optional

#: How late actions (LLM verdicts, appeal reversals, ...) reach the bot.
LATE_MODES = ("poll", "webhook", "both", "off")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Config:
    #: The bot's Discord token (Developer Portal, Bot page).
    discord_token: str
    #: Warden's base URL and a token of role ``bot`` (``warden admin token create --role bot``).
    warden_url: str
    warden_token: str
    #: Where alerts go when Warden's alert carries no ``channel_id`` (the guild's ``mod_channel_id``
    #: setting is unset). Unset here too: such alerts are logged and skipped.
    mod_channel_id: Optional[int] = None
    #: Only these guilds are moderated and polled; empty means every guild the bot is in.
    guild_ids: FrozenSet[int] = field(default_factory=frozenset)
    #: ``poll`` (long-poll GET /v1/guilds/{g}/events, one task per guild), ``webhook`` (an HTTP receiver
    #: for Warden's signed deliveries), ``both`` (deduplicated by event id), or ``off``.
    late_actions: str = "poll"
    #: Seconds one long-poll holds (Warden allows at most 30).
    poll_wait: float = 25.0
    #: Folder for the long-poll cursors, so a restart resumes where it stopped instead of replaying.
    state_dir: str = "warden-bot-state"
    #: The webhook endpoint's signing secret (``warden admin webhook add`` prints it once).
    webhook_secret: Optional[str] = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8090
    webhook_path: str = "/warden/webhook"
    #: Threads for Warden's blocking calls (the client uses urllib): judging runs there, off the event loop.
    judge_workers: int = 8
    #: Overrides discord.py's API base (``https://discord.com/api/v10``): for the fake Discord only.
    discord_api_base: Optional[str] = None

    def __post_init__(self) -> None:
        if self.late_actions not in LATE_MODES:
            raise ConfigError(f"WARDEN_LATE_ACTIONS must be one of {', '.join(LATE_MODES)}, got {self.late_actions!r}")
        if self.uses_webhook and not self.webhook_secret:
            raise ConfigError(f"WARDEN_LATE_ACTIONS={self.late_actions} needs WARDEN_WEBHOOK_SECRET")
        if not 0 < self.poll_wait <= 30:
            raise ConfigError(f"WARDEN_POLL_WAIT must be in (0, 30] seconds, got {self.poll_wait}")

    @property
    def uses_poll(self) -> bool:
        return self.late_actions in ("poll", "both")

    @property
    def uses_webhook(self) -> bool:
        return self.late_actions in ("webhook", "both")

    def moderates(self, guild_id: int) -> bool:
        return not self.guild_ids or guild_id in self.guild_ids

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Config":
        env = os.environ if env is None else env

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise ConfigError(f"{name} is not set")
            return value

        def number(name: str, default: float) -> float:
            raw = env.get(name, "").strip()
            try:
                return float(raw) if raw else default
            except ValueError:
                raise ConfigError(f"{name} must be a number, got {raw!r}") from None

        def snowflake(name: str, raw: str) -> int:
            if not raw.isdigit():
                raise ConfigError(f"{name} must hold Discord ids (digits), got {raw!r}")
            return int(raw)

        mod_channel = env.get("WARDEN_MOD_CHANNEL_ID", "").strip()
        guilds = [g.strip() for g in env.get("WARDEN_GUILD_IDS", "").split(",") if g.strip()]
        return cls(
            discord_token=required("DISCORD_TOKEN"),
            warden_url=env.get("WARDEN_URL", "http://127.0.0.1:8080").strip(),
            warden_token=required("WARDEN_TOKEN"),
            mod_channel_id=snowflake("WARDEN_MOD_CHANNEL_ID", mod_channel) if mod_channel else None,
            guild_ids=frozenset(snowflake("WARDEN_GUILD_IDS", g) for g in guilds),
            late_actions=env.get("WARDEN_LATE_ACTIONS", "poll").strip() or "poll",
            poll_wait=number("WARDEN_POLL_WAIT", 25.0),
            state_dir=env.get("WARDEN_STATE_DIR", "warden-bot-state").strip() or "warden-bot-state",
            webhook_secret=env.get("WARDEN_WEBHOOK_SECRET") or None,
            webhook_host=env.get("WARDEN_WEBHOOK_HOST", "127.0.0.1").strip() or "127.0.0.1",
            webhook_port=int(number("WARDEN_WEBHOOK_PORT", 8090)),
            webhook_path=env.get("WARDEN_WEBHOOK_PATH", "/warden/webhook").strip() or "/warden/webhook",
            judge_workers=max(1, int(number("WARDEN_JUDGE_WORKERS", 8))),
            discord_api_base=env.get("DISCORD_API_BASE") or None,
        )

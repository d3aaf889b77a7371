"""The demo (scripts/discord-bot-demo.sh runs it): sample messages through the bot's handler, printed as
message -> Warden's decision -> the Discord REST calls the bot made.

It runs the fake Discord and the bot in this process (the bot logs in to the fake over loopback; messages
reach it as Gateway MESSAGE_CREATE payloads through discord.py's parser) against the ``warden serve`` the
script started: WARDEN_URL, WARDEN_BOT_TOKEN, WARDEN_MODERATOR_TOKEN, WARDEN_ADMIN_TOKEN.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import tempfile
import textwrap
from typing import Any, Dict, List, Optional

from warden_client import Client as WardenClient

from fake_discord import FakeDiscord, Request
from gateway_payloads import general_of, guild_create, message_create, mod_channel_of, sample_rules, unique_snowflake
from warden_admin import WardenAdmin
from warden_bot import Config, Outcome, WardenBot

GUILD = 1170000000000000001
SAMPLES = [
    ("sam", "has anyone tried the new map? looks great"),
    ("mallory", "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim"),
    ("al", "WHY IS NOBODY ANSWERING MY QUESTION"),
    ("trent", "buy followers here, 1000 for $5"),
    ("eve", "everyone join our raid on the other server tonight"),
]


class Transcript:
    def __init__(self, guild: int) -> None:
        self.names = {str(general_of(guild)): "#general", str(mod_channel_of(guild)): "#mod-log"}

    def heading(self, text: str) -> None:
        print(f"\n{text}")

    def line(self, text: str, indent: int = 4) -> None:
        print(textwrap.indent(text, " " * indent))

    def decision(self, outcome: Outcome) -> None:
        decision = outcome.decision
        rules = ", ".join(m["rule"] for m in decision["matches"]) or "no rule matched"
        escalation = decision.get("escalation") or {}
        level = f"; escalation level {escalation['level']} ({escalation['points']:.1f} points)" if escalation else ""
        self.line(f"Warden: {decision['verdict']} — {rules}{level}")
        for action in decision["actions"]:
            fields = ", ".join(f"{k}={v}" for k, v in action.items() if k not in ("type", "content") and v is not None)
            self.line(f"action {action['type']}" + (f" ({fields})" if fields else ""), indent=6)

    def calls(self, calls: List[Request]) -> None:
        if not calls:
            self.line("Discord: no calls")
            return
        self.line("Discord REST calls:")
        for call in calls:
            self.line(self._call(call), indent=6)

    def _call(self, call: Request) -> str:
        path = call.path
        query = "?" + "&".join(f"{k}={v}" for k, v in call.query.items()) if call.query else ""
        channel = path.split("/")[2] if path.startswith("/channels/") else None
        where = f"  ({self.names.get(channel or '', 'a DM channel')})" if channel else ""
        body = ""
        if isinstance(call.body, dict):
            shown = {k: v for k, v in call.body.items() if k in ("content", "communication_disabled_until", "recipient_id")}
            if "content" in shown:
                shown["content"] = _short(str(shown["content"]))
            body = f" {shown}" if shown else ""
        reason = f"\n    X-Audit-Log-Reason: {call.reason}" if call.reason else ""
        status = {429: "429 rate limited -> discord.py waits retry_after and retries"}.get(call.status, str(call.status))
        return f"{call.method} {path}{query}{where}{body} -> {status}{reason}"


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def demo() -> None:
    url, bot_token = os.environ["WARDEN_URL"], os.environ["WARDEN_BOT_TOKEN"]
    admin = WardenAdmin(url, os.environ["WARDEN_ADMIN_TOKEN"])
    moderator = WardenClient(url, os.environ["WARDEN_MODERATOR_TOKEN"])
    warden_as_bot = WardenClient(url, bot_token)
    out = Transcript(GUILD)

    fake = await FakeDiscord().start()
    config = Config(discord_token="demo-token", warden_url=url, warden_token=bot_token, late_actions="poll",
                    poll_wait=2, state_dir=tempfile.mkdtemp(prefix="warden-bot-demo."), discord_api_base=fake.api_base)
    bot = WardenBot(config)
    try:
        await bot.login(config.discord_token)
        print(f"bot logged in to the fake Discord at {fake.api_base} as {bot.user} (GET /users/@me)")
        await asyncio.to_thread(admin.set_setting, GUILD, "mod_channel_id", str(mod_channel_of(GUILD)))
        for rule in sample_rules():
            await asyncio.to_thread(admin.put_rule, GUILD, rule)
        print(f"guild {GUILD}: Warden's default pack (rules/) + {len(sample_rules())} sample rules "
              f"(warn, timeout, kick); alerts go to #mod-log ({mod_channel_of(GUILD)})")
        # The Gateway's GUILD_CREATE, as on joining the guild: discord.py caches it, the bot starts its poller.
        bot._connection.parse_guild_create(guild_create(GUILD, "Demo guild"))  # type: ignore[arg-type,unused-ignore]
        # Its first poll skips the guild's history; events from here on are the poller's to perform.
        for _ in range(200):
            if bot.pollers is None or bot.pollers.cursor(GUILD) is not None:
                break
            await asyncio.sleep(0.05)

        # Discord rate-limits the first message deletion: discord.py waits and retries it by itself.
        fake.rate_limit("DELETE", r"/channels/\d+/messages/\d+", times=1, retry_after=0.5)
        blocked: Optional[Outcome] = None
        names: Dict[str, str] = {}
        for number, (name, content) in enumerate(SAMPLES, 1):
            fake.clear()
            user = unique_snowflake()
            names[str(user)] = name
            data = message_create(GUILD, user, content, username=name)
            out.heading(f"[{number}] #general  {name} ({user}): {content}")
            outcome = await bot.moderate(_message(bot, data))
            if outcome is None:
                out.line("not judged (see the bot's log)")
                continue
            out.decision(outcome)
            out.calls(fake.calls(include_429=True))
            if outcome.decision["verdict"] == "block" and blocked is None and "ban" in _types(outcome):
                blocked = outcome

        if blocked is not None:
            fake.clear()
            decision = blocked.decision
            log_id, user_id = int(decision["log_id"] or 0), str(decision["user_id"])
            out.heading(f"[{len(SAMPLES) + 1}] {names[user_id]} appeals automod log {log_id} "
                        "(the ban); moderator 900 approves it")
            appeal = await asyncio.to_thread(warden_as_bot.file_appeal, GUILD, log_id=log_id,
                                             user_id=user_id, reason="I was warning others about that link")
            await asyncio.to_thread(moderator.approve_appeal, GUILD, appeal["id"], moderator_id="900",
                                    note="quoted the scam to warn others")
            # The bot's poller brings the reversal within a long-poll; wait for it to have been carried out.
            for _ in range(150):
                if bot.sink.performed:
                    break
                await asyncio.sleep(0.1)
            for _guild, event, results in bot.sink.performed:
                out.line(f"Warden events feed (long-poll): event {event['id']} {event['kind']} -> "
                         + ", ".join(f"{r.type} {r.status}" for r in results))
            out.calls(fake.calls(include_429=True))
    finally:
        await bot.close()
        await fake.stop()


def _message(bot: WardenBot, data: Dict[str, Any]) -> Any:
    import discord
    channel = bot.get_channel(int(data["channel_id"]))
    return discord.Message(state=bot._connection, channel=channel, data=data)  # type: ignore[arg-type]


def _types(outcome: Outcome) -> List[str]:
    return [a["type"] for a in outcome.decision["actions"]]


if __name__ == "__main__":
    logging.basicConfig(filename=os.environ.get("WARDEN_BOT_DEMO_LOG") or os.devnull, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(asyncio.wait_for(demo(), timeout=120))
    except Exception as error:  # a readable line for a newcomer, the traceback in the log
        logging.exception("demo failed")
        print(f"demo failed: {error!r}", file=sys.stderr)
        sys.exit(1)

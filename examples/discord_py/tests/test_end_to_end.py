"""Messages through a real ``warden serve`` and the bot, to the exact calls that reach the fake Discord.

Needs the server scripts/discord-bot-test.sh starts: WARDEN_URL and tokens of role bot, moderator and
admin (WARDEN_BOT_TOKEN, WARDEN_MODERATOR_TOKEN, WARDEN_ADMIN_TOKEN). Each test class works in guilds of
its own (fresh ids), holding Warden's default pack (rules/) plus support.EXTRA_RULES, with their
``mod_channel_id`` set.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import time
import unittest
from typing import Any, Dict, Optional, Tuple

import aiohttp
from warden_client import webhooks

from support import BotTestCase, configure_guild, env, utc_now

from gateway_payloads import general_of, message_create, mod_channel_of, unique_snowflake
from warden_admin import WardenAdmin

from fake_discord import FakeDiscord
from warden_bot.late_actions import CursorStore

SCAM = "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim"
SCAM_REASON = "Phishing link (fake Discord domain)"


class WardenCase(BotTestCase):
    """A bot wired to the real Warden."""

    def warden_settings(self) -> Dict[str, str]:
        return {"url": env("WARDEN_URL"), "token": env("WARDEN_BOT_TOKEN")}

    @staticmethod
    def new_guild() -> int:
        guild = unique_snowflake()
        configure_guild(WardenAdmin(env("WARDEN_URL"), env("WARDEN_ADMIN_TOKEN")), guild)
        return guild

    async def judge(self, guild: int, user: int, content: str, **kwargs: Any) -> Any:
        """The bot's handler for one member message; returns its Outcome."""
        outcome = await self.bot.moderate(self.message(message_create(guild, user, content, **kwargs)))
        self.assertIsNotNone(outcome)
        return outcome

    @staticmethod
    def action(outcome: Any, kind: str) -> Dict[str, Any]:
        return next(a for a in outcome.decision["actions"] if a["type"] == kind)


class MessageTests(WardenCase):
    guild = 0

    @classmethod
    def setUpClass(cls) -> None:
        cls.guild = cls.new_guild()

    async def asyncSetUp(self) -> None:
        await super().asyncSetUp()
        self.add_guild(self.guild)
        self.general, self.mods = general_of(self.guild), mod_channel_of(self.guild)

    async def test_scam_link_through_on_message_is_deleted_banned_and_alerted(self) -> None:
        user = unique_snowflake()
        raw = message_create(self.guild, user, SCAM)
        # The Gateway's MESSAGE_CREATE into discord.py's parser: on_message runs as for a connected bot.
        self.bot._connection.parse_message_create(raw)  # type: ignore[arg-type]
        calls = await self.fake.wait_for(lambda calls: len(calls) >= 3, timeout=20)
        self.assertEqual([f"{c.method} {c.path}" for c in calls], [
            f"DELETE /channels/{self.general}/messages/{raw['id']}",
            f"PUT /guilds/{self.guild}/bans/{user}",
            f"POST /channels/{self.mods}/messages",
        ])
        delete, ban, alert = calls
        self.assertEqual(delete.reason, SCAM_REASON)
        self.assertEqual(ban.query, {"delete_message_seconds": "86400"})
        self.assertEqual(ban.reason, SCAM_REASON)
        self.assertIn(f"Automod blocked a message from <@{user}>", alert.body["content"])
        self.assertIn("fake-discord-domain", alert.body["content"])
        self.assertEqual(alert.body["allowed_mentions"], {"parse": []})

    async def test_a_clean_message_edited_into_a_scam_is_deleted_and_banned(self) -> None:
        user = unique_snowflake()
        raw = message_create(self.guild, user, "see you all at the tournament tonight")
        self.bot._connection.parse_message_create(raw)  # type: ignore[arg-type]
        await asyncio.sleep(0.5)
        self.assertEqual(self.fake.calls(), [], "the clean message stays")
        # The Gateway's MESSAGE_UPDATE: on_raw_message_edit forwards it to Warden as it came.
        edited = {**raw, "content": SCAM, "edited_timestamp": utc_now().isoformat()}
        self.bot._connection.parse_message_update(edited)  # type: ignore[arg-type]
        calls = await self.fake.wait_for(lambda calls: len(calls) >= 3, timeout=20)
        self.assertEqual([f"{c.method} {c.path}" for c in calls[:2]], [
            f"DELETE /channels/{self.general}/messages/{raw['id']}",
            f"PUT /guilds/{self.guild}/bans/{user}",
        ])

    async def test_clean_message_is_allowed_and_nothing_is_called(self) -> None:
        outcome = await self.judge(self.guild, unique_snowflake(), "has anyone tried the new map? looks great")
        self.assertEqual(outcome.decision["verdict"], "allow")
        self.assertEqual(outcome.decision["actions"], [])
        self.assertEqual(self.fake.calls(), [])

    async def test_shouting_is_warned_by_dm_and_the_message_stays(self) -> None:
        user = unique_snowflake()
        outcome = await self.judge(self.guild, user, "WHY IS NOBODY ANSWERING MY QUESTION")
        self.assertEqual(outcome.decision["verdict"], "flag")
        self.assertEqual([a["type"] for a in outcome.decision["actions"]], ["warn", "alert"])
        open_dm, dm, alert = self.fake.calls()
        self.assertEqual((open_dm.method, open_dm.path, open_dm.body), ("POST", "/users/@me/channels", {"recipient_id": user}))
        self.assertEqual(dm.method, "POST")
        self.assertRegex(dm.path, r"^/channels/\d+/messages$")
        self.assertIn("Please do not shout", dm.body["content"])
        self.assertIn("Warden test guild", dm.body["content"])
        self.assertEqual((alert.method, alert.path), ("POST", f"/channels/{self.mods}/messages"))
        self.assertFalse(any(c.method == "DELETE" for c in self.fake.calls()))

    async def test_follower_selling_is_timed_out_until_wardens_time(self) -> None:
        user = unique_snowflake()
        outcome = await self.judge(self.guild, user, "buy followers here, 1000 for $5")
        timeout = self.action(outcome, "timeout")
        self.assertEqual(self.routes(), [
            f"DELETE /channels/{self.general}/messages/{outcome.message['id']}",
            f"PATCH /guilds/{self.guild}/members/{user}",
            f"POST /channels/{self.mods}/messages",
        ])
        patch = self.fake.calls()[1]
        self.assertEqual(patch.body, {"communication_disabled_until": timeout["communication_disabled_until"]})
        self.assertEqual(patch.reason, "Selling followers")
        until = datetime.datetime.fromisoformat(timeout["communication_disabled_until"].replace("Z", "+00:00"))
        self.assertAlmostEqual((until - utc_now()).total_seconds(), 3600, delta=120)

    async def test_raid_call_is_kicked(self) -> None:
        user = unique_snowflake()
        outcome = await self.judge(self.guild, user, "everyone join our raid on the other server tonight")
        self.assertEqual(outcome.decision["verdict"], "block")
        self.assertEqual(self.routes(), [
            f"DELETE /channels/{self.general}/messages/{outcome.message['id']}",
            f"DELETE /guilds/{self.guild}/members/{user}",
            f"POST /channels/{self.mods}/messages",
        ])
        self.assertEqual(self.fake.calls()[1].reason, "Calling for a raid")

    async def test_a_rate_limited_delete_is_retried_by_discord_py_and_lands_once(self) -> None:
        self.fake.rate_limit("DELETE", r"/channels/\d+/messages/\d+", times=1, retry_after=0.5)
        user = unique_snowflake()
        outcome = await self.judge(self.guild, user, SCAM)
        deletes = [c for c in self.fake.calls(include_429=True) if c.method == "DELETE"]
        self.assertEqual([d.status for d in deletes], [429, 204])
        self.assertEqual(deletes[0].path, deletes[1].path)
        self.assertGreaterEqual(deletes[1].at - deletes[0].at, 0.5)
        # The rest of the decision still happened, in order, once each.
        self.assertEqual(self.routes(), [f"DELETE /channels/{self.general}/messages/{outcome.message['id']}",
                                         f"PUT /guilds/{self.guild}/bans/{user}",
                                         f"POST /channels/{self.mods}/messages"])


class LongPollTests(WardenCase):
    late_actions = "poll"

    async def appeal(self, guild: int, outcome: Any, *, approve: bool, note: str) -> int:
        user = outcome.decision["user_id"]
        bot, mod = self.warden_client("WARDEN_BOT_TOKEN"), self.warden_client("WARDEN_MODERATOR_TOKEN")
        filed = await asyncio.to_thread(bot.file_appeal, guild, log_id=outcome.decision["log_id"], user_id=user,
                                        reason="I was warning others about that link")
        if approve:
            await asyncio.to_thread(mod.approve_appeal, guild, filed["id"], moderator_id="900", note=note)
        else:
            await asyncio.to_thread(mod.deny_appeal, guild, filed["id"], moderator_id="900", note=note)
        return int(filed["id"])

    async def test_an_approved_appeal_unbans_through_the_events_feed(self) -> None:
        guild = await asyncio.to_thread(self.new_guild)
        await self.add_polled_guild(guild)  # on_guild_join starts the guild's poller
        assert self.bot.pollers is not None
        self.assertIn(guild, self.bot.pollers.guilds)
        user = unique_snowflake()
        outcome = await self.judge(guild, user, SCAM)
        self.assertIn(f"PUT /guilds/{guild}/bans/{user}", self.routes())
        self.fake.clear()

        appeal = await self.appeal(guild, outcome, approve=True, note="quoted the scam to warn others")
        calls = await self.fake.wait_for(lambda calls: len(calls) >= 1, timeout=15)
        self.assertEqual([f"{c.method} {c.path}" for c in calls], [f"DELETE /guilds/{guild}/bans/{user}"])
        self.assertEqual(calls[0].reason, f"Automod appeal {appeal} approved")
        # The cursor is kept, so a restart resumes after the reversal instead of unbanning again.
        self.assertGreater(CursorStore(self.state_dir).get(guild) or 0, 0)

    async def test_an_approved_appeal_of_a_timeout_lifts_it(self) -> None:
        guild = await asyncio.to_thread(self.new_guild)
        await self.add_polled_guild(guild)
        user = unique_snowflake()
        outcome = await self.judge(guild, user, "cheap followers, dm me")
        self.fake.clear()
        await self.appeal(guild, outcome, approve=True, note="was a joke")
        [call] = await self.fake.wait_for(lambda calls: len(calls) >= 1, timeout=15)
        self.assertEqual((call.method, call.path, call.body),
                         ("PATCH", f"/guilds/{guild}/members/{user}", {"communication_disabled_until": None}))

    async def test_a_denied_appeal_is_told_to_the_member(self) -> None:
        guild = await asyncio.to_thread(self.new_guild)
        await self.add_polled_guild(guild)
        user = unique_snowflake()
        outcome = await self.judge(guild, user, SCAM)
        self.fake.clear()
        await self.appeal(guild, outcome, approve=False, note="the link was a real phishing site")
        calls = await self.fake.wait_for(lambda calls: len(calls) >= 2, timeout=15)
        self.assertEqual((calls[0].method, calls[0].path, calls[0].body), ("POST", "/users/@me/channels", {"recipient_id": user}))
        self.assertIn("the link was a real phishing site", calls[1].body["content"])

    async def test_a_restarted_bot_resumes_after_its_cursor(self) -> None:
        guild = await asyncio.to_thread(self.new_guild)
        await self.add_polled_guild(guild)
        user = unique_snowflake()
        outcome = await self.judge(guild, user, SCAM)
        self.fake.clear()
        await self.appeal(guild, outcome, approve=True, note="ok")
        await self.fake.wait_for(lambda calls: len(calls) >= 1, timeout=15)
        await self.bot.close()

        # A new process, same state folder: it polls from the saved cursor and does not unban again.
        from warden_bot import WardenBot
        self.bot = WardenBot(self.config)
        self.addAsyncCleanup(self.bot.close)
        await self.bot.login(self.config.discord_token)
        self.fake.clear()
        self.add_guild(guild)
        await asyncio.sleep(self.poll_wait + 1.5)
        self.assertEqual(self.fake.calls(), [])
        self.assertEqual(self.bot.sink.received["poll"], 0)


def delivery(guild: int, event_id: int, kind: str, payload: Dict[str, Any], *, attempt: int = 1) -> bytes:
    """A webhook body as Warden sends it."""
    return json.dumps({"id": event_id, "kind": kind, "created_at": "2026-12-01T10:00:00.000Z", "payload": payload,
                       "guild_id": str(guild), "delivery_id": event_id * 10 + attempt, "attempt": attempt}).encode()


class WebhookReceiverTests(WardenCase):
    """The receiver over loopback with deliveries signed here (warden_client.webhooks.sign)."""

    late_actions = "webhook"
    webhook_secret = "whsec_reference_bot_test_secret"

    def warden_settings(self) -> Dict[str, str]:
        return {"url": "http://127.0.0.1:9", "token": "unused"}  # the receiver never calls Warden

    async def post(self, body: bytes, signature: Optional[str]) -> Tuple[int, Any]:
        assert self.bot.webhook is not None
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers[webhooks.SIGNATURE_HEADER] = signature
        async with aiohttp.ClientSession() as session:
            async with session.post(self.bot.webhook.url, data=body, headers=headers) as answer:
                return answer.status, await answer.json()

    def reversal(self, guild: int, event_id: int, user: int, *, attempt: int = 1) -> bytes:
        return delivery(guild, event_id, "appeal_reversal", {
            "actions": [{"type": "unban", "user_id": str(user), "reason": "Automod appeal 9 approved"}],
            "appeal_id": 9, "log_id": 1, "message_id": None, "user_id": str(user)}, attempt=attempt)

    async def test_a_signed_delivery_is_performed_once_though_delivered_twice(self) -> None:
        guild, user = unique_snowflake(), unique_snowflake()
        first = self.reversal(guild, 41, user)
        status, answer = await self.post(first, webhooks.sign(self.webhook_secret or "", first, int(time.time())))
        self.assertEqual((status, answer), (200, {"status": "accepted"}))
        self.assertEqual(self.routes(), [f"DELETE /guilds/{guild}/bans/{user}"])
        self.assertEqual(self.fake.calls()[0].reason, "Automod appeal 9 approved")

        again = self.reversal(guild, 41, user, attempt=2)  # Warden retried: a new delivery of the same event
        status, answer = await self.post(again, webhooks.sign(self.webhook_secret or "", again, int(time.time())))
        self.assertEqual((status, answer), (200, {"status": "duplicate"}))
        self.assertEqual(self.routes(), [f"DELETE /guilds/{guild}/bans/{user}"])

    async def test_a_delivery_whose_discord_call_fails_is_answered_503_and_done_when_sent_again(self) -> None:
        guild, user = unique_snowflake(), unique_snowflake()
        body = self.reversal(guild, 44, user)
        # Discord unreachable: the connection is refused (discord.py does not retry that).
        port = self.fake.port
        await self.fake.stop()
        status, answer = await self.post(body, webhooks.sign(self.webhook_secret or "", body, int(time.time())))
        self.assertEqual((status, answer["status"]), (503, "retry"), "a failed unban must not be acknowledged")
        # Discord is back (on the same address); Warden sends the event again: not a repeat to drop, since
        # it was never done.
        self.fake = await FakeDiscord(port=port).start()
        self.addAsyncCleanup(self.fake.stop)
        again = self.reversal(guild, 44, user, attempt=2)
        status, answer = await self.post(again, webhooks.sign(self.webhook_secret or "", again, int(time.time())))
        self.assertEqual((status, answer["status"]), (200, "accepted"))
        self.assertEqual(self.routes(), [f"DELETE /guilds/{guild}/bans/{user}"])

    async def test_bad_signatures_are_refused_with_401_and_nothing_is_done(self) -> None:
        guild, user = unique_snowflake(), unique_snowflake()
        body = self.reversal(guild, 42, user)
        now = int(time.time())
        cases = {
            "another secret": (body, webhooks.sign("whsec_not_ours", body, now)),
            "tampered body": (body.replace(str(user).encode(), b"1"), webhooks.sign(self.webhook_secret or "", body, now)),
            "an hour old": (body, webhooks.sign(self.webhook_secret or "", body, now - 3600)),
            "no header": (body, None),
            "malformed header": (body, "v1=abc"),
        }
        for name, (sent, signature) in cases.items():
            with self.subTest(name):
                status, answer = await self.post(sent, signature)
                self.assertEqual(status, 401)
                self.assertIn("error", answer)
        self.assertEqual(self.fake.calls(), [])
        # The refused deliveries were not claimed: the genuine one still runs.
        status, _ = await self.post(body, webhooks.sign(self.webhook_secret or "", body, now))
        self.assertEqual(status, 200)
        self.assertEqual(self.routes(), [f"DELETE /guilds/{guild}/bans/{user}"])

    async def test_kinds_without_discord_actions_are_accepted_and_ignored(self) -> None:
        body = delivery(unique_snowflake(), 43, "verification", {"verification_id": "1", "user_id": "5",
                                                                  "channel_id": "6", "status": "verified"})
        status, answer = await self.post(body, webhooks.sign(self.webhook_secret or "", body, int(time.time())))
        self.assertEqual((status, answer["status"]), (200, "accepted"))
        self.assertEqual(self.fake.calls(), [])


class WardenWebhookTests(WardenCase):
    """Warden itself delivers to the bot (an endpoint the test script registered with `warden admin
    webhook add` before starting the server), while the bot also long-polls: the reversal is done once."""

    late_actions = "both"

    def setUp(self) -> None:
        type(self).webhook_secret = env("WARDEN_WEBHOOK_SECRET")
        type(self).webhook_port = int(env("WARDEN_WEBHOOK_PORT"))
        self.guild = int(env("WARDEN_WEBHOOK_GUILD"))

    async def test_warden_delivers_the_reversal_and_the_poll_repeat_is_dropped(self) -> None:
        await asyncio.to_thread(configure_guild, WardenAdmin(env("WARDEN_URL"), env("WARDEN_ADMIN_TOKEN")), self.guild)
        await self.add_polled_guild(self.guild)
        user = unique_snowflake()
        outcome = await self.judge(self.guild, user, SCAM)
        self.fake.clear()
        bot, mod = self.warden_client("WARDEN_BOT_TOKEN"), self.warden_client("WARDEN_MODERATOR_TOKEN")
        filed = await asyncio.to_thread(bot.file_appeal, self.guild, log_id=outcome.decision["log_id"],
                                        user_id=user, reason="not me")
        await asyncio.to_thread(mod.approve_appeal, self.guild, filed["id"], moderator_id="900", note="ok")

        await self.fake.wait_for(lambda calls: len(calls) >= 1, timeout=20)
        # Both paths bring the event (Warden's deliverer polls its outbox every 0.5 s; the long-poll
        # answers at once): wait until both have, then check it was performed once.
        deadline = time.monotonic() + 20
        while min(self.bot.sink.received["webhook"], self.bot.sink.received["poll"]) < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        self.assertGreaterEqual(self.bot.sink.received["webhook"], 1, "Warden's delivery never reached the bot")
        self.assertGreaterEqual(self.bot.sink.received["poll"], 1, "the long-poll never brought the event")
        self.assertEqual(self.bot.sink.repeats["webhook"] + self.bot.sink.repeats["poll"], 1)
        self.assertEqual(self.routes(), [f"DELETE /guilds/{self.guild}/bans/{user}"])


if __name__ == "__main__":
    unittest.main()

"""Each Warden action type -> the exact Discord REST call the bot makes (fake Discord only, no Warden).

These drive the action registry with Warden-shaped action dicts (as in ``openapi.json``'s DiscordAction),
including the ones a plain message cannot get from a real Warden (remove_timeout alone, a closed DM,
an unknown type); test_end_to_end.py gets the same calls out of a real ``warden serve``.
"""

from __future__ import annotations

import asyncio
import time
import unittest
from typing import Any, Dict, List

from support import BotTestCase

from gateway_payloads import general_of, mod_channel_of

from warden_bot import ActionContext, ActionRegistry, ActionResult

GUILD = 1200000000000000001
USER = 1200000000000000042
MESSAGE = 1200000000000000900
GENERAL = general_of(GUILD)
MOD_CHANNEL = mod_channel_of(GUILD)


class ActionTests(BotTestCase):
    def context(self, **overrides: Any) -> ActionContext:
        values: Dict[str, Any] = {"guild_id": GUILD, "channel_id": GENERAL, "message_id": MESSAGE,
                        "reason": "Phishing link (fake Discord domain)", "source": "test"}
        values.update(overrides)
        return ActionContext(**values)

    async def run_actions(self, *actions: Dict[str, Any], **context: Any) -> List[ActionResult]:
        return await self.bot.actions.run(self.bot, list(actions), self.context(**context))

    async def test_delete_message_deletes_with_the_decisions_reason(self) -> None:
        results = await self.run_actions({"type": "delete_message", "channel_id": str(GENERAL), "message_id": str(MESSAGE)})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path), ("DELETE", f"/channels/{GENERAL}/messages/{MESSAGE}"))
        self.assertEqual(call.reason, "Phishing link (fake Discord domain)")
        self.assertEqual([r.status for r in results], ["done"])

    async def test_warn_sends_a_dm_with_the_reason(self) -> None:
        await self.run_actions({"type": "warn", "user_id": str(USER), "reason": "Please do not shout"})
        open_dm, send = self.fake.calls()
        self.assertEqual((open_dm.method, open_dm.path, open_dm.body), ("POST", "/users/@me/channels", {"recipient_id": USER}))
        self.assertEqual(send.method, "POST")
        self.assertRegex(send.path, r"^/channels/\d+/messages$")
        self.assertNotEqual(send.path, f"/channels/{GENERAL}/messages")
        self.assertIn("Please do not shout", send.body["content"])

    async def test_warn_falls_back_to_the_channel_when_dms_are_closed(self) -> None:
        self.fake.close_dms(str(USER))
        results = await self.run_actions({"type": "warn", "user_id": str(USER), "reason": "Please do not shout"})
        calls = self.fake.calls()
        self.assertEqual([c.status for c in calls], [200, 403, 200])
        fallback = calls[-1]
        self.assertEqual((fallback.method, fallback.path), ("POST", f"/channels/{GENERAL}/messages"))
        self.assertTrue(fallback.body["content"].startswith(f"<@{USER}>"))
        self.assertIn("Please do not shout", fallback.body["content"])
        # Only the warned member is pinged.
        self.assertEqual(fallback.body["allowed_mentions"]["users"], [USER])
        self.assertEqual(results[0].status, "done")

    async def test_timeout_patches_communication_disabled_until(self) -> None:
        until = "2026-11-30T11:00:00.000Z"
        await self.run_actions({"type": "timeout", "user_id": str(USER), "communication_disabled_until": until,
                                "duration_seconds": 3600, "reason": "Free Nitro scam"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path), ("PATCH", f"/guilds/{GUILD}/members/{USER}"))
        self.assertEqual(call.body, {"communication_disabled_until": until})
        self.assertEqual(call.reason, "Free Nitro scam")

    async def test_remove_timeout_patches_null(self) -> None:
        await self.run_actions({"type": "remove_timeout", "user_id": str(USER), "reason": "Automod appeal 3 approved"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path, call.body), ("PATCH", f"/guilds/{GUILD}/members/{USER}",
                                                              {"communication_disabled_until": None}))
        self.assertEqual(call.reason, "Automod appeal 3 approved")

    async def test_kick_deletes_the_member(self) -> None:
        await self.run_actions({"type": "kick", "user_id": str(USER), "reason": "Calling for a raid"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path, call.reason), ("DELETE", f"/guilds/{GUILD}/members/{USER}", "Calling for a raid"))

    async def test_ban_puts_the_ban_with_delete_message_seconds(self) -> None:
        await self.run_actions({"type": "ban", "user_id": str(USER), "delete_message_seconds": 86400,
                                "reason": "Phishing link (fake Discord domain)"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path), ("PUT", f"/guilds/{GUILD}/bans/{USER}"))
        # discord.py sends it as a query parameter (Discord reads it there or in the body).
        self.assertEqual(call.query, {"delete_message_seconds": "86400"})
        self.assertEqual(call.reason, "Phishing link (fake Discord domain)")

    async def test_ban_clamps_delete_message_seconds_to_discords_limit(self) -> None:
        await self.run_actions({"type": "ban", "user_id": str(USER), "delete_message_seconds": 10**9, "reason": "x"})
        self.assertEqual(self.fake.calls()[0].query, {"delete_message_seconds": "604800"})

    async def test_unban_deletes_the_ban(self) -> None:
        await self.run_actions({"type": "unban", "user_id": str(USER), "reason": "Automod appeal 1 approved"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path, call.reason), ("DELETE", f"/guilds/{GUILD}/bans/{USER}", "Automod appeal 1 approved"))

    async def test_set_nickname_patches_the_members_nick(self) -> None:
        await self.run_actions({"type": "set_nickname", "user_id": str(USER), "nick": "Member 0042", "reason": "Automod: fake-staff"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path, call.body, call.reason),
                         ("PATCH", f"/guilds/{GUILD}/members/{USER}", {"nick": "Member 0042"}, "Automod: fake-staff"))

    async def test_role_mutes_put_and_delete_the_role(self) -> None:
        await self.run_actions({"type": "add_role", "user_id": str(USER), "role_id": "4444", "duration_seconds": 600, "reason": "Case #3: cool off"},
                               {"type": "remove_role", "user_id": str(USER), "role_id": "4444", "reason": "Temporary mute ended"})
        first, second = self.fake.calls()
        self.assertEqual((first.method, first.path, first.reason), ("PUT", f"/guilds/{GUILD}/members/{USER}/roles/4444", "Case #3: cool off"))
        self.assertEqual((second.method, second.path, second.reason), ("DELETE", f"/guilds/{GUILD}/members/{USER}/roles/4444", "Temporary mute ended"))

    async def test_incident_actions_pause_invites_and_dms(self) -> None:
        until = "2026-12-01T20:00:01.799Z"
        results = await self.run_actions({"type": "incident_actions", "invites_disabled_until": until, "dms_disabled_until": until,
                                          "reason": "Raid: 10 joins in 10 s"})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path), ("PUT", f"/guilds/{GUILD}/incident-actions"))
        self.assertEqual(call.body, {"invites_disabled_until": until, "dms_disabled_until": until})
        self.assertEqual(results[0].status, "done")

    async def test_alert_goes_to_its_channel_without_pinging(self) -> None:
        content = f"Automod blocked a message from <@{USER}> in <#{GENERAL}>: fake-discord-domain"
        await self.run_actions({"type": "alert", "channel_id": str(MOD_CHANNEL), "user_id": str(USER), "content": content})
        [call] = self.fake.calls()
        self.assertEqual((call.method, call.path), ("POST", f"/channels/{MOD_CHANNEL}/messages"))
        self.assertEqual(call.body["content"], content)
        self.assertEqual(call.body["allowed_mentions"], {"parse": []})

    async def test_alert_without_channel_uses_the_configured_mod_channel_or_is_skipped(self) -> None:
        results = await self.run_actions({"type": "alert", "content": "no channel"})
        self.assertEqual([r.status for r in results], ["skipped"])
        self.assertEqual(self.fake.calls(), [])
        await self.run_actions({"type": "alert", "content": "no channel"}, mod_channel_id=MOD_CHANNEL + 1)
        self.assertEqual(self.routes(), [f"POST /channels/{MOD_CHANNEL + 1}/messages"])

    async def test_unknown_types_are_skipped_and_the_rest_still_runs(self) -> None:
        results = await self.run_actions({"type": "mute_role", "user_id": str(USER), "role_id": "5"},
                                         {"type": "kick", "user_id": str(USER), "reason": "r"})
        self.assertEqual([(r.type, r.status) for r in results], [("mute_role", "skipped"), ("kick", "done")])
        self.assertEqual(self.routes(), [f"DELETE /guilds/{GUILD}/members/{USER}"])

    async def test_a_failed_or_malformed_action_does_not_stop_the_next(self) -> None:
        results = await self.run_actions({"type": "timeout", "user_id": str(USER)},  # no communication_disabled_until
                                         {"type": "ban", "reason": "no user"},
                                         {"type": "unban", "user_id": str(USER), "reason": "r"})
        self.assertEqual([r.status for r in results], ["failed", "failed", "done"])
        self.assertEqual(self.routes(), [f"DELETE /guilds/{GUILD}/bans/{USER}"])

    async def test_a_429_is_waited_out_by_discord_py_and_lands_once(self) -> None:
        self.fake.rate_limit("PUT", r"/guilds/\d+/bans/\d+", times=1, retry_after=0.4)
        started = time.monotonic()
        results = await self.run_actions({"type": "ban", "user_id": str(USER), "delete_message_seconds": 0, "reason": "r"})
        elapsed = time.monotonic() - started
        attempts = [r for r in self.fake.calls(include_429=True) if r.method == "PUT"]
        self.assertEqual([a.status for a in attempts], [429, 204])
        self.assertGreaterEqual(elapsed, 0.4)  # retried after the body's retry_after, not at once
        self.assertEqual(len([a for a in attempts if a.status == 204]), 1)
        self.assertEqual(results[0].status, "done")

    async def test_a_429_holds_back_concurrent_calls_of_the_same_bucket(self) -> None:
        # Several bans at once (a raid): discord.py queues them behind the limited bucket; each lands once.
        self.fake.rate_limit("PUT", r"/guilds/\d+/bans/\d+", times=1, retry_after=0.3)
        users = [USER + i for i in range(4)]
        await asyncio.gather(*(self.run_actions({"type": "ban", "user_id": str(u), "reason": "raid"}) for u in users))
        landed = sorted(r.path for r in self.fake.calls() if r.method == "PUT")
        self.assertEqual(landed, sorted(f"/guilds/{GUILD}/bans/{u}" for u in users))

    def test_registry_refuses_a_second_handler_for_a_type(self) -> None:
        registry = ActionRegistry()

        @registry.handler("warn")
        async def first(*_: object) -> str:
            return ""

        with self.assertRaises(ValueError):
            registry.handler("warn")(first)


if __name__ == "__main__":
    unittest.main()

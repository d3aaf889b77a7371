"""The message the bot sends Warden is the Gateway's MESSAGE_CREATE, for every field Warden reads."""

from __future__ import annotations

import dataclasses
import datetime
import unittest

from support import BotTestCase

from gateway_payloads import TRUSTED_ROLE, general_of, message_create, user_json

from warden_bot.message_json import message_json

GUILD = 1300000000000000001


class MessageJsonTests(BotTestCase):
    async def asyncSetUp(self) -> None:
        await super().asyncSetUp()
        self.add_guild(GUILD)

    async def test_fields_warden_reads_are_the_gateways(self) -> None:
        raw = message_create(GUILD, 42, f"hey <@43> and <@&{TRUSTED_ROLE}>, look", username="sam", roles=[TRUSTED_ROLE], extra={
            "mentions": [user_json(43, "al")], "mention_roles": [str(TRUSTED_ROLE)], "mention_everyone": False,
            "attachments": [{"id": "9001", "filename": "free-nitro.png", "size": 2048, "content_type": "image/png",
                             "url": "https://cdn.discordapp.com/a.png", "proxy_url": "https://media.discordapp.net/a.png"}],
            "embeds": [{"type": "link", "url": "https://example.com", "title": "Example"}],
            "sticker_items": [{"id": "7001", "name": "wave", "format_type": 1}],
        })
        sent = message_json(self.message(raw))
        self.assertEqual(sent["id"], raw["id"])
        self.assertEqual(sent["guild_id"], str(GUILD))
        self.assertEqual(sent["channel_id"], str(general_of(GUILD)))
        self.assertEqual(sent["author"], {"id": "42", "username": "sam", "bot": False})
        self.assertEqual(sent["member"], {"roles": [str(TRUSTED_ROLE)]})  # @everyone is not listed, as in Discord's
        self.assertEqual(sent["content"], raw["content"])
        self.assertEqual([m["id"] for m in sent["mentions"]], ["43"])
        self.assertEqual(sent["mention_roles"], [str(TRUSTED_ROLE)])
        self.assertFalse(sent["mention_everyone"])
        self.assertEqual(sent["attachments"], [{"id": "9001", "filename": "free-nitro.png", "size": 2048,
                                                "content_type": "image/png"}])
        self.assertEqual(len(sent["embeds"]), 1)
        self.assertEqual(sent["sticker_items"], [{"id": "7001", "name": "wave", "format_type": 1}])
        # The same instant as the Gateway's timestamp (Discord derives both from the id, to the millisecond).
        self.assertEqual(datetime.datetime.fromisoformat(sent["timestamp"]),
                         datetime.datetime.fromisoformat(raw["timestamp"]))

    async def test_bots_dms_and_system_messages_are_not_judged(self) -> None:
        self.assertTrue(self.bot.should_judge(self.message(message_create(GUILD, 42, "hello"))))
        self.assertFalse(self.bot.should_judge(self.message(message_create(GUILD, 42, "hi", bot=True))))
        self.assertFalse(self.bot.should_judge(self.message(message_create(None, 42, "a DM", channel_id=1300000000000000555))))
        self.assertFalse(self.bot.should_judge(self.message(message_create(GUILD, 42, "", extra={"type": 7}))))  # member joined
        with self.assertRaises(ValueError):
            message_json(self.message(message_create(None, 42, "a DM", channel_id=1300000000000000555)))

    async def test_guilds_outside_warden_guild_ids_are_not_judged(self) -> None:
        other = GUILD + 1
        self.add_guild(other)
        self.bot.config = dataclasses.replace(self.bot.config, guild_ids=frozenset({GUILD}))
        self.assertTrue(self.bot.should_judge(self.message(message_create(GUILD, 42, "hello"))))
        self.assertFalse(self.bot.should_judge(self.message(message_create(other, 42, "hello"))))


if __name__ == "__main__":
    unittest.main()

"""Webhook signatures: the known vector, refusals, and real deliveries from a running `warden serve`
(started by scripts/python-client-test.sh) to a receiver of the test's own on loopback."""

from __future__ import annotations

import http.server
import queue
import threading
import unittest
from typing import Dict, Tuple

from test_client import GUILD, SCAM, env, message
from warden_client import Client, webhooks
from warden_client.webhooks import InvalidSignature

BODY = b'{"a":1}'
# printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
VECTOR = "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"


class Signatures(unittest.TestCase):
    def test_the_known_vector(self) -> None:
        self.assertEqual(webhooks.sign("whsec_test", BODY, 1700000000), f"t=1700000000,v1={VECTOR}")
        self.assertEqual(webhooks.verify("whsec_test", f"t=1700000000,v1={VECTOR}", BODY, now=1700000010), 1700000000)

    def test_either_secret_of_a_rotation_verifies(self) -> None:
        header = webhooks.sign("whsec_new", BODY, 1700000000) + "," + webhooks.sign("whsec_old", BODY, 1700000000).split(",")[1]
        for secret in ("whsec_new", "whsec_old"):
            webhooks.verify(secret, header, BODY, now=1700000000)
        with self.assertRaisesRegex(InvalidSignature, "no v1 signature matches"):
            webhooks.verify("whsec_other", header, BODY, now=1700000000)

    def test_refusals_say_what_was_wrong(self) -> None:
        good = webhooks.sign("whsec_test", BODY, 1700000000)
        cases = [(None, "no X-Warden-Signature"), ("v1=00", "has no t="), ("t=1700000000", "has no v1="),
                 ("t=soon,v1=00", "not a whole number"), ("t=1700000000,junk", "malformed")]
        for header, words in cases:
            with self.assertRaisesRegex(InvalidSignature, words, msg=repr(header)):
                webhooks.verify("whsec_test", header, BODY, now=1700000000)
        # Hostile values are refusals, never another exception: a receiver that catches InvalidSignature
        # answers 401 to them, not 500.
        with self.assertRaises(InvalidSignature):
            webhooks.verify("whsec_test", b"t=1,v1=aa", BODY, now=1)  # type: ignore[arg-type]
        deep = b"[" * 100_000 + b"]" * 100_000
        with self.assertRaises(InvalidSignature):
            webhooks.parse_delivery("whsec_test", {"X-Warden-Signature": webhooks.sign("whsec_test", deep, 1700000000)}, deep, now=1700000000)
        for header in ("t=\u00b2,v1=00", "t=\u0663,v1=00", "t=-1,v1=00", "t=1700000000,v1=\u00e9", "t=1700000000,v1=zz"):
            with self.assertRaises(InvalidSignature, msg=repr(header)):
                webhooks.verify("whsec_test", header, BODY, now=1700000000)
        with self.assertRaisesRegex(InvalidSignature, "more than 300 s"):
            webhooks.verify("whsec_test", good, BODY, now=1700000301)
        with self.assertRaisesRegex(InvalidSignature, "no v1 signature matches"):
            webhooks.verify("whsec_test", good, b'{"a":2}', now=1700000000)


Delivery = Tuple[Dict[str, str], bytes]


class Receiver(http.server.BaseHTTPRequestHandler):
    """Queues every POST (headers, raw body) and answers 204."""
    received: "queue.Queue[Delivery]" = queue.Queue()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.put(({k: v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class RealDeliveries(unittest.TestCase):
    def setUp(self) -> None:
        url = env("WARDEN_URL")
        self.admin = Client(url, env("WARDEN_ADMIN_TOKEN"), retries=0)
        self.bot = Client(url, env("WARDEN_BOT_TOKEN"), retries=0)
        self.moderator = Client(url, env("WARDEN_MODERATOR_TOKEN"), retries=0)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        Receiver.received = queue.Queue()

    def tearDown(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def test_an_appeal_reversal_arrives_signed_and_the_endpoint_is_managed(self) -> None:
        port = self.server.server_address[1]
        created = self.admin.create_webhook(f"http://127.0.0.1:{port}/warden", guild=GUILD, events=["appeal_reversal"])
        hook, secret = created["webhook"], created["secret"]
        self.assertTrue(secret.startswith("whsec_"))
        self.assertIn(hook["id"], [w["id"] for w in self.admin.webhooks()])
        try:
            log_id = self.bot.judge(message(SCAM, user="5101"))["log_id"]
            assert log_id is not None
            appeal = self.bot.file_appeal(GUILD, log_id=log_id, user_id="5101", reason="I was warning people")
            self.moderator.approve_appeal(GUILD, appeal["id"], moderator_id="900")
            # The service's deliverer polls every half second; 20 s is far more than it needs.
            headers, body = Receiver.received.get(timeout=20)
            event = webhooks.parse_delivery(secret, headers, body)
            self.assertEqual((event["kind"], event["guild_id"], event["attempt"]), ("appeal_reversal", GUILD, 1))
            self.assertIn({"type": "unban", "user_id": "5101"},
                          [{k: a.get(k) for k in ("type", "user_id")} for a in event["payload"]["actions"]])
            self.assertEqual(headers["X-Warden-Delivery"], event["delivery_id"])
            with self.assertRaises(InvalidSignature):
                webhooks.parse_delivery("whsec_" + "0" * 64, headers, body)
            # The API shows it delivered; a rotation answers a new secret.
            self.assertEqual([d["id"] for d in self.admin.webhook_deliveries(hook["id"], status="delivered")],
                             [int(event["delivery_id"])])
            rotated = self.admin.rotate_webhook_secret(hook["id"], keep_previous_seconds=60)
            self.assertNotEqual(rotated["secret"], secret)
            self.assertEqual(self.admin.replay_webhook(hook["id"]), 0)
        finally:
            self.admin.delete_webhook(hook["id"])
        self.assertNotIn(hook["id"], [w["id"] for w in self.admin.webhooks()])


if __name__ == "__main__":
    unittest.main()

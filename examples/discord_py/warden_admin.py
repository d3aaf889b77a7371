"""Warden's admin routes the demo and tests need and the bot's client does not cover (its token is of role
bot): a guild's rules and settings. Standard library only, like warden_client."""

from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict

Json = Dict[str, Any]


class WardenAdmin:
    """Calls with an admin token (`warden admin token create --role admin`)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url.rstrip("/"), token

    def _call(self, method: str, path: str, body: Any) -> Json:
        request = urllib.request.Request(self.base_url + path, method=method, data=json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer_json: Json = json.loads(answer.read() or b"{}")
            return answer_json

    def put_rule(self, guild_id: int, rule: Json) -> Json:
        return self._call("PUT", f"/v1/guilds/{guild_id}/rules/{rule['name']}", rule)

    def set_setting(self, guild_id: int, key: str, value: Any, scope: str = "automod") -> Json:
        return self._call("PUT", f"/v1/guilds/{guild_id}/settings/{scope}/{key}", {"value": value})



"""A ticket's transcript opened from the console (issue 16's transcripts, checked in the browser now that the
console exists): hostile ticket text in the description, the opener's name and the messages renders as text,
no script runs, no policy is violated, and only staff and moderators of the ticket's guild may open it."""

from __future__ import annotations

import hostile
from conftest import OTHER_GUILD, Browser, PageCheck, bot_token, http, make_token, open_page, sign_in
from test_hostile import as_shown, check_clean, visible_text

G = "1100000000000000108"


def test_hostile_transcript_renders_as_text(browser: Browser, pages: PageCheck) -> None:
    payloads = hostile.PAYLOADS[:20]
    opened = http("POST", f"/v1/guilds/{G}/tickets", token=bot_token(),
                  json_body={"user_id": "830001", "username": payloads[0][:100], "description": payloads[1][:1000] or "x"})
    assert opened.status == 201, (opened.status, opened.body[:300])
    ticket = int(opened.json()["id"])
    for index, payload in enumerate(payloads):
        added = http("POST", f"/v1/guilds/{G}/tickets/{ticket}/messages", token=bot_token(),
                     json_body={"author_id": str(830001 + index % 2), "content": payload[:2000] or "x"})
        assert added.status == 201, (index, added.status, added.body[:300])

    sign_in(browser, make_token("staff", G, "902"))
    open_page(browser, f"/console/guilds/{G}/tickets/{ticket}/transcript")
    problems = check_clean(browser, "transcript")
    # The page's own policy (its style allowed by hash), not the console's: the style applied, nothing else ran.
    shown = visible_text(browser)
    missing = [p[:30] for p in payloads[2:] if p.strip() and as_shown(p.replace("\r\n", "\n").strip())[:24] not in shown]
    assert not missing, f"payloads not shown as text: {missing}"
    assert not problems, problems
    pages("transcript-hostile")
    pages.assert_clean()

    # Another guild's staff, and a bot's token, cannot open it.
    sign_in(browser, make_token("staff", OTHER_GUILD, "903"))
    open_page(browser, f"/console/guilds/{G}/tickets/{ticket}/transcript", expect=403)
    open_page(browser, f"/console/guilds/{OTHER_GUILD}/tickets/{ticket}/transcript", expect=404)

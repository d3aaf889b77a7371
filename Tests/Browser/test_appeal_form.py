"""Scenario 6: a banned member appeals through /appeal/{guild}, signed in with Discord (the fake provider):
sam (42) appeals his own block, and cannot appeal alex's (43) even with a rewritten form."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.by import By

from conftest import (ALEX, GUILD_APPEAL_FORM, SAM, SCAM, WARDEN_OAUTH_URL, Browser, PageCheck, bot_post,
                      click, http, make_token, message, open_page, path_of, text_of, wait, wait_for_path)

G = GUILD_APPEAL_FORM
FORM = f"/appeal/{G}"


def appeals_of(guild: str, token: str) -> list[dict[str, Any]]:
    answer = http("GET", f"/v1/guilds/{guild}/appeals?status=pending", token=token)
    assert answer.status == 200, answer
    found: list[dict[str, Any]] = answer.json()["appeals"]
    return found


def test_member_appeals_own_log_only(browser: Browser, pages: PageCheck) -> None:
    own = int(bot_post(message(SCAM, author=SAM, username="sam", guild=G))["log_id"])
    other = int(bot_post(message(SCAM + " now", author=ALEX, username="alex", guild=G))["log_id"])
    moderator = make_token("moderator", G)

    open_page(browser, FORM)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "a[data-action=discord-signin]"))
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-log-id]"), "logs shown before signing in"
    pages("appeal-form-signed-out")

    # Discord's sign-in, played by the fake provider: its page, then back with sam's identity.
    click(browser, "a[data-action=discord-signin]")
    wait(browser).until(lambda d: d.current_url.startswith(WARDEN_OAUTH_URL + "/oauth2/authorize"))
    click(browser, f'button[data-user="{SAM}"]')
    wait_for_path(browser, lambda p: p == FORM, "the appeal form after the Discord sign-in")
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-log-id]"))
    listed = {int(e.get_attribute("data-log-id") or 0) for e in browser.find_elements(By.CSS_SELECTOR, "[data-log-id]")}
    assert listed == {own}, f"sam's appealable logs: {listed}, expected only {own} (never alex's {other})"
    pages("appeal-form-signed-in")

    # Appeal the own log: the form posts, the log then shows as appealed, and the queue holds it.
    entry = f'[data-log-id="{own}"]'
    browser.find_element(By.CSS_SELECTOR, f"{entry} textarea[name=reason]").send_keys("I was warning others about that link")
    click(browser, f"{entry} button[data-action=appeal]")
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{entry} [data-appealed], {entry}[data-appealed]"))
    assert not browser.find_elements(By.CSS_SELECTOR, f"{entry} button[data-action=appeal]"), "appealed twice is offered"
    pages("appeal-form-appealed")
    filed = [a for a in appeals_of(G, moderator) if int(a["appeal"]["log_id"]) == own]
    assert len(filed) == 1 and str(filed[0]["appeal"]["user_id"]) == SAM, filed
    assert filed[0]["appeal"]["reason"] == "I was warning others about that link", filed

    # A form rewritten to post for alex's log: refused with a 404 page, nothing filed.
    sam_second = int(bot_post(message(SCAM + " again", author=SAM, username="sam", guild=G))["log_id"])
    open_page(browser, FORM)
    entry = f'[data-log-id="{sam_second}"]'
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{entry} textarea[name=reason]"))
    form = browser.find_element(By.CSS_SELECTOR, f"{entry} textarea[name=reason]").find_element(By.XPATH, "./ancestor::form")
    action = form.get_attribute("action") or ""
    assert action.endswith(f"{FORM}/logs/{sam_second}"), f"the appeal form posts to {action}"
    browser.execute_script("arguments[0].setAttribute('action', arguments[1])", form, f"{FORM}/logs/{other}")
    browser.find_element(By.CSS_SELECTOR, f"{entry} textarea[name=reason]").send_keys("not mine, but let me try")
    click(browser, f"{entry} button[data-action=appeal]")
    wait_for_path(browser, lambda p: p == f"{FORM}/logs/{other}", "the refusal page")
    status = browser.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")
    assert status == 404, f"appealing another member's log answered {status}: {text_of(browser)[:200]!r}"
    pages("appeal-form-refused", expect=404)
    assert not [a for a in appeals_of(G, moderator) if int(a["appeal"]["log_id"]) == other], "alex's log was appealed by sam"
    assert path_of(browser).startswith(FORM)
    pages.assert_clean()

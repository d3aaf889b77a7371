"""Scenario 5: guild isolation, CSRF refusal, sign-out that really ends the session, and who may sign in."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from conftest import (GUILD, GUILD_SECURITY, OTHER_GUILD, SCAM, WARDEN_URL, Browser, PageCheck, Seed, bot_post, bot_token,
                      console_post, csrf_of, file_appeal, http, make_token, message, open_page, path_of, session_cookie,
                      sign_in, sign_out, text_of, wait, wait_for_path)


def error_page(browser: Browser) -> str:
    """The console's error page: its headline and status line."""
    return text_of(browser, "main")


def test_guild_isolation(browser: Browser, pages: PageCheck, seed: Seed) -> None:
    # A moderator of OTHER_GUILD: GUILD's queue is forbidden, GUILD's appeal under OTHER_GUILD's URL is unknown.
    sign_in(browser, seed.other_moderator)
    wait_for_path(browser, lambda p: p == f"/console/guilds/{OTHER_GUILD}", "the other guild's dashboard")
    cookie, csrf = session_cookie(browser), csrf_of(browser)
    open_page(browser, f"/console/guilds/{GUILD}/appeals", expect=403)
    assert "403" in error_page(browser), error_page(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")
    pages("error-403", expect=403)
    open_page(browser, f"/console/guilds/{OTHER_GUILD}/appeals/{seed.appeal}", expect=404)
    assert "404" in error_page(browser), error_page(browser)
    assert "I was warning others about that link" not in text_of(browser), "another guild's appeal leaked"
    pages("error-404", expect=404)
    # GUILD's appeal under GUILD's URL: still forbidden to OTHER_GUILD's moderator.
    open_page(browser, f"/console/guilds/{GUILD}/appeals/{seed.appeal}", expect=403)
    # And a decision posted across guilds changes nothing.
    answer = console_post(f"/console/guilds/{OTHER_GUILD}/appeals/{seed.appeal}/approve", {"csrf": csrf, "note": ""}, cookie)
    assert answer.status == 404, (answer.status, answer.body[:200])
    view = http("GET", f"/v1/guilds/{GUILD}/appeals/{seed.appeal}", token=seed.moderator).json()
    assert view["appeal"]["status"] == "pending", view
    pages.assert_clean()


def test_csrf_refused(browser: Browser, pages: PageCheck) -> None:
    g = GUILD_SECURITY
    decision = bot_post(message(SCAM, author="601", username="m601", guild=g))
    appeal = int(file_appeal(g, int(decision["log_id"]), "601", "csrf")["id"])
    moderator = make_token("moderator", g, "900")
    sign_in(browser, moderator)
    open_page(browser, f"/console/guilds/{g}/appeals/{appeal}")
    pages("appeal-detail-csrf")
    target = f"/console/guilds/{g}/appeals/{appeal}/approve"

    # From the page itself (same origin, the cookie goes along): without csrf 403, a wrong one 403 too.
    statuses = browser.execute_async_script("""
      const [url, done] = arguments;
      const post = body => fetch(url, {method: 'POST', credentials: 'same-origin', redirect: 'manual',
        headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body}).then(r => r.status);
      Promise.all([post('note=forged'), post('note=forged&csrf=' + 'A'.repeat(43))]).then(done, e => done(String(e)));
    """, target)
    assert statuses == [403, 403], statuses
    pages.forget_console()  # the refused fetches are logged as failed loads, on purpose

    # From outside the browser with the session cookie copied: 403 without the token, accepted with it.
    cookie = session_cookie(browser)
    refused = console_post(target, {"note": "forged"}, cookie)
    assert refused.status == 403, (refused.status, refused.body[:200])
    view = http("GET", f"/v1/guilds/{g}/appeals/{appeal}", token=moderator).json()
    assert view["appeal"]["status"] == "pending", "a POST without csrf changed the appeal"
    accepted = console_post(target, {"note": "ok", "csrf": csrf_of(browser)}, cookie)
    assert accepted.status == 303, (accepted.status, accepted.body[:200])
    view = http("GET", f"/v1/guilds/{g}/appeals/{appeal}", token=moderator).json()
    assert view["appeal"]["status"] == "approved", view
    pages.assert_clean()


def test_signed_out_session_cannot_be_reused(browser: Browser, pages: PageCheck, seed: Seed) -> None:
    sign_in(browser, seed.moderator)
    wait_for_path(browser, lambda p: p == f"/console/guilds/{GUILD}", "the dashboard")
    cookie = browser.get_cookie("warden_console")
    assert cookie is not None and cookie.get("httpOnly") is True, f"the session cookie must be HttpOnly: {cookie}"
    assert str(cookie.get("sameSite")) == "Strict", cookie
    old = str(cookie["value"])
    sign_out(browser)
    pages("signin-after-signout")
    # The old cookie set again: the session is over on the server, so the console sends the browser to sign in.
    browser.add_cookie({"name": "warden_console", "value": old, "path": "/console"})
    browser.get(WARDEN_URL + f"/console/guilds/{GUILD}/appeals")
    wait_for_path(browser, lambda p: p == "/console/signin", "the sign-in page for a signed-out session")
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-appeal-id]")
    # Nor does it sign a POST.
    answer = console_post(f"/console/guilds/{GUILD}/appeals/{seed.appeal}/approve", {"note": "x", "csrf": "x"}, old)
    assert answer.status in (401, 403), (answer.status, answer.body[:200])
    answer = http("GET", f"/console/guilds/{GUILD}", headers={"Cookie": f"warden_console={old}"})
    assert answer.status == 303 and answer.headers.get("location") == "/console/signin", answer
    pages.assert_clean()


def test_signin_refusals_and_switcher(browser: Browser, pages: PageCheck, seed: Seed) -> None:
    # A bot token opens no console session; nor does a made-up one.
    for token in (bot_token(), "not-a-token"):
        browser.get(WARDEN_URL + "/console/signin")
        field = wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, 'input[name="token"]'))
        field.send_keys(token + "\n")
        wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".error"))
        assert path_of(browser) == "/console/signin", browser.current_url
        assert browser.get_cookie("warden_console") is None, "a refused sign-in set a session cookie"
    pages("signin-refused", expect=browser.execute_script(
        "return performance.getEntriesByType('navigation')[0].responseStatus"))
    # An unscoped admin picks a guild on the switcher.
    sign_in(browser, seed.admin)
    wait_for_path(browser, lambda p: p == "/console/guilds", "the guild switcher for an unscoped token")
    pages("guilds-switcher")
    field = browser.find_element(By.CSS_SELECTOR, "input[name=guild]")
    field.send_keys(GUILD + "\n")
    wait_for_path(browser, lambda p: p == f"/console/guilds/{GUILD}", "the chosen guild's dashboard")
    pages.assert_clean()

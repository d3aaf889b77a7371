"""Scenario 2: staff edit an FAQ proposal (title, answer, keywords), approve it, and find it through FAQ search;
a rejected proposal leaves the list; a query with no result shows among the gaps."""

from __future__ import annotations

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from conftest import (GUILD_FAQ, Browser, PageCheck, cli, click, click_and_load, draft, make_token, open_page, sign_in, text_of, wait,
                      wait_for_path)

G = GUILD_FAQ
BASE = f"/console/guilds/{G}"


def replace(field: WebElement, text: str) -> None:
    field.clear()
    field.send_keys(text)


def test_edit_approve_and_search(browser: Browser, pages: PageCheck) -> None:
    proposal = draft("How do I get premmium?", "Pay and wait.", "premium", guild=G)
    staff = make_token("staff", G, "77")
    sign_in(browser, staff)

    open_page(browser, f"{BASE}/proposals")
    rows = [r.get_attribute("data-proposal-id") for r in browser.find_elements(By.CSS_SELECTOR, "tr[data-proposal-id]")]
    assert proposal in rows, f"proposal {proposal} not listed: {rows}"
    pages("proposals")
    click(browser, f'tr[data-proposal-id="{proposal}"] a')
    wait_for_path(browser, lambda p: p == f"{BASE}/proposals/{proposal}", "the proposal's page")
    pages("proposal-detail")

    title = "How do I unlock Quetzalcoatl premium?"
    answer = "Link your **Ko-fi** email with `/premium link`; it unlocks within a minute."
    replace(browser.find_element(By.CSS_SELECTOR, "input[name=title]"), title)
    replace(browser.find_element(By.CSS_SELECTOR, "textarea[name=answer]"), answer)
    replace(browser.find_element(By.CSS_SELECTOR, "input[name=keywords]"), "premium, kofi, zorblatt")
    click_and_load(browser, "button[data-action=save]")
    # Saved: the page comes back with the edits and a rendered preview (Markdown made into markup, as text).
    assert browser.find_element(By.CSS_SELECTOR, "input[name=title]").get_attribute("value") == title
    preview = browser.find_element(By.CSS_SELECTOR, "[data-preview]")
    assert "Ko-fi" in preview.text and "**" not in preview.text, f"the preview is not rendered: {preview.text!r}"
    assert preview.find_elements(By.CSS_SELECTOR, "strong, b"), "the preview has no bold for **Ko-fi**"
    keywords = browser.find_element(By.CSS_SELECTOR, "input[name=keywords]").get_attribute("value") or ""
    assert [k.strip() for k in keywords.split(",")] == ["premium", "kofi", "zorblatt"], keywords
    shown = cli("support", "faq", "show", proposal, "--guild", G)
    assert "Quetzalcoatl" in shown, f"the edit did not reach the store: {shown[:400]}"
    pages("proposal-saved")

    click_and_load(browser, "button[data-action=approve]")
    open_page(browser, f"{BASE}/proposals")
    assert not browser.find_elements(By.CSS_SELECTOR, f'tr[data-proposal-id="{proposal}"]'), "approved but still pending"

    # The FAQ search finds the entry by a keyword only the edit added, and by the edited title.
    for query in ("zorblatt", "Quetzalcoatl"):
        open_page(browser, f"{BASE}/faq")
        field = browser.find_element(By.CSS_SELECTOR, "input[name=q]")
        replace(field, query)
        field.submit()
        wait(browser).until(lambda d: f"q={query}" in d.current_url)
        hits = browser.find_elements(By.CSS_SELECTOR, "[data-faq-entry-id]")
        assert hits, f"no FAQ hit for {query!r}: {text_of(browser)[:300]!r}"
        assert title in hits[0].text, f"the first hit for {query!r} is {hits[0].text[:200]!r}"
    pages("faq-search")
    searched = cli("support", "faq", "search", "zorblatt", "--guild", G)
    assert "Quetzalcoatl" in searched, searched

    # Staff searching in the console are not counted among the gaps; a member's search through the bot is.
    open_page(browser, f"{BASE}/faq?q=xylophonic+refund")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-faq-entry-id]")
    assert not any("xylophonic" in g.text for g in browser.find_elements(By.CSS_SELECTOR, "[data-gap]")), "a staff search was logged"
    cli("support", "faq", "search", "xylophonic refund", "--guild", G)
    open_page(browser, f"{BASE}/faq")
    gaps = [g.text for g in browser.find_elements(By.CSS_SELECTOR, "[data-gap]")]
    assert any("xylophonic" in g for g in gaps), f"the zero-result query is not among the gaps: {gaps}"
    pages("faq-gaps")
    pages.assert_clean()


def test_reject_with_reason(browser: Browser, pages: PageCheck) -> None:
    proposal = draft("Can I pay with seashells?", "No.", "seashells", guild=G)
    sign_in(browser, make_token("staff", G, "77"))
    open_page(browser, f"{BASE}/proposals/{proposal}")
    reason_field = browser.find_element(By.CSS_SELECTOR, "textarea[name=reason]")
    reason_field.send_keys("covered by the pinned post")
    click_and_load(browser, "button[data-action=reject]")
    open_page(browser, f"{BASE}/proposals")
    assert not browser.find_elements(By.CSS_SELECTOR, f'tr[data-proposal-id="{proposal}"]'), "rejected but still pending"
    shown = cli("support", "faq", "show", proposal, "--guild", G)
    assert re.search(r"reject", shown, re.I) and "covered by the pinned post" in shown, shown[:500]
    pages.assert_clean()

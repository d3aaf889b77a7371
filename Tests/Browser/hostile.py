"""Hostile text for the console's pages: what members, moderators or an LLM may put into a message, an appeal,
a ticket, an FAQ answer or a note, which the console must show as text and never run.

ACTIVE payloads would set `window.__pwned = 1` (or `document.title = 'PWNED'`) if they reached the page as
markup, a URL or a template; INERT ones run nothing but stress the layout and what a reader is shown (bidi
overrides, zero-width characters, a 4,000-character word). Each fits Discord's 4,000-character message limit
and has no C0 control character but tab, LF and CR (Warden answers 400 to those).

    for text in hostile.PAYLOADS: ...post it, open the page that shows it...
    hostile.assert_not_pwned(browser)
"""

from __future__ import annotations

from conftest import Browser

PWN = "window.__pwned=1"

ACTIVE: list[str] = [
    # Markup in element content.
    f"<script>{PWN}</script>",
    f"<img src=x onerror={PWN}>",
    f'<img src="x" onerror="{PWN}">',
    f"<svg onload={PWN}>",
    f"<svg><script>{PWN}</script></svg>",
    f"<details open ontoggle={PWN}>",
    f"<body onload={PWN}>",
    f'<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    f'<object data="javascript:{PWN}"></object>',
    f'<embed src="javascript:{PWN}">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{PWN}">',
    f'<form><button formaction="javascript:{PWN}">go</button></form>',
    # Mutation XSS: markup that a sanitiser passes and the parser turns active on reparse.
    f"<math><mtext><table><mglyph><style><img src=x onerror={PWN}>",
    f'<noscript><p title="</noscript><img src=x onerror={PWN}>">',
    f'<!--<img src="--><img src=x onerror={PWN}//">',
    f"<![CDATA[<script>{PWN}</script>]]>",
    # Breaking out of the element or attribute the text is put in.
    f"\"><script>{PWN}</script>",
    f"'><script>{PWN}</script>",
    f"\" autofocus onfocus=\"{PWN}\" x=\"",
    f"' autofocus onfocus='{PWN}' x='",
    f"x autofocus onfocus={PWN} x",
    f"</textarea><script>{PWN}</script>",
    f"</style><script>{PWN}</script>",
    f"</title><script>{PWN}</script>",
    f"</script><script>{PWN}</script>",
    f"</noscript><script>{PWN}</script>",
    # Into an inline script or JSON island, were text ever put there.
    f"';{PWN};//",
    f"\";{PWN};//",
    f"\u2028{PWN}\u2029",
    # URLs, should text ever become a link (linkified messages, Markdown in FAQ answers).
    f"javascript:{PWN}",
    f"JaVaScRiPt:{PWN}",
    f"java\tscript:{PWN}",
    f" javascript:{PWN}",
    f"data:text/html,<script>parent.__pwned=1</script>",
    f"[click me](javascript:{PWN})",
    f'<a href="javascript:{PWN}">click me</a>',
    # Templates, should a client-side template ever render stored text.
    "{{constructor.constructor('" + PWN + "')()}}",
    "{{{<img src=x onerror=" + PWN + ">}}}",
    "${" + PWN + "}",
]

INERT: list[str] = [
    "\u202Egnp.exe",  # right-to-left override: reads as "exe.png"
    "safe \u202Eetad\u202C text \u2066isolated\u2069 \u200F",
    "ad\u200Bmin \u200C\u200D\uFEFF\u2060",  # zero-width space, (non-)joiners, BOM, word joiner
    "W" * 4000,  # one 4,000-character word: the layout must wrap or scroll it inside its box
    "https://example.com/" + "a" * 3980,  # a URL as long as a message may be
    "Z\u0337\u0322\u034E\u0335a\u0334\u0327l\u0338g\u0335o\u0336" * 20,  # stacked combining marks
    "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 \U0001F3F3\uFE0F\u200D\U0001F308",  # ZWJ emoji
    "مرحبا Warden שלום mixed directions",
    "tab\there\r\nCRLF line\nLF line",
    "&lt;b&gt;already escaped&lt;/b&gt; &amp;amp; &#60;script&#62;",
    "   leading and trailing spaces   ",
    "{{mustache}} and {{{triple}}} shown as typed",
]

PAYLOADS: list[str] = ACTIVE + INERT

for _text in PAYLOADS:
    assert len(_text) <= 4000, _text[:40]
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in _text), _text[:40]
    assert "\x7f" not in _text


def pwned(driver: Browser) -> bool:
    """Whether a payload ran on the current page (or in a same-origin frame that reached its parent)."""
    return bool(driver.execute_script("return window.__pwned !== undefined || document.title === 'PWNED'"))


def csp_violations(driver: Browser) -> list[str]:
    # On a console that runs no inline code, any violation means markup from stored text reached the DOM
    # (or the console's own page broke its policy): both are bugs, CSP only kept the damage away.
    return [m for m in driver.console_errors() if "Content Security Policy" in m or "Refused to" in m]


# Markup that runs code once a reader clicks, focuses or hovers, so it may not have run yet: event-handler
# attributes, javascript: URLs (whitespace and control characters are ignored in a scheme), srcdoc frames,
# inline scripts. The console needs none of these (its CSP would refuse them), so any of them came from data.
_ARMED_MARKUP = """
const found = [];
for (const el of document.querySelectorAll('*')) {
  for (const a of el.attributes) {
    const name = a.name.toLowerCase(), value = a.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
    if (name.startsWith('on') || name === 'srcdoc'
        || (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster'].includes(name)
            && (value.startsWith('javascript:') || value.startsWith('data:text/html'))))
      found.push('<' + el.tagName.toLowerCase() + ' ' + name + '="' + a.value.slice(0, 60) + '">');
  }
  if (el.tagName === 'SCRIPT' && !el.src) found.push('inline <script>: ' + el.textContent.slice(0, 60));
}
return found;
"""


def armed_markup(driver: Browser) -> list[str]:
    found: list[str] = driver.execute_script(_ARMED_MARKUP)
    return found


def assert_not_pwned(driver: Browser) -> None:
    """The current page ran no payload, holds no markup that would run one on a click, and the browser
    reported no CSP violation."""
    assert not pwned(driver), f"a payload ran on {driver.current_url}"
    armed = armed_markup(driver)
    assert not armed, f"markup that runs code on {driver.current_url}: {armed}"
    violations = csp_violations(driver)
    assert not violations, f"CSP violations on {driver.current_url}: {violations}"

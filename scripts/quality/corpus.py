#!/usr/bin/env python3
"""Generates the matching-quality corpus (seeded, so every run writes the same file).

Bad messages: every word of better-profanity's list (the entries made of letters and spaces), each
obfuscated once per class below and set in a neutral sentence; plus homoglyph-obfuscated Discord invite
links. Benign messages: Debian's fortunes and sentences of wamerican dictionary words, minus any that
holds a listed word as a plain word (those are true hits, not false positives).

Lookalikes come from the `confusables` package's lists, keeping non-ASCII characters whose Unicode
prototype (the package ships Unicode's confusables.txt) is not some other ASCII letter: "ℓ" is listed
for "i" there, but Unicode says it imitates "l", so it is used for "l" only.

Writes JSON lines {"class", "text", "bad", "word"} and, with --words, the word list for the rule.
Usage: corpus.py --out corpus.jsonl --words words.txt [--seed 14] [--benign 3000]
"""
import argparse
import glob
import json
import os
import random
import re
import unicodedata

import better_profanity
import confusables

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
SEPARATORS = [" ", ".", "_", "-", "*", "/", "|", "\u200b", " . ", "  ", "-_-", " / ", "..", "__", " * "]
PUNCTUATION = ["!", "!!", "!!!", "?", "?!", "!?", "...", ".", "?!?!"]
LEET = {"a": ["4"], "e": ["3"], "i": ["1", "!"], "o": ["0"], "s": ["5", "$"], "t": ["7", "+"],
        "g": ["9"], "b": ["8"], "l": ["1", "|"]}
TEMPLATES = ["you are a {w}", "{w}", "what a {w} thing to say", "stop it {w}", "lol {w} lol",
             "such a {w}, honestly", "i said {w} and left", "{w} {w}"]
CLASSES = ["plain", "case_mixed", "zero_width", "zalgo", "fullwidth", "homoglyph", "spaced", "spaced_punct",
           "spaced_uneven", "leet_punct", "elongated_punct", "mixed"]


def prototypes(path: str) -> dict[str, str]:
    """Unicode's confusables.txt: each character's prototype."""
    table = {}
    for line in open(path, encoding="utf-8-sig"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        source, target = [f.strip() for f in line.split(";")[:2]]
        table[chr(int(source, 16))] = "".join(chr(int(h, 16)) for h in target.split())
    return table


def base_letter(char: str, proto: dict[str, str]) -> str:
    text = unicodedata.normalize("NFKD", proto.get(char, char))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", text).lower()


def lookalikes(proto: dict[str, str]) -> dict[str, list[str]]:
    table = {}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        keep = []
        for c in confusables.confusable_characters(letter) or []:
            if len(c) != 1 or ord(c) < 0x80 or unicodedata.category(c).startswith("M"):
                continue
            base = base_letter(c, proto)
            if len(base) == 1 and base.isascii() and base.isalpha() and base != letter:
                continue  # Unicode says it imitates another letter
            if base.isascii() and base.isdigit() and not any(base in v for v in LEET.get(letter, [])):
                continue  # a digit that is not this letter's leet form
            keep.append(c)
        table[letter] = sorted(set(keep))
    return table


class Obfuscator:
    def __init__(self, rng: random.Random, homoglyphs: dict[str, list[str]]):
        self.rng, self.homoglyphs = rng, homoglyphs

    def letters(self, word, each):
        return "".join(each(c) if c.isalpha() else c for c in word)

    def plain(self, w): return w
    def case_mixed(self, w): return self.letters(w, lambda c: c.upper() if self.rng.random() < 0.5 else c)

    def zero_width(self, w):
        return "".join(c + (self.rng.choice(ZERO_WIDTH) if i < len(w) - 1 and c != " " else "") for i, c in enumerate(w))

    def zalgo(self, w):
        return self.letters(w, lambda c: c + "".join(chr(self.rng.randint(0x300, 0x36F)) for _ in range(self.rng.randint(1, 4))))

    def fullwidth(self, w): return self.letters(w, lambda c: chr(ord(c) - 0x61 + 0xFF41))

    def homoglyph(self, w):
        # Every letter that has a lookalike is replaced, and at least one always is.
        return self.letters(w, lambda c: self.rng.choice(self.homoglyphs[c]) if self.homoglyphs.get(c) else c)

    def spaced(self, w):
        sep = self.rng.choice(SEPARATORS)
        return " ".join(sep.join(part) for part in w.split(" "))

    def spaced_punct(self, w): return self.spaced(w) + self.rng.choice(PUNCTUATION)

    def spaced_uneven(self, w):
        # A different run of spacers between each pair of letters ("f u  c.k").
        return " ".join("".join(c + (self.rng.choice(SEPARATORS) if i < len(part) - 1 else "") for i, c in enumerate(part))
                        for part in w.split(" "))

    def leet(self, w):
        out = []
        for i, c in enumerate(w):
            options = LEET.get(c, [])
            # A leading "@"/"!" would read as a mention or punctuation, and a closing "!" as punctuation:
            # evaders use digits there.
            if i in (0, len(w) - 1):
                options = [o for o in options if o.isalnum() or o == "$"]
            out.append(self.rng.choice(options) if options and self.rng.random() < 0.6 else c)
        return "".join(out)

    def leet_punct(self, w): return self.leet(w) + self.rng.choice(PUNCTUATION)

    def elongated_punct(self, w):
        i = self.rng.choice([k for k, c in enumerate(w) if c.isalpha()])
        return w[:i] + w[i] * self.rng.randint(3, 7) + w[i + 1:] + self.rng.choice(PUNCTUATION)

    def mixed(self, w):
        out = []
        for i, c in enumerate(w):
            roll = self.rng.random()
            if c == " ":
                out.append(c); continue
            if roll < 0.3 and c in LEET and 0 < i < len(w) - 1:
                out.append(self.rng.choice(LEET[c]))
            elif roll < 0.6 and self.homoglyphs.get(c):
                out.append(self.rng.choice(self.homoglyphs[c]))
            elif roll < 0.8:
                out.append(c.upper())
            else:
                out.append(c)
            if i < len(w) - 1 and self.rng.random() < 0.4:
                out.append(self.rng.choice(ZERO_WIDTH))
        return "".join(out)


def benign(rng: random.Random, words: set[str], count: int) -> list[tuple[str, str]]:
    # A listed word between non-letters ("HELL_FROZEN_OVER" holds "hell"), as a plain word filter sees it.
    plain = re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?![a-z0-9])")
    fortunes = []
    for path in sorted(glob.glob("/usr/share/games/fortunes/*")):
        if os.path.splitext(path)[1] or os.path.islink(path) or not os.path.isfile(path):
            continue
        for entry in open(path, encoding="utf-8", errors="replace").read().split("\n%\n"):
            text = " ".join(entry.split())
            if 20 <= len(text) <= 400:
                fortunes.append(text)
    dictionary = [w.strip() for w in open("/usr/share/dict/american-english", encoding="utf-8")
                  if len(w.strip()) > 1 and "'" not in w]
    out = []
    rng.shuffle(fortunes)
    for text in fortunes:
        if len([o for o in out if o[0] == "benign_fortune"]) >= count // 2:
            break
        if not plain.search(text.lower()):
            out.append(("benign_fortune", text))
    while len(out) < count:
        text = " ".join(rng.choice(dictionary) for _ in range(rng.randint(4, 14)))
        if not plain.search(text.lower()):
            out.append(("benign_dictionary", text))
    # Chat that stresses the views: words spelled out for emphasis, shouting, prices and multiplications.
    spelled = 0
    while spelled < count // 3:
        word = rng.choice(dictionary)
        if not (4 <= len(word) <= 9) or not word.isalpha() or plain.search(word.lower()):
            continue
        sep = rng.choice([" ", " ", ".", "-", " . ", "*"])
        word = word.upper() if rng.random() < 0.5 else word.lower()
        out.append(("benign_spaced", rng.choice(["that was {w}", "{w}!!", "so {w} today", "i am {w}"]).format(w=sep.join(word))))
        spelled += 1
    for text in rng.sample(fortunes, min(len(fortunes), count // 6)):
        if not plain.search(text.lower()):
            out.append(("benign_caps", text.upper()))
    for _ in range(count // 10):
        amount = rng.randint(1, 99)
        out.append(("benign_prices", rng.choice([
            "costs ${a}x more than last year", "only ${a} each, or 3 for ${b}", "x{a} for ${a}", "€{a} or ₽{b}00",
            "it's {a}×{a} = {c}", "¥{b}00 at the shop", "{a}% off, now ${b}.99"]).format(a=amount, b=amount + 3, c=amount * amount)))
    return out


def invites(rng: random.Random, homoglyphs: dict[str, list[str]], count: int) -> list[str]:
    out = []
    for _ in range(count):
        code = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(rng.randint(6, 10)))
        host = rng.choice(["discord.gg", "discord.com/invite", "discordapp.com/invite"])
        link = "".join(rng.choice(homoglyphs[c]) if c in homoglyphs and homoglyphs[c] and rng.random() < 0.6 else c
                       for c in host) + "/" + code
        out.append(rng.choice(["join us {l}", "free nitro at {l} !!", "{l}", "new server: https://{l}"]).format(l=link))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--words", required=True)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--benign", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    package = os.path.dirname(better_profanity.__file__)
    listed = [l.strip().lower() for l in open(os.path.join(package, "profanity_wordlist.txt"), encoding="utf-8")]
    words = sorted({w for w in listed if re.fullmatch(r"[a-z]+(?: [a-z]+)*", w)})
    proto = prototypes(os.path.join(os.path.dirname(confusables.__file__), "assets", "confusables.txt"))
    obfuscator = Obfuscator(rng, lookalikes(proto))
    with open(args.words, "w", encoding="utf-8") as f:
        f.write("\n".join(words) + "\n")
    with open(args.out, "w", encoding="utf-8") as out:
        def emit(cls, text, bad, word=""):
            out.write(json.dumps({"class": cls, "text": text, "bad": bad, "word": word}, ensure_ascii=False) + "\n")
        for cls in CLASSES:
            for w in words:
                emit(cls, rng.choice(TEMPLATES).format(w=getattr(obfuscator, cls)(w)), True, w)
        for text in invites(rng, obfuscator.homoglyphs, 400):
            emit("homoglyph_invite", text, True)
        for cls, text in benign(rng, set(words), args.benign):
            emit(cls, text, False)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turns ICU's UTS #39 skeletons (scripts/confusables/skeletons.c) into Warden's confusables table.

Warden's skeleton view comes after lowercasing, NFKC and mark stripping, and its rules are written in
Latin letters, so the table keeps what matters for matching: each non-ASCII scalar that can reach that
view and whose skeleton is plain ASCII once its marks are dropped (the data's "rn" for m-lookalikes
becomes "m"), lowercased. Lookalikes whose prototype is not Latin are left to Warden's own additions
in Confusables.swift. Usage: skeletons | table.py > Sources/WardenCore/Normalize/ConfusablesData.swift
"""
import re
import sys
import unicodedata

LETTER_PROTOTYPES = {"rn": "m"}
NOT_LETTERS = {"\u00d7", "\u00f7", "\u2715", "\u2a2f"}  # × ÷ ✕ ⨯  # the data's skeleton of "m"; other ASCII letters are their own


def reduce(skeleton: str, skeletons: dict[str, str]) -> str:
    """The skeleton with marks (and modifier letters such as ẚ's ring) dropped, and characters whose own
    skeleton differs followed to theirs: the data maps ة to ه with a diaeresis, and ه to "o"."""
    text = skeleton
    for _ in range(3):
        text = unicodedata.normalize("NFKD", text)
        kept = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Me", "Cf", "Lm"))
        text = kept or text
        followed = "".join(skeletons.get(c, c) if ord(c) >= 0x80 else c for c in text)
        if followed == text:
            break
        text = followed
    return LETTER_PROTOTYPES.get(text, text)


def target(skeleton: str, skeletons: dict[str, str], source: str = "") -> str | None:
    text = reduce(skeleton, skeletons).lower()
    # Currency signs and spacing vowel signs are not letters in chat (€ is no "c"), nor are the operators
    # that stand between numbers (3×3 is no "3x3"); other math symbols are (⊤, ∪ and ∨ spell "tuv").
    category = unicodedata.category(source) if len(source) == 1 else ""
    if category in ("Sc", "Mc") or source in NOT_LETTERS:
        return None
    # A digit of a living script shaped like o or l (०, ٥, ۱) becomes the ASCII digit of that shape, which
    # the leet view reads as a letter only inside a word with letters: "bl०wjob" is caught, "١٠٥" stays a number.
    # Digits of historic scripts (Warang Citi, outside the first plane) number nothing in chat: read as letters.
    if category == "Nd" and ord(source) < 0x10000:
        return {"o": "0", "l": "1"}.get(text)
    if not text or len(text) > 7 or any(not 0x21 <= ord(c) < 0x7F for c in text):
        return None
    return text


def in_word(skeleton: str, skeletons: dict[str, str], source: str) -> str | None:
    """What a currency sign or a digit of a living script imitates when it stands against a Latin letter, where
    it is no amount or number: ¥ in "¥es" is a "y", Arabic-Indic ٧ in "in٧ite" a "v". `target` refuses them
    everywhere else ("¥500", "١٠٧" stay as written)."""
    category = unicodedata.category(source) if len(source) == 1 else ""
    if category not in ("Sc", "Nd") or target(skeleton, skeletons, source) is not None:
        return None
    text = reduce(skeleton, skeletons).lower()
    return text if len(text) == 1 and "a" <= text <= "z" else None


def through_case(char: str, read, skeletons: dict[str, str]) -> str | None:
    """`read` of the letter's skeleton, else of its capital's: the data often says what a letter imitates
    through its capital."""
    for form in (char, char.upper()):
        mapped = read(skeletons.get(form, form), skeletons, char) if len(form) == 1 else None
        if mapped is not None:
            return mapped
    return None


LATIN_NAME = re.compile(r"LATIN (?:SMALL|CAPITAL) LETTER ([A-Z]) WITH |LATIN LETTER SMALL CAPITAL ([A-Z])$")


def latin_base(char: str) -> str | None:
    """A Latin letter with a hook, stroke or dot that the data leaves to itself, by its Unicode name
    ("LATIN SMALL LETTER T WITH PALATAL HOOK" is a "t")."""
    match = LATIN_NAME.match(unicodedata.name(char, ""))
    return (match.group(1) or match.group(2)).lower() if match else None


# Blocks whose letters Warden reads as Latin (the data's table or Warden's own list): an alias is kept only
# when its prototype lies in one of them.
LATIN_SHAPED = [(0x0180, 0x058F), (0x13A0, 0x13FF), (0x1400, 0x167F), (0x1D00, 0x1DBF), (0x2C60, 0x2C7F),
                (0xA4D0, 0xA4FF), (0xA720, 0xA7FF), (0xAB30, 0xABBF)]


def alias(skeleton: str, skeletons: dict[str, str], source: str) -> str | None:
    """A lone non-ASCII prototype (∩ is Armenian Ո in the data), which the table may read as a letter."""
    if target("a", skeletons, source) is None:   # the same refusals as for ASCII targets (€, ٠, ×)
        return None
    text = reduce(skeleton, skeletons)
    if len(text) != 1 or not any(lo <= ord(text) <= hi for lo, hi in LATIN_SHAPED):
        return None
    return text


def main() -> None:
    skeletons: dict[str, str] = {}
    version = ""
    for line in sys.stdin:
        if line.startswith("#"):
            version = line[1:].strip()
            continue
        source_hex, skeleton_hex = line.rstrip("\n").split("\t")
        skeletons[chr(int(source_hex, 16))] = "".join(chr(int(h, 16)) for h in skeleton_hex.split())

    entries: list[tuple[int, str]] = []
    aliases: list[tuple[int, str]] = []
    latin = {chr(v) for v in range(0x80, 0x20000) if unicodedata.name(chr(v), "").startswith("LATIN ")}
    for char in sorted(skeletons.keys() | {c.lower() for c in skeletons if len(c.lower()) == 1} | latin):
        # ASCII stays as typed. Scalars that NFKC or lowercasing changes rarely reach the view, but which
        # do depends on the case mapping of Swift's Unicode tables (Cherokee capitals stay), so all are kept.
        if ord(char) < 0x80:
            continue
        # The view is lowercase, but the data often says what a letter imitates through its capital
        # (Cyrillic к is confusable with "ĸ", its capital К with "K"): try the letter, then its capital.
        mapped = through_case(char, target, skeletons)
        if mapped is not None:
            entries.append((ord(char), mapped))
        else:
            named = latin_base(char)
            if named is not None:
                entries.append((ord(char), named))
                continue
            same = alias(skeletons.get(char, char), skeletons, char)
            if same is not None and same != char:
                aliases.append((ord(char), same))
    # Each scalar's own skeleton, case kept, for the scalars whose lowercase or NFKC form imitates another
    # letter (Greek capital Υ is "Y", its lowercase υ is "u"); Confusables.swift keeps those the views'
    # folding would misread.
    direct = []
    for char in sorted(skeletons):
        mapped = target(skeletons[char], skeletons, char) if ord(char) >= 0x80 else None
        if mapped is not None:
            direct.append((ord(char), mapped))
    in_words = [(ord(c), m) for c in sorted(skeletons) if ord(c) >= 0x80
                for m in [through_case(c, in_word, skeletons)] if m is not None]
    body = " ".join(f"{s:X}:{t}" for s, t in entries)
    in_word_body = " ".join(f"{s:X}:{t}" for s, t in in_words)
    direct_body = " ".join(f"{s:X}:{t}" for s, t in direct)
    alias_body = " ".join(f"{s:X}:{ord(t):X}" for s, t in aliases)
    assert '"##' not in body and '"##' not in direct_body
    print("// Generated by scripts/confusables/regenerate.sh from ICU's UTS #39 data; do not edit.")
    print(f"// {version}: {len(entries)} lookalikes whose skeleton is plain ASCII.")
    print("extension Confusables {")
    print("    /// `HEX:ascii` pairs separated by spaces, parsed once into `generated`.")
    print(f'    static let generatedSource = ##"{body}"##')
    print("    /// The same for each scalar as written (case and compatibility forms kept), parsed into `beforeFolding`.")
    print(f'    static let directSource = ##"{direct_body}"##')
    print("    /// `HEX:HEX` pairs: a scalar whose prototype is another non-ASCII scalar, read as that one is.")
    print(f'    static let aliasSource = "{alias_body}"')
    print("    /// `HEX:ascii` pairs: currency signs and digits read as the letter they imitate only against a Latin letter.")
    print(f'    static let inWordSource = "{in_word_body}"')
    print("}")


if __name__ == "__main__":
    main()

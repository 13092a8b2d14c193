"""Folding comment text for comparison: shared by the moderation rules and the Comment model.

`reading_form` is the text as a person reads it, for the word and repeat rules: what renders
the same compares the same. Two maintained sources of Unicode data do the work: `regex` knows the
Default_Ignorable_Code_Point property (characters that render as nothing), and
`confusable_homoglyphs` carries Unicode TR39's confusables, from which letters of other scripts
that look like Latin letters are folded to them.
"""

import functools
import hashlib
import re
import unicodedata

import regex
from confusable_homoglyphs import confusables

WORD = re.compile(r"\w+")
# Code points that render as nothing: joiners, tag characters, variation selectors, fillers.
INVISIBLE = regex.compile(r"\p{Default_Ignorable_Code_Point}+")
# What a name needs besides these to show at all: spaces of every kind, marks with no letter to
# sit on, format characters, and the Braille blank (a letter to Unicode, a space to the eye).
BLANK = regex.compile(r"[\p{Default_Ignorable_Code_Point}\p{Z}\p{M}\p{Cc}\p{Cf}\s\u2800]+")


def fold(text):
    """Lower-case the text and strip its accents: "Crétin" becomes "cretin"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.lru_cache(maxsize=4096)
def _as_latin(char):
    """Return `char` with its letter folded to the Latin one it is confusable with (TR39)."""
    if char.isascii():
        return char
    letter, *marks = unicodedata.normalize("NFD", char)
    # The lower case first ("Ι" is "ι", an i), then as written ("Β" is a B, "β" no b).
    for candidate in {letter.casefold(): None, letter: None}:
        found = len(candidate) == 1 and confusables.is_confusable(
            candidate, greedy=True, preferred_aliases=["latin"]
        )
        for homoglyph in found[0]["homoglyphs"] if found else ():
            if homoglyph["c"].isascii():
                return "".join([homoglyph["c"].lower(), *marks])
    return char


def reading_form(text):
    """Return the text as read: NFKC, invisibles dropped, look-alikes, case and accents folded.

    "ｂ\u200bаd" (fullwidth b, a zero-width space, a Cyrillic a) reads "bad".
    """
    visible = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return fold("".join(map(_as_latin, visible)))


def renders_blank(text):
    """Return whether the text shows nothing a reader could see (fillers, blanks, lone marks)."""
    return not BLANK.sub("", unicodedata.normalize("NFKC", text or ""))


def normalized_text(text):
    """The text with case, accents, punctuation and spacing folded away, to spot repeats."""
    return " ".join(WORD.findall(reading_form(text)))


def text_hash(text):
    """A short digest of the normalized text: equal for texts the repeat rule calls the same."""
    normalized = normalized_text(text).encode()
    return hashlib.blake2b(normalized, digest_size=16, usedforsecurity=False).hexdigest()

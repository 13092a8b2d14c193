"""Folding comment text for comparison: shared by the moderation rules and the Comment model."""

import hashlib
import re
import unicodedata

WORD = re.compile(r"\w+")


def fold(text):
    """Lower-case the text and strip its accents: "Crétin" becomes "cretin"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalized_text(text):
    """The text with case, accents, punctuation and spacing folded away, to spot repeats."""
    return " ".join(WORD.findall(fold(text)))


def text_hash(text):
    """A short digest of the normalized text: equal for texts the repeat rule calls the same."""
    normalized = normalized_text(text).encode()
    return hashlib.blake2b(normalized, digest_size=16, usedforsecurity=False).hexdigest()

"""Names in the order Norwegian and Northern Sami readers expect, not in code-point order.

Northern Sami letters follow their base letter (a á, c č, d đ, n ŋ, s š, t ŧ, z ž), and Æ Ø Å come after Z,
as in the Sami and Norwegian alphabets; Ä and Ö sort with Æ and Ø, Ü with Y. Case does not order names
(it only breaks ties, lower case first), nor do other accents (é sorts with e, after it when all else is equal).
Python's own order puts «Åse» before «Øystein» and «Čáhcesuolu» after «Zakariassen»; ICU would do this too,
but is not installable here, and these few rules are all the lists need.
"""

import unicodedata

#: the primary order of letters: digits, the Sami and Norwegian alphabet (Q W X Y for borrowed names)
ALPHABET = "0123456789aábcčdđefghijklmnŋopqrsštŧuvwxyzžæøå"
_RANK = {letter: rank for rank, letter in enumerate(ALPHABET, start=1)}
#: letters that sort as another letter of the alphabet
_AS = {"ä": "æ", "ö": "ø", "ü": "y", "ð": "đ", "þ": "t"}
#: characters outside the alphabet (other scripts) come after it, in code-point order
_OTHER = len(ALPHABET) + 1


def sort_key(text: str | None) -> tuple:
    """A key that sorts names in Norwegian and Northern Sami order, case-insensitively."""
    text = unicodedata.normalize("NFC", text or "")
    primary, accents, cases = [], [], []
    for character in text:
        lower = character.lower()
        if not lower.isalnum():
            primary.append(0)  # spaces, hyphens and punctuation: before any letter («Ann Berg» < «Anna»)
            accents.append(0)
            cases.append(0)
            continue
        accent = 0
        if lower in _AS:
            lower, accent = _AS[lower], 1
        elif lower not in _RANK:
            base = unicodedata.normalize("NFD", lower)[0]
            if base in _RANK:
                lower, accent = base, 2
        primary.append(_RANK.get(lower, _OTHER + ord(lower)))
        accents.append(accent)
        cases.append(1 if character.isupper() else 0)
    return tuple(primary), tuple(accents), tuple(cases), text


def sorted_by_name(items, name=lambda item: item):
    """*items* in name order (see sort_key); *name* gives an item's name."""
    return sorted(items, key=lambda item: sort_key(name(item)))

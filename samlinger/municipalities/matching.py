"""Which municipality a written name means: "vadsø", "Vadsø kommune", "5607", "Kárášjohka gielda" → Vadsø, Karasjok.

A match is certain only when the whole text, once the word for municipality is taken off, is the number, the
Norwegian name, the Sami name or the bilingual name of exactly one municipality. "Vadsø kommune, helse" or
"Vadsø og Vardø" match nothing: what is not certain is left to an organiser.
"""

import re
import unicodedata

from sqlalchemy import select

from ..extensions import db
from .models import Municipality

# Norwegian and Sami words for a municipality and their short forms, taken off the end or the start.
_MUNICIPALITY_WORDS = ("kommune", "kommun", "komm", "kom", "k", "gielda", "suohkan")
_AFFIX = re.compile(r"^(?:(?:%s)\.?\s+)?(.*?)(?:\s+(?:%s)\.?)?$" % (("|".join(_MUNICIPALITY_WORDS),) * 2))


def normalise(text: str) -> str:
    """Folded for comparing: NFC, case-folded, one space, no "kommune"/"gielda" around, no trailing dot."""
    text = " ".join(unicodedata.normalize("NFC", text).casefold().replace("–", "-").split()).strip(" .,")
    return _AFFIX.match(text).group(1).strip(" .,")


def keys(municipality: Municipality) -> set[str]:
    """Every written form that certainly names *municipality*."""
    names = {municipality.number, municipality.name}
    if municipality.sami_name:
        names |= {municipality.sami_name, f"{municipality.sami_name}-{municipality.name}",
                  f"{municipality.name}-{municipality.sami_name}"}
    return {normalise(name) for name in names}


def index(municipalities) -> dict[str, Municipality]:
    """Written form → municipality, leaving out any form that two municipalities share."""
    found: dict[str, Municipality] = {}
    shared: set[str] = set()
    for municipality in municipalities:
        for key in keys(municipality):
            if key in found and found[key] is not municipality:
                shared.add(key)
            found[key] = municipality
    return {key: value for key, value in found.items() if key not in shared}


def certain_match(text: str, known: dict[str, Municipality]) -> Municipality | None:
    """The municipality *text* certainly names, in an index() of the register; None when it is not certain."""
    return known.get(normalise(text or "")) if text else None


def find(text: str) -> Municipality | None:
    """The active municipality *text* certainly names (a number, a name, "X kommune"), or None."""
    active = db.session.scalars(select(Municipality).where(Municipality.active.is_(True)))
    return certain_match(text, index(active))

"""Which municipality a written name means: "vadsø", "Vadsø kommune", "5607", "Kárášjohka gielda" → Vadsø, Karasjok.

A match is certain only when the text, once folded (case, æ/ø/å and the Sami letters, a department after a
comma, the word for municipality in Norwegian or Sami taken off), is the number, the Norwegian name, the Sami
name (or its genitive, before «gielda»), or the bilingual name of exactly one municipality: «KOMMUNEN I VADSO»,
«Vadsø kommune, IT-avdelingen» and «Karasjoga gielda» are Vadsø and Karasjok. "Vadsø og Vardø" matches
nothing: what is not certain is left to an organiser.
"""

import re
import unicodedata

from sqlalchemy import select

from ..extensions import db
from .models import Municipality

# Norwegian and Sami words for a municipality and their short forms, taken off the end or the start
# ("Vadsø kommune", "Kommunen i Vadsø", "Kárášjoga gielda", "Guovdageainnu suohkan").
_MUNICIPALITY_WORDS = ("kommunen i", "kommune", "kommun", "komm", "kom", "k", "gielda", "suohkan")
_AFFIX = re.compile(r"^(?:(?:%s)\.?\s+)?(.*?)(?:\s+(?:%s)\.?)?$" % (("|".join(_MUNICIPALITY_WORDS),) * 2))
# Letters written another way on a keyboard without them: æ ø å and the Sami letters fold to plain ones
# (á č š ž lose their marks below), "aa" is an old å.
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "đ": "d", "ŋ": "n", "ŧ": "t", "ö": "o", "ä": "ae"})
# The Sami name in the genitive, as it stands before «gielda» / «suohkan» («Kárášjoga gielda»).
_SAMI_GENITIVE = {"kárášjohka": "kárášjoga", "guovdageaidnu": "guovdageainnu", "deatnu": "deanu",
                  "unjárga": "unjárgga", "porsáŋgu": "porsáŋggu"}


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).replace("aa", "a").replace("oe", "o")


def normalise(text: str) -> str:
    """Folded for comparing: case-folded, æ/ø/å and the Sami letters folded, one space, no department after a
    comma, no "kommune"/"kommunen i"/"gielda"/"suohkan" around, no trailing dot."""
    text = unicodedata.normalize("NFC", text).casefold().replace("–", "-").split(",")[0]
    text = " ".join(text.split()).strip(" .,")
    return _folded(_AFFIX.match(text).group(1).strip(" .,"))


def keys(municipality: Municipality) -> set[str]:
    """Every written form that certainly names *municipality*."""
    names = {municipality.number, municipality.name}
    if municipality.sami_name:
        names |= {municipality.sami_name, f"{municipality.sami_name}-{municipality.name}",
                  f"{municipality.name}-{municipality.sami_name}"}
        genitive = _SAMI_GENITIVE.get(municipality.sami_name.casefold())
        if genitive:
            names.add(genitive)
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


def with_municipality(details: dict) -> dict:
    """A registration's *details* with an organisation's name that denotes a municipality of the register
    matched to it: the limit per municipality and the held seats count it as that municipality, on every path
    into a seat (the forms match it too; this holds for any caller)."""
    if details.get("municipality_id") is None and details.get("organisation") and not details.get("unmatched"):
        municipality = find(details["organisation"])
        if municipality is not None:
            return {**details, "municipality_id": municipality.id, "organisation": ""}
    return details

"""A gathering's web address (/samlinger/<slug>): made from its title, unique, ASCII."""

import re
import unicodedata

from sqlalchemy import select

from ..extensions import db
from ..offices.scope import ALL_OFFICES
from .models import Gathering

_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "Æ": "ae", "Ø": "o", "Å": "aa"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """'Samling i øst våren 2027' -> 'samling-i-ost-vaaren-2027': ASCII, lower case, dashes."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100] or "samling"


def slug_taken(slug: str, except_id: int | None = None) -> bool:
    """Whether a gathering has *slug*, in any office: a slug is unique in the installation (a column of its own)."""
    query = select(Gathering.id).where(Gathering.slug == slug)
    if except_id is not None:
        query = query.where(Gathering.id != except_id)
    return db.session.scalar(query, execution_options={ALL_OFFICES: True}) is not None


def unique_slug(text: str, except_id: int | None = None) -> str:
    base = slugify(text)
    slug, n = base, 2
    while slug_taken(slug, except_id):
        slug, n = f"{base}-{n}", n + 1
    return slug

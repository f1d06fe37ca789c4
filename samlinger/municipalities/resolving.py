"""Registrations whose municipality was written as free text, matched to the register: by themselves where
the match is certain, by an admin for the rest.

Texts are handled in groups: every spelling that differs only in case and spaces is one text, so one choice
resolves "Vadsø kommune" for every registration that wrote it.
"""

from dataclasses import dataclass

from sqlalchemy import select

from ..audit.service import record
from ..extensions import db
from ..registration.models import Registration
from . import matching
from .models import Municipality


@dataclass
class Unmatched:
    text: str  # as first written
    key: str  # the group: case and spaces folded
    count: int
    suggestion: Municipality | None  # a certain match, if the register has one


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _unmatched_rows():
    return db.session.execute(
        select(Registration.id, Registration.organisation).where(Registration.unmatched.is_(True))
        .order_by(Registration.id)).all()


def unmatched() -> list[Unmatched]:
    """The texts left to resolve, the most used first."""
    known = matching.index(db.session.scalars(select(Municipality).where(Municipality.active.is_(True))))
    groups: dict[str, Unmatched] = {}
    for _id, text in _unmatched_rows():
        group = groups.get(_key(text))
        if group is None:
            groups[_key(text)] = Unmatched(text, _key(text), 1, matching.certain_match(text, known))
        else:
            group.count += 1
    return sorted(groups.values(), key=lambda group: (-group.count, group.key))


def _set(ids: list[int], municipality: Municipality | None) -> None:
    for registration in db.session.scalars(select(Registration).where(Registration.id.in_(ids))):
        registration.municipality = municipality
        registration.unmatched = False


def resolve(key: str, municipality: Municipality | None) -> int:
    """Give every registration of the text *key* the *municipality*, or None: "another organisation"."""
    ids = [id_ for id_, text in _unmatched_rows() if _key(text) == key]
    if ids:
        _set(ids, municipality)
        where = f"{municipality.number} {municipality.name}" if municipality else "another organisation"
        record("registration.municipality", None, f"{len(ids)} registrations written as free text → {where}")
        db.session.commit()
    return len(ids)


def match_certain() -> int:
    """Match every unmatched registration whose text certainly names an active municipality; how many."""
    known = matching.index(db.session.scalars(select(Municipality).where(Municipality.active.is_(True))))
    by_municipality: dict[Municipality, list[int]] = {}
    for id_, text in _unmatched_rows():
        municipality = matching.certain_match(text, known)
        if municipality is not None:
            by_municipality.setdefault(municipality, []).append(id_)
    for municipality, ids in by_municipality.items():
        _set(ids, municipality)
    matched = sum(len(ids) for ids in by_municipality.values())
    if matched:
        record("registration.municipality", None, f"{matched} registrations written as free text matched "
                                                  "to the register")
        db.session.commit()
    return matched

"""Rules for the register outside importing: the register in order, and an admin's edit of one entry."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.service import record
from ..collation import sort_key
from ..extensions import db
from ..refusal import Refused
from .models import LANGUAGE_DECISIONS, Municipality


def register() -> list[Municipality]:
    """Every municipality, active ones first, by name in Norwegian and Sami order (Åsnes after Vardø)."""
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.number))
    return sorted(municipalities, key=lambda m: (not m.active, sort_key(m.name), m.number))


def active() -> list[Municipality]:
    """The municipalities a person can choose, by name as written (Kárášjohka-Karasjok under K, Åsnes last)."""
    return sorted(db.session.scalars(select(Municipality).where(Municipality.active.is_(True))),
                  key=lambda municipality: sort_key(municipality.label))


def by_number(number: str) -> Municipality | None:
    return db.session.scalar(select(Municipality).where(Municipality.number == number))


def edit(municipality: Municipality, *, language_decision: str, sami_name: str, sami_area: bool,
         active: bool) -> bool:
    """Save an admin's changes with an audit entry naming what changed; whether anything did."""
    if language_decision not in LANGUAGE_DECISIONS:
        raise Refused("municipalities.bad_language", _l("Choose the municipality's written standard."))
    wanted = {"language_decision": language_decision, "sami_name": sami_name, "sami_area": sami_area,
              "active": active}
    changes = [f"{column} {getattr(municipality, column)!r} → {value!r}"
               for column, value in wanted.items() if getattr(municipality, column) != value]
    if not changes:
        return False
    for column, value in wanted.items():
        setattr(municipality, column, value)
    record("municipality.edit", municipality, f"{municipality.number} {municipality.name}: " + ", ".join(changes))
    db.session.commit()
    return True

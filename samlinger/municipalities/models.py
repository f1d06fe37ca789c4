"""A municipality of the county, with the written standard it has asked state bodies to use."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

#: the language decision (språklova § 15) as stored, with what organisers read
LANGUAGE_DECISIONS = {
    "bokmal": _l("Bokmål"),
    "nynorsk": _l("Nynorsk"),
    "neutral": _l("Neutral"),
    "unknown": _l("Not known (neutral)"),
}
#: the standard we write in for each decision; neutral and unknown have none (the reader's language)
WRITTEN_STANDARD = {"bokmal": "nb", "nynorsk": "nn"}


class Municipality(db.Model):
    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("language_decision IN ('bokmal', 'nynorsk', 'neutral', 'unknown')",
                        name="language_decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: kommunenummer, four digits ("5601")
    number: Mapped[str] = mapped_column(String(4), unique=True)
    #: the official name; for a bilingual name the Norwegian form ("Karasjok")
    name: Mapped[str] = mapped_column(String(100))
    #: the Sami form where the official name is bilingual ("Kárášjohka"), else ""
    sami_name: Mapped[str] = mapped_column(String(100), default="")
    #: bokmal | nynorsk | neutral | unknown (counts as neutral)
    language_decision: Mapped[str] = mapped_column(String(10), default="unknown")
    #: in the administrative area for Sami languages (sameloven § 3-1)
    sami_area: Mapped[bool] = mapped_column(Boolean, default=False)
    #: False once merged away; kept so that old registrations still name it
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    county: Mapped[str] = mapped_column(String(100), default="")

    @property
    def written_standard(self) -> str | None:
        """"nb" or "nn" where the municipality has chosen one; None for neutral or not known."""
        return WRITTEN_STANDARD.get(self.language_decision)

    @property
    def decision_label(self) -> str:
        return str(LANGUAGE_DECISIONS.get(self.language_decision, self.language_decision))

    def __repr__(self) -> str:
        return f"<Municipality {self.number} {self.name}>"

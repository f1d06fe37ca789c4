"""A municipality of the county, with the written standard it has asked state bodies to use."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..offices.models import office_column

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
    office_scope = "office_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = office_column()
    #: kommunenummer, four digits ("5601"): national, so a municipality is in one office's register
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
    def label(self) -> str:
        """The name as people write it: "Vadsø", a bilingual one with its Sami form first ("Kárášjohka-Karasjok")."""
        return f"{self.sami_name}-{self.name}" if self.sami_name else self.name

    @property
    def decision_label(self) -> str:
        return str(LANGUAGE_DECISIONS.get(self.language_decision, self.language_decision))

    def __repr__(self) -> str:
        return f"<Municipality {self.number} {self.name}>"


def mail_language(municipality: "Municipality | None", used: str) -> str:
    """The language we write to a person in, who used *used* on our pages and works in *municipality*.

    Northern Sami when they chose it (sameloven § 3-2 gives them the right to be answered in Sami); else the
    written standard their municipality has chosen (språklova § 15), whatever the page language; else, for a
    neutral municipality or another organisation, the language they used.
    """
    if used != "se" and municipality is not None and municipality.written_standard:
        return municipality.written_standard
    return used


#: why we write in the language we do, in one line on the manage page: by the municipality's decision ...
_BY_DECISION = {
    "nb": _l("We write to you in Bokmål, the written standard %(municipality)s kommune has chosen."),
    "nn": _l("We write to you in Nynorsk, the written standard %(municipality)s kommune has chosen."),
}
#: ... or by the language the person used
_BY_CHOICE = {
    "nb": _l("We write to you in Bokmål, the language you used when you registered."),
    "nn": _l("We write to you in Nynorsk, the language you used when you registered."),
    "en": _l("We write to you in English, the language you used when you registered."),
    "se": _l("We write to you in Northern Sami, the language you used when you registered."),
}


def mail_language_note(municipality: "Municipality | None", used: str) -> str:
    """One line saying which language mail_language() picks for this person, and why."""
    language = mail_language(municipality, used)
    if municipality is not None and language == municipality.written_standard and used != "se":
        return str(_BY_DECISION[language]) % {"municipality": municipality.label}
    return str(_BY_CHOICE.get(language, _BY_CHOICE["nb"]))

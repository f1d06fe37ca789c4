"""Organiser-written text in both written standards, and the office's name in each language.

Rounds, gatherings and documents keep their texts in Bokmål (`title`) and Nynorsk (`title_nn`). A reader
gets their own standard and the other one when theirs is not written: Nynorsk readers the Nynorsk text,
everyone else (Bokmål, English and any other language) the Bokmål one. `pick` is that one rule; pages,
the API, calendar files and e-mails all read texts through `TwoStandards.text`.
"""

from flask import has_app_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .offices.settings import current

#: what the workspace calls each translated field when it says a translation is missing
FIELD_NAMES = {"title": _l("title"), "intro": _l("introduction"), "description": _l("description"),
               "programme": _l("programme")}
#: the office's name where the installation names none
DEFAULT_OFFICE_NAME = "Statsforvalteren"
DEFAULT_OFFICE_NAMES = {"nn": "Statsforvaltaren", "en": "The County Governor"}


def current_language() -> str:
    """The language being written in: the page's, or the recipient's inside `force_locale`."""
    locale = get_locale() if has_app_context() else None
    return str(locale) if locale is not None else current().default_language


def pick(bokmal: str, nynorsk: str, language: str) -> str:
    """The text a reader of *language* gets: their standard, else the other one."""
    if language == "nn":
        return nynorsk or bokmal or ""
    return bokmal or nynorsk or ""


class TwoStandards:
    """A model whose fields in TRANSLATED each have a Nynorsk twin `<field>_nn`."""

    TRANSLATED: tuple[str, ...] = ()

    def text(self, field: str, language: str | None = None) -> str:
        """*field* for a reader of *language* (default: the language being written in)."""
        return pick(getattr(self, field), getattr(self, field + "_nn"), language or current_language())

    def text_language(self, field: str, language: str | None = None) -> str:
        """The written standard ("nb" or "nn") of the text a reader of *language* gets for *field*."""
        language = language or current_language()
        bokmal, nynorsk = getattr(self, field), getattr(self, field + "_nn")
        if language == "nn":
            return "nn" if nynorsk or not bokmal else "nb"
        return "nb" if bokmal or not nynorsk else "nn"

    def missing_translations(self) -> dict[str, list[str]]:
        """The fields written in one standard only, by the standard they lack: {"nn": ["title"], "nb": []}."""
        missing: dict[str, list[str]] = {"nb": [], "nn": []}
        for field in self.TRANSLATED:
            bokmal, nynorsk = getattr(self, field), getattr(self, field + "_nn")
            if bokmal and not nynorsk:
                missing["nn"].append(field)
            elif nynorsk and not bokmal:
                missing["nb"].append(field)
        return missing

    def translation_notes(self) -> list[str]:
        """What the workspace says about missing translations, in words (never colour alone)."""
        missing = self.missing_translations()
        names = {language: ", ".join(str(FIELD_NAMES[field]) for field in fields)
                 for language, fields in missing.items()}
        notes = []
        if names["nn"]:
            notes.append(_("Not written in Nynorsk: %(fields)s", fields=names["nn"]))
        if names["nb"]:
            notes.append(_("Not written in Bokmål: %(fields)s", fields=names["nb"]))
        return notes


def lang_of(obj: TwoStandards, field: str) -> Markup:
    """` lang="nb"` for an element holding *field* when that text is in another language than the page (the
    other standard as a fallback, or Norwegian text on an English or Sami page), so that screen readers read
    it in its own language (WCAG 3.1.2); nothing when it is the page's language."""
    shown = obj.text_language(field)
    return Markup(f' lang="{shown}"') if shown != current_language() else Markup("")


def office_name(language: str | None = None) -> str:
    """The office's name in *language* (default: the language being written in); the Bokmål name where a
    language has none of its own (the first office's names come from SAMLINGER_OFFICE_NAME, _NN, _EN, _SE …)."""
    return current().name_in(language or current_language())


def office_contact() -> str:
    """The address on the office's pages for questions and requests about personal data (its contact_email; the
    first office's comes from SAMLINGER_CONTACT_EMAIL)."""
    return current().contact_email


def office_names_from(environ) -> tuple[str, dict[str, str]]:
    """(the Bokmål name, {language: its own name}) from the environment. SAMLINGER_ORGANISER_NAME is the old
    name of SAMLINGER_OFFICE_NAME, read when that is unset. With no name set at all, the defaults name the
    office in nb, nn and en; once the installation names itself, a language without its own name gets the
    Bokmål one (a generic «Statsforvaltaren» would lose the county)."""
    prefix = "SAMLINGER_OFFICE_NAME_"
    own = {key[len(prefix):].lower(): value.strip() for key, value in environ.items()
           if key.startswith(prefix) and value.strip()}
    name = ((environ.get("SAMLINGER_OFFICE_NAME") or "").strip()
            or (environ.get("SAMLINGER_ORGANISER_NAME") or "").strip())
    if not name:
        return DEFAULT_OFFICE_NAME, DEFAULT_OFFICE_NAMES | own
    return name, own

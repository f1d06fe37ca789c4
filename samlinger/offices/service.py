"""Creating an office: its address segment and languages checked, every process told (the content version)."""

import re

from flask import current_app
from sqlalchemy import select

from ..addresses import validated
from ..extensions import db, mark_public_change
from ..i18n import LANGUAGES, check_languages
from ..refusal import Refused
from .models import Office
from .registry import offices
from .scope import ALL_OFFICES

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")


def taken_segments() -> set[str]:
    """Address segments an office cannot have: the languages and the first segment of every route."""
    firsts = {rule.rule.lstrip("/").split("/", 1)[0] for rule in current_app.url_map.iter_rules()}
    return {segment for segment in firsts if segment and "<" not in segment} | set(LANGUAGES)


def check_slug(slug: str) -> str:
    """*slug* in lower case, as an office's address segment; Refused for one that is not lower-case letters,
    digits and hyphens, or that a route or a language has (the first office's too: migration 0022)."""
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise Refused("slug", f"{slug!r}: an office's address segment is 1–40 lower-case letters a–z, digits and "
                              "hyphens, e.g. rogaland")
    if slug in taken_segments():
        raise Refused("slug", f"{slug!r} is an address the site already uses; choose another")
    return slug


def create_office(slug: str, name: str, *, names: dict | None = None, default_language: str = "nb",
                  languages=("nb", "nn", "en"), contact_email: str = "", sender_name: str = "",
                  reply_to: str = "") -> Office:
    """Add an office (the caller commits). Refused: a segment that is not lower-case letters, digits and hyphens,
    one a route or another office has, languages the site cannot serve (i18n.check_languages), a name that is not
    one line the table holds, an address that is none."""
    slug = check_slug(slug)
    if db.session.scalar(select(Office.id).where(Office.slug == slug), execution_options={ALL_OFFICES: True}):
        raise Refused("slug", f"there is already an office at /{slug}/")
    if not name.strip():
        raise Refused("name", "an office needs a name")
    _one_line("its name", name)
    for code, value in (names or {}).items():
        _one_line(f"its name in {code}", value or "")
    _one_line("its sender name", sender_name)
    contact_email, reply_to = _address("its contact address", contact_email), _address("its reply-to", reply_to)
    languages = tuple(code.strip().lower() for code in languages if code.strip())
    _check_languages(languages, default_language)
    names = {code: value.strip() for code, value in (names or {}).items() if value and value.strip()}
    office = Office(slug=slug, name=name.strip(), name_nn=names.get("nn", ""), name_en=names.get("en", ""),
                    name_se=names.get("se", ""), contact_email=contact_email, default_language=default_language,
                    languages=",".join(languages), sender_name=sender_name.strip(), reply_to=reply_to)
    db.session.add(office)
    mark_public_change()  # every process reads the offices again: /<slug>/ exists, and / lists the offices
    return office


#: what the office table holds (models.Office)
NAME_MAX, ADDRESS_MAX = 200, 254


def _one_line(what: str, value: str) -> None:
    """Refused for a text the office's pages and the From of its mail cannot carry: a second line (a mail header
    with a line break cannot be sent), a control character, or more than the column holds."""
    value = value.strip()
    if len(value) > NAME_MAX or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise Refused("name", f"{what} must be one line of at most {NAME_MAX} characters")


def _address(what: str, value: str) -> str:
    """An address given (or ""), as email-validator reads it; Refused for one that is none."""
    value = value.strip()
    if value and (len(value) > ADDRESS_MAX or validated(value) is None):
        raise Refused("address", f"{what} {value[:60]!r} is not a valid e-mail address")
    return value


def office_by_slug(slug: str | None):
    """The office at /<slug>/ (settings), or the only one when *slug* is None and there is one; else Refused."""
    known = offices()
    if slug:
        office = known.by_slug(slug.strip().lower())
        if office is None:
            raise Refused("office", f"no office {slug!r}; there are: {', '.join(o.slug for o in known.all)}")
        return office
    if known.several:
        raise Refused("office", f"name the office with --office ({', '.join(o.slug for o in known.all)})")
    return known.first


def _check_languages(languages: tuple, default_language: str) -> None:
    try:
        check_languages(languages, default_language)
    except ValueError as error:
        raise Refused("languages", str(error).replace("SAMLINGER_LANGUAGES", "--languages")
                      .replace("SAMLINGER_DEFAULT_LANGUAGE", "--default-language")) from None


#: what update_office may change: everything but the address segment (links in sent mail carry it)
CHANGEABLE = ("name", "name_nn", "name_en", "name_se", "default_language", "languages", "contact_email",
              "reply_to", "sender_name")


def update_office(slug: str, **changes) -> tuple[Office, list[str]]:
    """Change the given settings of the office at /<slug>/ (a value None is left as it is; "" empties a name in
    another language, a contact, reply-to or sender name); the caller commits. Returns the office and the names
    of the fields that changed. Refused: no such office, an empty name, or languages the site cannot serve."""
    office = db.session.scalar(select(Office).where(Office.slug == (slug or "").strip().lower()),
                               execution_options={ALL_OFFICES: True})
    if office is None:
        known = ", ".join(o.slug for o in offices().all)
        raise Refused("office", f"no office {slug!r}; there are: {known}")
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"update_office cannot change {', '.join(sorted(unknown))}")
    wanted = {field: value.strip() for field, value in changes.items() if value is not None and field != "languages"}
    if changes.get("languages") is not None:
        wanted["languages"] = ",".join(code.strip().lower() for code in changes["languages"] if code.strip())
    if "name" in wanted and not wanted["name"]:
        raise Refused("name", "an office needs a name")
    _check_languages(tuple(wanted.get("languages", office.languages).split(",")),
                     wanted.get("default_language", office.default_language))
    changed = [field for field in CHANGEABLE if field in wanted and getattr(office, field) != wanted[field]]
    for field in changed:
        setattr(office, field, wanted[field])
    if changed:
        mark_public_change()  # every process reads the offices again; kept pages are made anew
    return office, changed

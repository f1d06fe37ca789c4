"""What a page, a mail or a feed knows of its office, without the database: `current()`.

The office of a request is put in `flask.g` by `offices.scope` (from the address, or the organiser's own office);
the command line and the mail worker say theirs with `scope.use_office`. Where none is said, the office made
from the installation's settings (`from_config`: SAMLINGER_OFFICE_NAME*, SAMLINGER_DEFAULT_LANGUAGE,
SAMLINGER_LANGUAGES) stands in: the first office, as an installation of one office has always been.
"""

from dataclasses import dataclass, field

from flask import current_app, g, has_app_context

#: the key of the office in flask.g (an OfficeSettings)
G_KEY = "office"
#: the key in flask.g that says a page is no one office's (a national administrator's)
NATIONAL = "national_page"
#: environ keys set by offices.paths.SitePath: the office of the address (None: a national page), where the
#: site is mounted (SCRIPT_NAME before the language and office), the office's segment ("/rogaland" or "")
OFFICE = "samlinger.office"
MOUNT = "samlinger.mount"
OFFICE_SEGMENT = "samlinger.office_segment"


@dataclass(frozen=True)
class OfficeSettings:
    id: int | None
    slug: str
    #: the Bokmål name, and the name per language where it has its own
    name: str
    names: dict = field(default_factory=dict, hash=False, compare=False)
    contact_email: str = ""
    default_language: str = "nb"
    languages: tuple = ("nb", "nn", "en")
    sender_name: str = ""
    reply_to: str = ""

    def name_in(self, language: str) -> str:
        """The office's name in *language*; the Bokmål name where that language has none of its own."""
        return self.names.get(language) or self.name


def from_config(config) -> OfficeSettings:
    """The first office, as the installation's settings describe it."""
    return OfficeSettings(
        id=None, slug=config.get("SAMLINGER_OFFICE_SLUG", "") or "", name=config["SAMLINGER_OFFICE_NAME"],
        names=dict(config["SAMLINGER_OFFICE_NAMES"]), contact_email=config["SAMLINGER_CONTACT_EMAIL"],
        default_language=config["SAMLINGER_DEFAULT_LANGUAGE"], languages=tuple(config["SAMLINGER_LANGUAGES"]),
        sender_name=config.get("SAMLINGER_MAIL_SENDER_NAME", "") or "", reply_to=config["SAMLINGER_REPLY_TO"])


def current() -> OfficeSettings:
    """The office being served or written for (see the module's docstring)."""
    office = g.get(G_KEY) if has_app_context() else None
    if office is not None:
        return office
    fallback = current_app.extensions.get("samlinger.first_office")
    return fallback() if fallback is not None else from_config(current_app.config)


def several() -> bool:
    """Whether this installation serves more than one office (then each has its /<slug>/ section)."""
    registry = current_app.extensions.get("samlinger.offices")
    return registry is not None and registry.get().several


def segment(office: OfficeSettings | None = None) -> str:
    """The office's address segment: "/rogaland" where there are several offices, else ""."""
    office = office or current()
    return "/" + office.slug if office.slug and several() else ""


def slug_from_name(name: str) -> str:
    """An address segment from an office's name: "Statsforvalteren i Finnmark" → "finnmark"."""
    import unicodedata

    place = name.rsplit(" i ", 1)[-1] if " i " in name else name
    folded = unicodedata.normalize("NFKD", place.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a"))
    ascii_only = "".join(ch if ch.isascii() and ch.isalnum() else "-" for ch in folded if not unicodedata.combining(ch))
    return "-".join(part for part in ascii_only.split("-") if part)[:40] or "kontor"


def first_office_row(config) -> dict:
    """The first office's row, from the installation's settings (a new database, or the upgrade to offices)."""
    office = from_config(config)
    return {"slug": office.slug or slug_from_name(office.name), "name": office.name,
            **{f"name_{code}": office.names.get(code, "") for code in ("nn", "en", "se")},
            "contact_email": office.contact_email, "default_language": office.default_language,
            "languages": ",".join(office.languages), "sender_name": office.sender_name,
            "reply_to": office.reply_to}

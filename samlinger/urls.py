"""Absolute links for e-mails and feeds, built from SAMLINGER_BASE_URL, also outside a request; and the integers
an address may carry."""

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter, Map

from .i18n import default_language, prefix, usable
from .offices.settings import segment


def absolute_url(endpoint: str, _language: str | None = None, **values) -> str:
    """The address of *endpoint* on SAMLINGER_BASE_URL in *_language* (by default the current locale's), in the
    office's section: a link in a Nynorsk e-mail from Rogaland opens in Nynorsk at /rogaland/…."""
    language = usable(_language or str(get_locale() or default_language()))
    base = urlsplit(current_app.config["SAMLINGER_BASE_URL"])
    root = base.path.rstrip("/") + prefix(language) + segment()
    adapter = current_app.url_map.bind(base.netloc, script_name=root or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def site_url(endpoint: str, **values) -> str:
    """The address of *endpoint* on SAMLINGER_BASE_URL with neither a language nor an office in it: the same
    whichever office's page asks, for the addresses registered with others (the OpenID Connect provider's return
    and logout addresses). Such an address is the first office's, in its written standard, as every address
    without a segment is; the sign-in pages there serve every office's accounts."""
    base = urlsplit(current_app.config["SAMLINGER_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


#: the largest id a column holds: INTEGER is 32 bits on PostgreSQL (and the ids SQLite hands out stay below)
LARGEST_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every route: a number a database column can hold, or no match (404). A larger one (2^31, 2^63,
    10^20) would otherwise reach the database and fail there (500): PostgreSQL cannot compare it with an
    INTEGER column and SQLite cannot take a number past 64 bits."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits, min, max if max is not None else LARGEST_ID, signed)


class UrlMap(Map):
    """Werkzeug's map of routes, with `int` bounded to what the database holds."""

    default_converters = {**Map.default_converters, "int": RowIdConverter}

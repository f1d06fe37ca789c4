"""The office and the language in the address, read before Flask runs.

With one office nothing is added to an address: `/x` in the office's written standard, `/nn/x`, `/se/x`, `/en/x`
in the others. With several, each office's pages are at `/<slug>/x` in its own default standard and at
`/<lang>/<slug>/x` in the others (as statsforvalteren.no does); `/` lists the offices and `/api/v1/gatherings`
is every office's. An address without an office is the first office's (the one an installation of one office
was upgraded into), so every address of before — manage, evaluation and feed links — keeps working.

`SitePath` moves the language and office segments from PATH_INFO into SCRIPT_NAME, so the routes know nothing
of either and every `url_for` keeps the reader in their language and office. It notes in the environ the
language (i18n.LANGUAGE), the office (OFFICE), where the site is mounted (MOUNT) and the office's segment
(OFFICE_SEGMENT). `/<default>/x` is marked CANONICAL, answered by a redirect to `/x`. A language the office
does not offer leaves the path as it is: no route has it, so the answer is 404.
"""

from flask import current_app, g, request

from ..i18n import CANONICAL, LANGUAGE, LANGUAGES
from .registry import SNAPSHOT
from .settings import MOUNT, NATIONAL, OFFICE, OFFICE_SEGMENT

#: the environ key under which the front door passes on the content version it read
VERSION = "samlinger.version"
#: the addresses without an office that are national once there are several offices
NATIONAL_PATHS = frozenset({"/", "/api/v1/gatherings"})


def _split(path: str) -> tuple[str, str]:
    first, _, rest = path[1:].partition("/")
    return first, "/" + rest


class SitePath:
    def __init__(self, wsgi_app, registry):
        self.wsgi_app, self.registry = wsgi_app, registry

    def __call__(self, environ, start_response):
        offices = environ[SNAPSHOT] = self.registry.get(environ.get(VERSION))
        path = environ.get("PATH_INFO", "") or "/"
        mount = environ.get("SCRIPT_NAME", "")
        language = None
        first, rest = _split(path)
        if path.startswith("/") and first in LANGUAGES:
            language, path = first, rest
        office, segment = offices.first, ""
        first, rest = _split(path)
        named = offices.by_slug(first) if path.startswith("/") and first else None
        if named is not None:
            office, segment, path = named, "/" + first, rest
        elif offices.several and path in NATIONAL_PATHS:
            office = None
        shown = office or offices.first
        if language is not None and language not in shown.languages:
            environ[MOUNT], environ[OFFICE] = mount, offices.first
            environ[LANGUAGE], environ[OFFICE_SEGMENT] = offices.first.default_language, ""
            return self.wsgi_app(environ, start_response)  # a path no route has: 404
        environ[MOUNT], environ[OFFICE], environ[OFFICE_SEGMENT] = mount, office, segment
        environ[LANGUAGE] = language or shown.default_language
        script = mount
        if language is not None:
            if language == shown.default_language:
                environ[CANONICAL] = True
            else:
                script += "/" + language
        environ["SCRIPT_NAME"] = script + segment
        environ["PATH_INFO"] = path
        return self.wsgi_app(environ, start_response)


def _registry():
    return current_app.extensions["samlinger.offices"]


def is_national_page() -> bool:
    """This page is no one office's: `/` or the API's list with several offices, or a national administrator's."""
    return request.environ.get(OFFICE, True) is None or g.get(NATIONAL, False)


def offices_of_page() -> tuple:
    """The offices this page shows: every office on a national page, else the address's office."""
    known = _registry().get()
    return known.all if is_national_page() else (request.environ.get(OFFICE) or known.first,)


def office_homes() -> list[tuple]:
    """(office, the address of its front page in the reader's language, or in its own where it has not that one)."""
    language = request.environ.get(LANGUAGE)
    mount = request.environ.get(MOUNT, "")
    homes = []
    for office in _registry().get().all:
        shown = language if language in office.languages else office.default_language
        prefix = "" if shown == office.default_language else "/" + shown
        homes.append((office, shown, f"{mount}{prefix}/{office.slug}/"))
    return homes

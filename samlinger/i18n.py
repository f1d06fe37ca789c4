"""The language is part of the address: the office's default language at /…, the others at /nn/…, /se/…, /en/….

`offices.paths.SitePath`, a WSGI layer in front of Flask, moves a leading language segment (and the office's,
where there are several offices) from PATH_INFO into SCRIPT_NAME and notes the language in the environ, so the
routes know nothing of languages and every `url_for` keeps the reader in theirs. A page's language is its path
only: no session, no Accept-Language.
A link shared in Nynorsk opens in Nynorsk for whoever gets it, and the page cache keeps one page per path.

`/<default>/x` answers a permanent redirect to `/x` (one address per page). The old switcher link
`/sprak/<code>?next=/path` redirects to the same path in that language, through `redirects.safe_next`.

The code knows `LANGUAGES`; an office offers some of them (the first office's from `SAMLINGER_LANGUAGES`).
A path in a language it does not offer is an ordinary path (a 404). Northern Sami is for the participant's
path only: the workspace and the login pages are in `WORKSPACE_LANGUAGES`, and a workspace address in another
language redirects to the same page in the default language. Untranslated Sami messages show Bokmål.
"""

from urllib.parse import quote

from babel import support
from flask import Blueprint, abort, current_app, has_app_context, redirect, request
from flask_babel import Domain, get_locale

from .offices.settings import MOUNT, OFFICE_SEGMENT, current
from .redirects import safe_next

#: every language the code has texts for; an installation offers some of them (SAMLINGER_LANGUAGES)
LANGUAGES = ("nb", "nn", "se", "en")
LABELS = {"nb": "Bokmål", "nn": "Nynorsk", "se": "Davvisámegiella", "en": "English"}
#: the languages of the workspace, the login pages and account e-mails (Sami is for the participant's path)
WORKSPACE_LANGUAGES = ("nb", "nn", "en")
#: the language act asks for forms in Bokmål and Nynorsk alike: an installation offers both
REQUIRED = ("nb", "nn")
#: where a catalogue has no translation of a message, it is taken from this one (Sami readers read Norwegian)
FALLBACK = {"se": "nb"}
#: blueprints whose pages stay in WORKSPACE_LANGUAGES (every workspace endpoint is workspace.*)
WORKSPACE_BLUEPRINTS = {"workspace", "auth", "factor", "oidc"}
#: environ keys set by SitePath: the page's language; the default language's prefix to drop
LANGUAGE = "samlinger.language"
CANONICAL = "samlinger.canonical"
#: characters left as they are when a decoded path is written into an address again
_SAFE = "/!$&'()*+,;=:@-._~"

bp = Blueprint("i18n", __name__)


def default_language() -> str:
    """The office's written standard: its pages' language at an address without one."""
    return current().default_language


def offered() -> tuple:
    """The languages the office offers, in the switcher's order."""
    return current().languages


def usable(language: str) -> str:
    """*language* if the installation offers it, else the default: mail stored in a language taken off the
    list since (SAMLINGER_LANGUAGES) is written, and linked, in one that still has pages."""
    return language if language in offered() else default_language()


def in_workspace() -> bool:
    """This request is for a workspace or login page (Norwegian and English only)."""
    return bool(WORKSPACE_BLUEPRINTS.intersection(request.blueprints))


def prefix(code: str) -> str:
    """The path segment of a language: "" for the default language, "/nn" for Nynorsk …"""
    return "" if code == default_language() else "/" + code


def site_root() -> str:
    """SCRIPT_NAME without the language and office: where the site is mounted ("" at the root of a host)."""
    return request.environ.get(MOUNT, request.script_root)


def office_segment() -> str:
    """The office's segment of this page's address ("/rogaland", or "" with one office or none)."""
    return request.environ.get(OFFICE_SEGMENT, "")


def strip_language(path: str) -> str:
    """A site path without a leading language segment: /nn/personvern → /personvern."""
    first, _, rest = path[1:].partition("/")
    return "/" + rest if path.startswith("/") and first in offered() else path


def _here() -> str:
    """This page's address below the language, with its query string, encoded for a link."""
    here = quote(request.path, safe=_SAFE)
    query = request.query_string.decode("latin-1")
    return f"{here}?{query}" if query else here


def versions() -> list[dict]:
    """This page in each language: the switcher's links and the hreflang alternates (absolute). The workspace
    offers only its own languages."""
    here, root = _here(), site_root()
    base, default = current_app.config["SAMLINGER_BASE_URL"], default_language()
    codes = [code for code in offered() if code in WORKSPACE_LANGUAGES or not in_workspace()]
    here = office_segment() + here
    return [{"code": code, "label": LABELS[code], "href": root + prefix(code) + here,
             "absolute": base + prefix(code) + here, "default": code == default} for code in codes]


def _redirect_to_canonical():
    """`/<default>/x` → `/x`: 301 for GET and HEAD, 308 (same method and body) for anything else."""
    if not request.environ.get(CANONICAL):
        return None
    target = safe_next(request.script_root + _here(), request.script_root + "/")
    return redirect(target, 301 if request.method in ("GET", "HEAD") else 308)


def _keep_workspace_in_its_languages():
    """A workspace or login page asked for in Sami: the same page in the default language. Temporary (302/307),
    as which languages the workspace has may change; a POST keeps its method and body."""
    language = request.environ.get(LANGUAGE)
    if language in WORKSPACE_LANGUAGES or not in_workspace():
        return None
    target = safe_next(site_root() + prefix(default_language()) + office_segment() + _here(), "/")
    return redirect(target, 302 if request.method in ("GET", "HEAD") else 307)


@bp.get("/sprak/<code>")
def choose_language(code):
    """The old switcher link: the same page in *code*'s language (a link kept working)."""
    if code not in offered():
        abort(404)
    target = safe_next(strip_language(request.args.get("next") or "/"), "/")
    return redirect(site_root() + prefix(code) + target)


class FallbackDomain(Domain):
    """Flask-Babel's message domain, with a catalogue's missing messages taken from its FALLBACK language: an
    untranslated Sami message shows Bokmål, not the English msgid."""

    def get_translations(self):
        if not has_app_context():
            return support.NullTranslations()
        locale = str(get_locale())
        key = (locale, self.domain[0])
        if key not in self.cache:
            translations = self._load(locale)
            if locale in FALLBACK:
                translations.add_fallback(self.fallback_for(locale))
            self.cache[key] = translations
        return self.cache[key]

    def fallback_for(self, locale: str):
        """What a message missing from *locale*'s catalogue shows (tests replace it to find such messages)."""
        return self._load(FALLBACK[locale])

    def _load(self, locale: str):
        """One language's catalogues from every translation directory, merged (as Flask-Babel does)."""
        translations = support.Translations()
        for dirname in self.translation_directories:
            catalogue = support.Translations.load(dirname, [locale], self.domain[0])
            translations.merge(catalogue)
            if hasattr(catalogue, "plural"):  # merge() leaves the plural rule behind
                translations.plural = catalogue.plural
        return translations


def check_languages(languages, default: str) -> None:
    """Refuse settings the site cannot serve, at start, with what to write instead."""
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown or not languages or len(set(languages)) != len(languages):
        raise ValueError(f"SAMLINGER_LANGUAGES must list languages from {', '.join(LANGUAGES)} once each, "
                         f"separated by commas (e.g. nb,nn,se,en), not {','.join(languages)!r}")
    missing = [code for code in REQUIRED if code not in languages]
    if missing:
        raise ValueError(f"SAMLINGER_LANGUAGES must offer both Bokmål (nb) and Nynorsk (nn): the language act "
                         f"asks for forms in both. Add {', '.join(missing)} to {','.join(languages)!r}")
    if default not in languages or default not in WORKSPACE_LANGUAGES:
        choices = ", ".join(code for code in languages if code in WORKSPACE_LANGUAGES)
        raise ValueError(f"SAMLINGER_DEFAULT_LANGUAGE must be one of the offered languages that the workspace "
                         f"also has ({choices}), not {default!r}")


def init_app(app, babel) -> None:
    default = app.config["SAMLINGER_DEFAULT_LANGUAGE"]
    languages = app.config["SAMLINGER_LANGUAGES"]
    if isinstance(languages, str):  # "nb,nn,se" given as it is written in the environment
        languages = languages.split(",")
    languages = tuple(code.strip().lower() for code in languages if code.strip())
    check_languages(languages, default)
    app.config["SAMLINGER_LANGUAGES"] = languages
    app.config["BABEL_DEFAULT_LOCALE"] = default
    babel.domain_instance = FallbackDomain()
    # First of all before-request functions: a redirect needs no rate limit, session or login check.
    app.before_request_funcs.setdefault(None, []).insert(0, _redirect_to_canonical)
    app.before_request_funcs[None].insert(1, _keep_workspace_in_its_languages)
    app.jinja_env.globals["language_versions"] = versions

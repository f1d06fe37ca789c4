"""The language is part of the address: the default language at /…, the others at /nn/…, /en/….

`LanguagePath`, a WSGI layer in front of Flask, moves a leading language segment from PATH_INFO into
SCRIPT_NAME and notes the language in the environ, so the routes know nothing of languages and every
`url_for` keeps the reader in theirs. A page's language is its path only: no session, no Accept-Language.
A link shared in Nynorsk opens in Nynorsk for whoever gets it, and the page cache keeps one page per path.

`/<default>/x` answers a permanent redirect to `/x` (one address per page). The old switcher link
`/sprak/<code>?next=/path` redirects to the same path in that language, through `urls.safe_next`.
"""

from urllib.parse import quote

from flask import Blueprint, abort, current_app, redirect, request

from .urls import safe_next

#: the languages of the site, the order of the switcher
LANGUAGES = ("nb", "nn", "en")
LABELS = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
#: environ keys set by LanguagePath: the page's language; the default language's prefix to drop
LANGUAGE = "samlinger.language"
CANONICAL = "samlinger.canonical"
#: characters left as they are when a decoded path is written into an address again
_SAFE = "/!$&'()*+,;=:@-._~"

bp = Blueprint("i18n", __name__)


class LanguagePath:
    """/nn/x → SCRIPT_NAME …/nn, PATH_INFO /x, environ[LANGUAGE] = "nn"; any other path is the default's."""

    def __init__(self, wsgi_app, default: str):
        self.wsgi_app, self.default = wsgi_app, default

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        first, _, rest = path[1:].partition("/")
        if path.startswith("/") and first in LANGUAGES:
            environ["PATH_INFO"] = "/" + rest
            if first == self.default:
                environ[CANONICAL] = True  # answered with a redirect to the address without it
            else:
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + first
            environ[LANGUAGE] = first
        else:
            environ[LANGUAGE] = self.default
        return self.wsgi_app(environ, start_response)


def default_language() -> str:
    return current_app.config["SAMLINGER_DEFAULT_LANGUAGE"]


def prefix(code: str) -> str:
    """The path segment of a language: "" for the default language, "/nn" for Nynorsk …"""
    return "" if code == default_language() else "/" + code


def site_root() -> str:
    """SCRIPT_NAME without the language: where the site is mounted ("" at the root of a host)."""
    root = request.script_root
    own = prefix(request.environ.get(LANGUAGE, default_language()))
    return root[: len(root) - len(own)] if own and root.endswith(own) else root


def strip_language(path: str) -> str:
    """A site path without a leading language segment: /nn/personvern → /personvern."""
    first, _, rest = path[1:].partition("/")
    return "/" + rest if path.startswith("/") and first in LANGUAGES else path


def _here() -> str:
    """This page's address below the language, with its query string, encoded for a link."""
    here = quote(request.path, safe=_SAFE)
    query = request.query_string.decode("latin-1")
    return f"{here}?{query}" if query else here


def versions() -> list[dict]:
    """This page in each language: the switcher's links and the hreflang alternates (absolute)."""
    here, root = _here(), site_root()
    base, default = current_app.config["SAMLINGER_BASE_URL"], default_language()
    return [{"code": code, "label": LABELS[code], "href": root + prefix(code) + here,
             "absolute": base + prefix(code) + here, "default": code == default} for code in LANGUAGES]


def _redirect_to_canonical():
    """`/<default>/x` → `/x`: 301 for GET and HEAD, 308 (same method and body) for anything else."""
    if not request.environ.get(CANONICAL):
        return None
    target = safe_next(request.script_root + _here(), request.script_root + "/")
    return redirect(target, 301 if request.method in ("GET", "HEAD") else 308)


@bp.get("/sprak/<code>")
def choose_language(code):
    """The old switcher link: the same page in *code*'s language (a link kept working)."""
    if code not in LANGUAGES:
        abort(404)
    target = safe_next(strip_language(request.args.get("next") or "/"), "/")
    return redirect(site_root() + prefix(code) + target)


def init_app(app) -> None:
    default = app.config["SAMLINGER_DEFAULT_LANGUAGE"]
    if default not in LANGUAGES:
        raise ValueError(f"SAMLINGER_DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {default!r}")
    app.config["BABEL_DEFAULT_LOCALE"] = default
    # First of all before-request functions: a redirect needs no rate limit, session or login check.
    app.before_request_funcs.setdefault(None, []).insert(0, _redirect_to_canonical)
    app.jinja_env.globals["language_versions"] = versions
    app.wsgi_app = LanguagePath(app.wsgi_app, default)

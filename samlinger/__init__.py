"""samlinger: registration for the gatherings of a project network."""

import os
from pathlib import Path

from flask import Flask, has_request_context, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError

from . import bodylimit, formatting, frontdoor, i18n, identity, logmask, pagecache, security, startup_checks, texts
from . import config as settings
from .extensions import babel, csrf, db, limiter, login, mailer, migrate
from .locking import configure_sqlite
from .offices import registry as office_registry
from .offices import scope as office_scope
from .offices import settings as offices_settings
from .offices.paths import SitePath
from .refusal import Refused
from .urls import UrlMap

LANGUAGES = i18n.LANGUAGES
ROOT = Path(__file__).resolve().parent.parent
#: endpoints whose files are the same in every language (Samlinger.url_for)
LANGUAGE_FREE = {"static", "identity.favicon", "identity.logo", "identity.theme_css"}


def select_locale() -> str:
    """The language of the page's address (i18n.LanguagePath), or the installation's default language."""
    if has_request_context():
        language = request.environ.get(i18n.LANGUAGE)
        if language is not None:
            return language
    return offices_settings.current().default_language


class Samlinger(Flask):
    """Flask, with addresses that carry the page's language (i18n.LanguagePath) except for static files, and
    integers in addresses that the database can hold (urls.RowIdConverter): a larger one is 404."""

    url_map_class = UrlMap

    def url_for(self, /, endpoint: str, **values) -> str:
        """Static files, the favicon, logo and theme stay at one address in every language: it carries no
        language, so a browser caches them once."""
        url = super().url_for(endpoint, **values)
        if endpoint in LANGUAGE_FREE and has_request_context():
            root = request.script_root
            site = i18n.site_root()
            if root != site and url.startswith(root + "/"):
                url = site + url[len(root):]
        return url


def create_app(config: dict | None = None) -> Flask:
    app = Samlinger(__name__, instance_path=str(ROOT / "instance"), template_folder=str(ROOT / "templates"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(
        BABEL_DEFAULT_TIMEZONE="Europe/Oslo",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        WTF_CSRF_TIME_LIMIT=None,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    )
    app.config.update(config or {})
    i18n.init_app(app, babel)  # checks the languages, sets BABEL_DEFAULT_LOCALE
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    bodylimit.init_app(app)  # before csrf: its check reads the form
    security.init_app(app)
    identity.init_app(app)  # checks the logo and colour settings; serves the favicon
    startup_checks.check(app)
    from .auth import oidc
    from .auth.secondfactor import check_setting

    check_setting(app)  # a SECOND_FACTOR_REQUIRED_FOR that means nothing stops the start

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mailer.init_app(app)
    csrf.init_app(app)
    login.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    oidc.init_app(app)  # the office's OpenID Connect provider, when SAMLINGER_OIDC_ISSUER is set
    pagecache.init_app(app)
    # The office and language in the address (offices/paths.py), read from the offices the registry keeps.
    app.wsgi_app = SitePath(app.wsgi_app, office_registry.init_app(app))
    app.before_request_funcs.setdefault(None, []).insert(0, office_scope.begin_request)
    frontdoor.init_app(app)  # inside ProxyFix, outside SitePath: keyed by the path with its language and office
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)

    # Every table known to SQLAlchemy and Alembic, and every feature's mails known to the mail worker.
    from . import mails, models  # noqa: F401
    from .auth.factor_views import bp as factor_bp
    from .auth.oidc_views import bp as oidc_bp
    from .auth.views import bp as auth_bp
    from .documents.views import bp as documents_bp
    from .evaluations.views import bp as evaluations_bp
    from .gatherings.views import bp as gatherings_bp
    from .i18n import bp as i18n_bp
    from .reach.views import bp as reach_bp
    from .registration.views import bp as registration_bp
    from .workspace.views import bp as workspace_bp

    app.register_blueprint(gatherings_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(factor_bp)
    app.register_blueprint(oidc_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(reach_bp)
    app.register_blueprint(evaluations_bp)
    logmask.init_app(app)  # learns the routes that carry a token from the URL map, now complete

    from . import cli, demo

    cli.register_commands(app)
    demo.register_commands(app)
    formatting.register(app)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["office_name"] = texts.office_name
    app.jinja_env.globals["office_contact"] = texts.office_contact
    app.jinja_env.globals["offered_languages"] = i18n.offered
    app.jinja_env.globals["lang_of"] = texts.lang_of
    _register_error_pages(app)
    security.trust_proxies(app)  # outermost: everything inside sees the client's scheme and address
    return app


def _register_error_pages(app: Flask) -> None:
    def page(status, template="errors/page.html", **context):
        return render_template(template, status=status, **context), status

    app.register_error_handler(400, lambda e: page(400))
    app.register_error_handler(CSRFError, lambda e: page(400, csrf=True))
    app.register_error_handler(403, lambda e: page(403))
    app.register_error_handler(404, lambda e: page(404))
    app.register_error_handler(405, lambda e: page(405))
    app.register_error_handler(413, lambda e: page(413, upload=bodylimit.is_upload()))
    # A refusal no view expected (two organisers at once, a link used while its registration was erased)
    # still tells the person why, in their language, rather than a 500.
    app.register_error_handler(Refused, lambda e: page(409, refused=str(e)))
    app.register_error_handler(429, lambda e: page(429))
    app.register_error_handler(500, lambda e: page(500))

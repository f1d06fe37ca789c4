"""The office's identity on every page: its name (texts.office_name) and optional logo in the header, its theme
colour, the favicon, and a description of the site for search engines and link previews.

Settings: SAMLINGER_LOGO (a path to an SVG, PNG or JPEG file, shown in the header beside the office's name) and
SAMLINGER_THEME_COLOR (#rrggbb: the header and the main buttons; white text must be readable on it).
"""

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, send_file, url_for

bp = Blueprint("identity", __name__)

#: the header's colour when the installation sets none (white text on it has a contrast of almost 10:1)
DEFAULT_THEME_COLOR = "#00466f"
LOGO_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}
#: a day: the favicon, logo and theme change only when the operator restarts with other settings
MAX_AGE = 86400
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class IdentityError(ValueError):
    """A setting of the office's identity that cannot be shown (a missing logo, an unreadable colour)."""


@dataclass(frozen=True)
class Identity:
    theme_color: str
    #: the theme's stylesheet, only when the installation sets its own colour
    custom_theme: bool
    logo: Path | None


def contrast_with_white(color: str) -> float:
    """WCAG's contrast ratio between *color* (#rrggbb) and white."""
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def shade(color: str, factor: float) -> str:
    """*color* darkened towards black by *factor* (0–1), for the buttons' hover and pressed states."""
    return "#" + "".join(f"{round(int(color[i:i + 2], 16) * (1 - factor)):02x}" for i in (1, 3, 5))


def from_config(config) -> Identity:
    """The identity the settings describe; raises IdentityError with what to change."""
    color = (config.get("SAMLINGER_THEME_COLOR") or "").strip()
    if color and not HEX_COLOR.fullmatch(color):
        raise IdentityError(f"SAMLINGER_THEME_COLOR is {color!r}: write a colour as #rrggbb, e.g. #00466f.")
    if color and contrast_with_white(color) < 4.5:
        raise IdentityError(
            f"SAMLINGER_THEME_COLOR {color} is too light: white text on it has a contrast of "
            f"{contrast_with_white(color):.1f}:1, and the header needs at least 4.5:1. Choose a darker colour.")
    logo = (config.get("SAMLINGER_LOGO") or "").strip()
    path = None
    if logo:
        path = Path(logo)
        if path.suffix.lower() not in LOGO_TYPES:
            raise IdentityError(f"SAMLINGER_LOGO {logo} is not an SVG, PNG, JPEG or WebP file.")
        if not path.is_file():
            raise IdentityError(f"SAMLINGER_LOGO {logo} does not exist or is not a file.")
    return Identity(theme_color=(color or DEFAULT_THEME_COLOR).lower(), custom_theme=bool(color), logo=path)


def current() -> Identity:
    return current_app.extensions["samlinger_identity"]


def init_app(app: Flask) -> None:
    """Check the settings (IdentityError stops the start), serve the favicon, logo and theme, and give templates
    `identity()`."""
    app.extensions["samlinger_identity"] = from_config(app.config)
    app.register_blueprint(bp)
    app.jinja_env.globals["identity"] = current


def _cached(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers and crawlers ask for /favicon.ico whatever the page links to."""
    return _cached(send_file(Path(current_app.static_folder) / "favicon.ico", mimetype="image/vnd.microsoft.icon"))


@bp.get("/logo")
def logo():
    path = current().logo
    if path is None:
        return Response(status=404)
    mimetype = "image/svg+xml" if path.suffix.lower() == ".svg" else mimetypes.guess_type(path.name)[0]
    return _cached(send_file(path, mimetype=mimetype))


@bp.get("/theme.css")
def theme_css():
    """The installation's colour as Designsystemet's accent and the header's background."""
    color = current().theme_color
    css = (f":root{{--samlinger-brand:{color};--ds-color-accent-base-default:{color};"
           f"--ds-color-accent-base-hover:{shade(color, 0.15)};--ds-color-accent-base-active:{shade(color, 0.3)};"
           f"--ds-color-accent-text-default:{color}}}\n")
    return _cached(Response(css, mimetype="text/css"))


def logo_url() -> str | None:
    return url_for("identity.logo") if current().logo else None

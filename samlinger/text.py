"""Turning organiser-written Markdown into safe HTML."""

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre",
                "table", "thead", "tbody", "tr", "th", "td", "hr"}


def render_markdown(source: str) -> Markup:
    """Render Markdown and keep only harmless tags: no scripts, styles or event handlers."""
    html = markdown.markdown(source or "", extensions=["sane_lists", "tables"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}, "th": {"scope"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)

"""Every template filter: dates, times and numbers as people read them, in the page's language and in Oslo
time, and Markdown."""

import markdown
import nh3
from flask_babel import format_date, format_decimal, format_time, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .timeutil import oslo


def date_long(value, weekday: bool = True) -> str:
    """'tirsdag 3. februar 2027' (without *weekday*: '3. februar 2027'), for a date or an aware instant (shown in
    Oslo). Northern Sami puts the month in the genitive before the day: 'gaskavahkku guovvamánu 3. b. 2027'."""
    if hasattr(value, "tzinfo"):
        value = oslo(value).date()
    language = get_locale().language
    if language == "se":
        # CLDR gives the nominative ('guovvamánnu') and the year first; a Sami date reads 'guovvamánu 3. b. 2027'.
        month = format_date(value, format="MMMM").removesuffix("mánnu") + "mánu"
        day = f"{month} {value.day}. b. {value.year}"
        return f"{format_date(value, format='EEEE')} {day}" if weekday else day
    if language == "en":
        # British order ('Tuesday 3 February 2027'), as Norwegian bodies write English, not Babel's American.
        return format_date(value, format="EEEE d MMMM y" if weekday else "d MMMM y")
    return format_date(value, format="full" if weekday else "long")


def date_plain(value) -> str:
    """A date without its weekday, for a date that is a record rather than an appointment ('22. november 2026')."""
    return date_long(value, weekday=False)


def time_short(value) -> str:
    """'10.00' (Norwegian, with a full stop as Norwegian style writes it) or '10:00' (English) for an aware
    instant, in Oslo time (through `oslo`, which also copes with year 9999). The «kl.» before it comes from
    the message the time is put into."""
    pattern = "HH:mm" if get_locale().language == "en" else "HH.mm"
    return format_time(oslo(value), format=pattern, rebase=False)


def when(gathering) -> str:
    """The day and hours of a gathering; both days when it spans more than one."""
    start, end = oslo(gathering.starts_at), oslo(gathering.ends_at)
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s", day=date_long(start), start=time_short(gathering.starts_at),
                 end=time_short(gathering.ends_at))
    return _("%(start_day)s %(start)s to %(end_day)s %(end)s", start_day=date_long(start),
             start=time_short(gathering.starts_at), end_day=date_long(end), end=time_short(gathering.ends_at))


def datetime_short(value) -> str:
    """An instant as '03.02.2027 kl. 14.05' (English '03.02.2027 14:05') in Oslo time."""
    if not value:
        return ""
    return _("%(day)s %(time)s", day=format_date(oslo(value).date(), "dd.MM.yyyy"), time=time_short(value))


def datetime_long(value) -> str:
    """An instant as 'tirsdag 3. februar 2027 kl. 14.05' in Oslo time."""
    return _("%(day)s %(time)s", day=date_long(value), time=time_short(value))


def filesize(size: int) -> str:
    """A file size as people read it: '820 kB', '2.4 MB'."""
    if size < 1000 * 1000:
        return f"{format_decimal(max(round(size / 1000), 1))} kB"
    return f"{format_decimal(round(size / 1000 / 1000, 1))} MB"


#: what organiser-written Markdown may become
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code", "pre",
                "table", "thead", "tbody", "tr", "th", "td", "hr"}


def render_markdown(source: str) -> Markup:
    """Render Markdown and keep only harmless tags: no scripts, styles or event handlers."""
    html = markdown.markdown(source or "", extensions=["sane_lists", "tables"])
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}, "th": {"scope"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    return Markup(clean)


def register(app) -> None:
    app.jinja_env.filters.update(date_long=date_long, date_plain=date_plain, time_short=time_short, when=when,
                                 datetime_short=datetime_short, datetime_long=datetime_long, filesize=filesize,
                                 markdown=render_markdown)

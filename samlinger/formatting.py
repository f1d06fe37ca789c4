"""Dates, times and numbers as people read them, in the page's language and in Oslo time."""

from flask_babel import format_date, format_time, get_locale
from flask_babel import gettext as _

from .timeutil import oslo


def date_long(value) -> str:
    """'tirsdag 3. februar 2027': for a date or an aware instant (shown in Oslo)."""
    if hasattr(value, "tzinfo"):
        value = oslo(value).date()
    if get_locale().language == "en":
        # British order ('Tuesday 3 February 2027'), as Norwegian bodies write English, not Babel's American.
        return format_date(value, format="EEEE d MMMM y")
    return format_date(value, format="full")


def time_short(value) -> str:
    """'10:00' for an aware instant, in Oslo time (through `oslo`, which also copes with year 9999)."""
    return format_time(oslo(value), format="HH:mm", rebase=False)


def when(gathering) -> str:
    """The day and hours of a gathering; both days when it spans more than one."""
    start, end = oslo(gathering.starts_at), oslo(gathering.ends_at)
    if start.date() == end.date():
        return _("%(day)s, %(start)s–%(end)s", day=date_long(start), start=time_short(gathering.starts_at),
                 end=time_short(gathering.ends_at))
    return _("%(start_day)s %(start)s to %(end_day)s %(end)s", start_day=date_long(start),
             start=time_short(gathering.starts_at), end_day=date_long(end), end=time_short(gathering.ends_at))


def register(app) -> None:
    app.jinja_env.filters.update(date_long=date_long, time_short=time_short, when=when)

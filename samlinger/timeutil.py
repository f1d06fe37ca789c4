"""Time rules: instants are stored as aware UTC and shown in Europe/Oslo."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

OSLO = ZoneInfo("Europe/Oslo")

#: The days an organiser may give a gathering and the public is shown. A year like 9999 or 0001 is a typing
#: mistake, and near the ends of what datetime holds an instant cannot be moved to Oslo or shifted.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def utcnow() -> datetime:
    return datetime.now(UTC)


def oslo_today() -> date:
    """Today's date in Oslo: between 23:00 and midnight UTC (22:00 in summer) it is already tomorrow's."""
    return oslo(utcnow()).date()


def oslo(dt: datetime) -> datetime:
    """Return the aware instant *dt* as Oslo wall-clock time.

    The last hour of year 9999 in UTC has no Oslo time (year 10000); such an instant stays in UTC.
    """
    try:
        return dt.astimezone(OSLO)
    except OverflowError:
        return dt


def oslo_to_utc(day: date, at: time) -> datetime:
    """Return the UTC instant of wall-clock time *at* on *day* in Oslo (DST-aware)."""
    return datetime.combine(day, at, tzinfo=OSLO).astimezone(UTC)


def end_of_day_utc(day: date) -> datetime:
    """Return the first instant after *day* has ended in Oslo: a deadline given as a date.

    Counted from the day's last moment, so that the last day datetime holds has an end, too.
    """
    return datetime.combine(day, time.max, tzinfo=OSLO).astimezone(UTC) + timedelta(microseconds=1)


class UTCDateTime(TypeDecorator):
    """A datetime column that only accepts aware values and always returns aware UTC.

    SQLite keeps no offset, so values are stored there as naive UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

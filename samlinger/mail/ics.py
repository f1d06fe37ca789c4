"""Every calendar object the service sends or serves is built here.

One UID per gathering for its whole life and SEQUENCE = the gathering's revision, so an
update or cancellation replaces the event in the participant's calendar. Titles and the organiser's
name are in the reader's language (the feed's path, the recipient's mail language).
"""

from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event, vCalAddress

from ..offices.settings import current
from ..texts import office_name
from ..timeutil import FIRST_DAY, LAST_DAY, oslo, utcnow

PRODID = "-//samlinger//samlinger 1.0//NB"


def organiser(language: str) -> vCalAddress:
    """The ORGANIZER: the organisers' mailbox, named as the office is in *language*."""
    email = current().reply_to or current_app.config["MAIL_DEFAULT_SENDER"]
    return vCalAddress.new(f"mailto:{email}", cn=office_name(language))


def _event(gathering, url: str, status: str, language: str, *, online: bool = False,
           video_url: str | None = None) -> Event:
    """One gathering as an event. Shared files (feeds, downloads) have the venue; an online participant's own
    invite has the video link as LOCATION and URL once there is one, and no venue."""
    location = ", ".join(part for part in (gathering.venue, gathering.address) if part)
    if online:
        location = video_url or ""
    title = gathering.text("title", language)
    event = Event.new(
        uid=gathering.uid,
        summary=title,
        start=oslo(gathering.starts_at),
        end=oslo(gathering.ends_at),
        location=location or None,
        url=video_url if online and video_url else url,
        sequence=gathering.revision,
        stamp=utcnow(),
        status=status,
        description=f"{title}\n{url}",
    )
    event.add("organizer", organiser(language))
    return event


def _calendar(method: str, events: list[Event], first, last) -> bytes:
    calendar = Calendar.new(prodid=PRODID, method=method, subcomponents=events)
    # Narrow the VTIMEZONE to the years the events span: a small file every client accepts. Kept within the
    # days the service accepts: a date stored some other way (year 9999) must not break the file.
    first, last = (min(max(day, FIRST_DAY), LAST_DAY) for day in (first, last))
    calendar.add_missing_timezones(first_date=first - timedelta(days=366), last_date=last + timedelta(days=366))
    return calendar.to_ical()


def invite(gathering, *, url: str, attendee_email: str, attendee_name: str, language: str,
           cancel: bool = False, online: bool = False, video_url: str | None = None) -> bytes:
    """Return a METHOD:REQUEST invite (or METHOD:CANCEL) for one participant.

    The participant is listed as attendee without a request to reply; no manage link is
    put in the invite, since calendars are often shared. *online*: the participant follows online, and
    *video_url* (given to confirmed online participants only) is the place.
    """
    event = _event(gathering, url, "CANCELLED" if cancel else "CONFIRMED", language, online=online,
                   video_url=video_url)
    event.add(
        "attendee",
        vCalAddress.new(
            f"mailto:{attendee_email}",
            cn=attendee_name,
            role="REQ-PARTICIPANT",
            partstat="ACCEPTED",
            rsvp=False,
        ),
    )
    day = gathering.starts_at.date()
    return _calendar("CANCEL" if cancel else "REQUEST", [event], day, day)


def download(gathering, *, url: str, language: str) -> bytes:
    """Return a METHOD:PUBLISH file with one gathering: the 'add to calendar' download."""
    status = "CANCELLED" if gathering.status == "cancelled" else "CONFIRMED"
    day = gathering.starts_at.date()
    return _calendar("PUBLISH", [_event(gathering, url, status, language)], day, day)


def feed(gatherings_with_urls: list[tuple], language: str) -> bytes:
    """Return a METHOD:PUBLISH feed of (gathering, url) pairs."""
    events = [
        _event(g, url, "CANCELLED" if g.status == "cancelled" else "CONFIRMED", language)
        for g, url in gatherings_with_urls
    ]
    if not events:
        today = utcnow().date()
        return _calendar("PUBLISH", [], today, today)
    days = [g.starts_at.date() for g, _ in gatherings_with_urls]
    return _calendar("PUBLISH", events, min(days), max(days))

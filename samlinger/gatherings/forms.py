"""Forms for rounds and gatherings; times are typed as Oslo wall-clock time."""

from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from ..forms import Form, at_most, one_line, strip
from ..timeutil import FIRST_DAY, LAST_DAY, oslo, oslo_to_utc
from .models import GATHERING_MODES, REGIONS, TERMS
from .slugs import SLUG

VISIBILITY = {"public": _l("Everyone"), "participants": _l("Only participants, through their link")}


def _text(label, required_message=None, max_length=200):
    first = InputRequired(required_message) if required_message else Optional()
    return StringField(label, filters=[strip], validators=[
        first, at_most(max_length), one_line])


class DayField(DateField):
    """A date from FIRST_DAY to LAST_DAY. A day that does not exist (29 February 2027) and one out of range
    (year 9999 or 0001, which would break every page showing it) are refused in the page's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("That day does not exist. Check the day and month.")) from None

    def pre_validate(self, form):
        if self.data is not None and not FIRST_DAY <= self.data <= LAST_DAY:
            raise ValidationError(_l("Enter a date in the years %(first)d to %(last)d.",
                                     first=FIRST_DAY.year, last=LAST_DAY.year))


TITLE_MISSING = _l("Enter a title in Bokmål or Nynorsk, or both.")


def _title_in_one_standard(form) -> bool:
    """At least one of the two titles is written; the error goes to the Bokmål field, the first."""
    if form.title.data or form.title_nn.data:
        return True
    form.title.errors.append(TITLE_MISSING)
    return False


def _texts(form, *fields) -> dict:
    """The Bokmål and Nynorsk texts of *fields* for the service: {"title": …, "title_nn": …}."""
    return {name: form[name].data or "" for field in fields for name in (field, field + "_nn")}


class RoundForm(Form):
    year = IntegerField(_l("Year"), validators=[
        InputRequired(_l("Enter the year.")),
        NumberRange(FIRST_DAY.year, LAST_DAY.year, message=_l("Enter a year from %(min)d to %(max)d."))])
    term = SelectField(_l("Term"), choices=[SelectChoice(k, v) for k, v in TERMS.items()],
                       validators=[InputRequired(_l("Choose spring or autumn."))])
    title = _text(_l("Title (Bokmål)"))
    title_nn = _text(_l("Title (Nynorsk)"))
    intro = TextAreaField(_l("Introduction (Bokmål, Markdown)"), filters=[strip],
                          validators=[at_most(5000)])
    intro_nn = TextAreaField(_l("Introduction (Nynorsk, Markdown)"), filters=[strip],
                             validators=[at_most(5000)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _title_in_one_standard(self) and valid

    def data_for_service(self) -> dict:
        return {"year": self.year.data, "term": self.term.data, **_texts(self, "title", "intro")}


TIME_FORMATS = ["%H:%M", "%H.%M"]


class GatheringForm(Form):
    title = _text(_l("Title (Bokmål)"))
    title_nn = _text(_l("Title (Nynorsk)"))
    slug = StringField(_l("Web address"), filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
                       validators=[Optional(), at_most(100),
                                   Regexp(SLUG.pattern, message=_l(
                                       "Use only a–z, 0–9 and dashes between words, like samling-i-ost-2027."))])
    region = SelectField(_l("Region"), choices=[SelectChoice(k, v) for k, v in REGIONS.items()])
    mode = RadioField(_l("On site or online"), default="on_site",
                      choices=[SelectChoice(k, v) for k, v in GATHERING_MODES.items()])
    venue = _text(_l("Venue"))
    address = _text(_l("Address"), max_length=300)
    start_day = DayField(_l("Start date"), validators=[InputRequired(_l("Enter the start date."))])
    # 10:00 is what a time input sends; 10.00, as Norwegian is written, is accepted where one is typed.
    start_time = TimeField(_l("Starts at"), default=time(10, 0), format=TIME_FORMATS, validators=[
        InputRequired(_l("Enter when it starts, like 10:00."))])
    end_day = DayField(_l("End date"), validators=[Optional()])
    end_time = TimeField(_l("Ends at"), default=time(15, 30), format=TIME_FORMATS, validators=[
        InputRequired(_l("Enter when it ends, like 15:30."))])
    registration_deadline = DayField(_l("Registration deadline"), validators=[
        InputRequired(_l("Enter the last day to register."))])
    capacity = IntegerField(_l("Seats"), validators=[
        Optional(), NumberRange(1, 10000, message=_l("Enter a number of seats from 1 up, or leave it empty."))])
    online_capacity = IntegerField(_l("Online seats (hybrid)"), validators=[
        Optional(), NumberRange(1, 10000, message=_l("Enter a number of seats from 1 up, or leave it empty."))])
    waitlist_enabled = BooleanField(_l("Waiting list when full"), default=True)
    per_municipality_limit = IntegerField(_l("Seats per municipality"), validators=[
        Optional(), NumberRange(1, 10000, message=_l("Enter a number of seats from 1 up, or leave it empty."))])
    held_seats = IntegerField(_l("Seats held for municipalities not yet registered"), validators=[
        Optional(), NumberRange(0, 10000, message=_l("Enter a number of seats from 0 up, or leave it empty."))])
    held_until = DayField(_l("Held until"), validators=[Optional()])
    confirm_address_hours = IntegerField(_l("Hours to confirm the e-mail address"), validators=[
        Optional(), NumberRange(1, 720, message=_l("Enter a number of hours from 1 to 720, or leave it empty."))])
    description = TextAreaField(_l("Description (Bokmål, Markdown)"), filters=[strip],
                                validators=[at_most(10000)])
    description_nn = TextAreaField(_l("Description (Nynorsk, Markdown)"), filters=[strip],
                                   validators=[at_most(10000)])
    programme = TextAreaField(_l("Programme (Bokmål, Markdown)"), filters=[strip],
                              validators=[at_most(10000)])
    programme_nn = TextAreaField(_l("Programme (Nynorsk, Markdown)"), filters=[strip],
                                 validators=[at_most(10000)])
    documents_visibility = SelectField(_l("Who may see the presentations"),
                                       choices=[SelectChoice(k, v) for k, v in VISIBILITY.items()])
    notify_participants = BooleanField(_l("Send confirmed participants an updated calendar invitation"),
                                       default=True)

    def fill_from(self, gathering) -> None:
        """Put a saved gathering into the form (GET of the edit page)."""
        start, end = oslo(gathering.starts_at), oslo(gathering.ends_at)
        for name in ("title", "title_nn", "slug", "region", "mode", "venue", "address", "registration_deadline",
                     "capacity", "online_capacity", "waitlist_enabled", "per_municipality_limit", "held_seats",
                     "held_until", "confirm_address_hours", "description", "description_nn", "programme",
                     "programme_nn", "documents_visibility"):
            self[name].data = getattr(gathering, name)
        self.start_day.data, self.start_time.data = start.date(), start.time().replace(tzinfo=None)
        self.end_day.data = end.date() if end.date() != start.date() else None
        self.end_time.data = end.time().replace(tzinfo=None)

    def _instants(self):
        starts_at = oslo_to_utc(self.start_day.data, self.start_time.data)
        ends_at = oslo_to_utc(self.end_day.data or self.start_day.data, self.end_time.data)
        return starts_at, ends_at

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        valid = _title_in_one_standard(self) and valid
        if self.mode.data != "online" and not self.venue.data:  # an online gathering needs no venue
            self.venue.errors.append(_l("Enter the venue."))
            valid = False
        if not valid or not all((self.start_day.data, self.start_time.data, self.end_time.data)):
            return valid
        starts_at, ends_at = self._instants()
        if ends_at <= starts_at:
            self.end_time.errors.append(_l("The gathering must end after it starts."))
            valid = False
        if self.registration_deadline.data and self.registration_deadline.data > self.start_day.data:
            self.registration_deadline.errors.append(_l("The deadline cannot be after the day the gathering starts."))
            valid = False
        return self._held_seats_valid() and valid

    def _held_seats_valid(self) -> bool:
        """Held seats are part of the seats, and are released by the deadline, before the gathering starts."""
        held, until = self.held_seats.data or 0, self.held_until.data
        if not held:
            if until:
                self.held_seats.errors.append(_l("Enter how many seats are held, or leave the date empty."))
            return not until
        if self.capacity.data is None:
            self.held_seats.errors.append(_l("Seats can only be held when the number of seats is limited."))
            return False
        if held > self.capacity.data:
            self.held_seats.errors.append(_l("There cannot be more held seats than seats."))
            return False
        if until is None:
            self.held_until.errors.append(_l("Enter the last day the seats are held."))
            return False
        if self.registration_deadline.data and until > self.registration_deadline.data:
            self.held_until.errors.append(_l("The seats must be released by the registration deadline."))
            return False
        if until >= self.start_day.data:
            self.held_until.errors.append(_l("The seats must be released before the day the gathering starts."))
            return False
        return True

    def data_for_service(self, slug: str) -> dict:
        starts_at, ends_at = self._instants()
        return {
            **_texts(self, "title", "description", "programme"), "slug": slug, "region": self.region.data,
            "venue": self.venue.data or "", "mode": self.mode.data,
            "online_capacity": self.online_capacity.data if self.mode.data == "hybrid" else None,
            "address": self.address.data or "", "starts_at": starts_at, "ends_at": ends_at,
            "registration_deadline": self.registration_deadline.data, "capacity": self.capacity.data,
            "waitlist_enabled": self.waitlist_enabled.data,
            "per_municipality_limit": self.per_municipality_limit.data,
            # 0 held seats is none; a date without held seats is refused above
            "held_seats": self.held_seats.data or None,
            "held_until": self.held_until.data if self.held_seats.data else None,
            "documents_visibility": self.documents_visibility.data,
            "confirm_address_hours": self.confirm_address_hours.data,
        }


class CancelGatheringForm(Form):
    reason = TextAreaField(_l("Reason, sent to everyone registered"), filters=[strip], validators=[
        InputRequired(_l("Write why the gathering is cancelled.")),
        at_most(2000),
    ])


"""The registration form, the forms a participant uses through the manage link, and the organiser's."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp, ValidationError

from ..collation import sort_key
from ..forms import Form, at_most, email_field, language_field, one_line, strip
from ..municipalities import matching
from ..municipalities import service as municipalities
from ..municipalities.models import Municipality

PHONE = r"^\+?[0-9 ()-]{5,20}$"
#: the municipality choice for a person who works elsewhere: the organisation field names it
OTHER = "other"


# A dotted word is taken for a domain when it ends in a top-level domain: every country code (IANA) ...
_COUNTRY_TLDS = frozenset("""
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bv bw by bz
    ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm
    fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is
    it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm
    mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr
    ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg
    th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
""".split())
# ... and the generic ones most used for links and phishing. Left out on purpose: generic domains that are also
# Norwegian words or degree abbreviations ("Siv.ing", "Dr.med", "Mag.art").
_GENERIC_TLDS = frozenset("""
    com net org info biz gov edu int mil pro name mobi app dev page xyz online site website top club shop store
    live link click tech cloud blog email support help icu vip work life world today news digital network zone
    lol bond services one space fun host tokyo asia cyou cfd sbs buzz monster quest beauty hair makeup skin
    boats yachts autos homes mom lat win bid loan download stream review trade date party racing
    science accountant cricket faith webcam gdn ltd company agency solutions center group global plus run wiki
""".split())
# Words written before a dot in ordinary text ("Org.nr.", "avd.IT", "Ass.rektor/lærer", "St.meld."); single
# letters count too, as initials and degrees ("M.Sc.", "B.Sc.").
_ABBREVIATIONS = frozenset("""
    adm ass avd bnr ca cand dir dr ekst el fagl fk fung gnr ing jf kons konst kst led meld mob nr org pb ped pr
    prof sek siv spes st stud tlf
""".split())
# Anything with a scheme, "www.", a punycode label or an @ between two characters.
_LINK = re.compile(r"://|\b(?:https?|ftp|mailto|file|javascript)\s*:|\bwww\d*\.|\bxn--|\S@\S", re.IGNORECASE)
_DOTTED = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def _reads_as_address(word: str, path: bool) -> bool:
    """Whether a dotted word ("vg.no", "Org.nr") is a domain; *path*: a "/" follows it ("bit.ly/x")."""
    *labels, tld = word.lower().split(".")
    if tld in _GENERIC_TLDS:  # login.com, alta-kommune.lol
        return True
    if all(len(label) == 1 or label in _ABBREVIATIONS for label in labels):
        # Org.nr., M.Sc., avd.IT and Avd.leder/rådgiver are text; t.co/x is still a link.
        return path and tld in _COUNTRY_TLDS
    return tld in _COUNTRY_TLDS or path  # vg.no, evil.example/login


def contains_link(text: str) -> bool:
    """Whether *text* holds something a reader or mail program could take for a web or e-mail address."""
    # Full-width letters, dots and @ count as their plain forms, as browsers read them; invisible format
    # characters and combining marks do not split a word ("alta-kommune\u200b.no" reads as alta-kommune.no).
    text = unicodedata.normalize("NFKC", text).replace("\u3002", ".")
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Mn"))
    if _LINK.search(text):
        return True
    return any(_reads_as_address(match.group(), text.startswith("/", match.end()))
               for match in _DOTTED.finditer(text))


def _no_links(form, field):
    """Names, organisations and roles are written into e-mails in the service's name: no links in them."""
    if field.data and contains_link(field.data):
        raise ValidationError(_l("This field cannot contain a web address or an e-mail address."))


def _organisation_needed(form, field):
    """The organisation's name is needed when no municipality of the register is chosen."""
    # (Neither chosen nor written: the municipality field's message says what to do.)
    if not field.data and ("municipality" not in form or form.municipality.data == OTHER):
        message = (_l("Enter the name of your organisation.") if "municipality" in form
                   else _l("Enter your municipality or organisation."))
        raise ValidationError(message)


class DetailsForm(Form):
    """What a participant may correct later; the address is fixed once registered.

    The municipality is chosen from the register (a select grouped by county, which works without JavaScript
    and on a phone), or "another organisation" and its name. Without a register, only the name is asked for.
    """

    name = StringField(_l("Full name"), filters=[strip], validators=[
        DataRequired(_l("Enter your name.")), at_most(200), one_line, _no_links,  # blank once cleaned: none
    ])
    municipality = SelectField(_l("Municipality"), validate_choice=False)
    organisation = StringField(_l("Municipality or organisation"), filters=[strip], validators=[
        _organisation_needed, at_most(200), one_line, _no_links,
    ])
    role = StringField(_l("Role or position (optional)"), filters=[strip], validators=[
        Optional(), at_most(200), one_line, _no_links,
    ])
    phone = TelField(_l("Mobile phone (optional)"), filters=[strip], validators=[
        Optional(), Regexp(PHONE, message=_l("Enter a phone number with digits only, for example 912 34 567.")),
    ])
    needs = TextAreaField(_l("Diet, accessibility or other needs (optional)"), validators=[
        Optional(), at_most(2000),
    ])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        registration = kwargs.get("obj")  # the registration being changed, if any
        current = registration.municipality if registration is not None else None
        register = municipalities.active()
        if current is not None and current not in register:
            register.append(current)  # merged away since: still its own
        if not register:
            del self.municipality
            return
        if not self.is_submitted():
            # Text nobody has matched yet is not taken for "another organisation": the person chooses.
            chose_other = registration is not None and registration.organisation and not registration.unmatched
            self.municipality.data = current.number if current is not None else OTHER if chose_other else ""
        self.offered = {municipality.number: municipality for municipality in register}
        self.organisation.label.text = _l("Name of the organisation")
        groups: dict = {None: [("", _l("Choose your municipality"))]}
        for municipality in sorted(register, key=lambda m: sort_key(m.county)):  # by name within each county
            groups.setdefault(municipality.county or _l("Municipalities"), []).append(
                (municipality.number, municipality.label))
        groups[_l("Not a municipality")] = [(OTHER, _l("Another organisation"))]
        self.municipality.choices = groups
        self.chosen: Municipality | None = None

    def validate_municipality(self, field):
        """A number from the list; a name or "X kommune" sent by hand is matched to the register too."""
        if not field.data and not self.organisation.data:
            raise ValidationError(_l("Choose your municipality, or «Another organisation»."))
        if not field.data or field.data == OTHER:  # not chosen (or not sent at all), or another organisation
            # A municipality written as the organisation's name is that municipality.
            self.chosen = matching.find(self.organisation.data or "")
            if not field.data and self.chosen is None:
                # A name typed without choosing: neither a municipality for sure nor "another organisation".
                raise ValidationError(_l("Choose your municipality, or «Another organisation»."))
            return
        self.chosen = self.offered.get(field.data) or matching.find(field.data)
        if self.chosen is None:
            raise ValidationError(_l("Choose a municipality from the list."))

    def details(self) -> dict:
        chosen = getattr(self, "chosen", None)
        return {
            "name": self.name.data.strip(),
            "municipality_id": chosen.id if chosen else None,
            "organisation": "" if chosen else self.organisation.data.strip(),
            # With no register to choose from, the name waits to be matched once there is one.
            "unmatched": "municipality" not in self,
            **{name: (self[name].data or "").strip() if name in self else "" for name in ("role", "phone", "needs")},
        }


def attendance_field():
    """On site or online, for a hybrid gathering (the view removes it for the others: `offer_sides`)."""
    return RadioField(_l("How will you attend?"), choices=[SelectChoice("on_site", _l("On site")),
                                                           SelectChoice("online", _l("Online"))],
                      validators=[InputRequired(_l("Choose whether you attend on site or online."))])


def offer_sides(form, gathering):
    """Keep the choice of side only where there is one."""
    if gathering.mode != "hybrid" and "attendance_mode" in form:
        del form.attendance_mode
    return form


def side_of(form) -> str | None:
    return form.attendance_mode.data if "attendance_mode" in form else None


class RegistrationForm(DetailsForm):
    attendance_mode = attendance_field()
    email = email_field()
    consent = BooleanField(_l("I have read how my personal data is used"), validators=[
        InputRequired(_l("You must accept the privacy statement to register.")),
    ])


class RequestLinkForm(Form):
    email = email_field()


class RegistrationEditForm(DetailsForm):
    """An organiser may also correct the address."""

    email = email_field(_l("Enter the e-mail address."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        registration = kwargs.get("obj")
        if registration is not None and registration.walk_in and not registration.email:
            # Someone who came without registering and gave no address may go on without one.
            self.email.validators = [Optional(), *(v for v in self.email.validators
                                                   if not isinstance(v, InputRequired))]
            self.email.flags.required, self.email.flags.optional = False, True
            self.email.label.text = _l("E-mail (optional)")


class RegistrationAddForm(RegistrationEditForm):
    attendance_mode = attendance_field()
    language = language_field(_l("Language of the e-mails"))


class WalkInForm(DetailsForm):
    """Someone who came without registering, added on the check-in page: a name, the municipality (or another
    organisation) and, if they give one, an address for the organisers' later mail."""

    role = phone = needs = None
    email = email_field(optional=True)

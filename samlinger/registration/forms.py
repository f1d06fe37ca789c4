"""The registration form and the forms a participant uses through the manage link."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

PHONE = r"^\+?[0-9 ()-]{5,20}$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


# Country-code top-level domains (IANA) and the generic ones most used for links. "m.fl." or "avd.leder" stay
# ordinary text, "bit.ly", "vg.no" or "login.com" read as a web address.
_TLDS = frozenset("""
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bv bw by bz
    ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm
    fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is
    it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm
    mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr
    ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg
    th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
    com net org info biz gov edu int mil pro name mobi app dev page xyz online site website top club shop store
    live link click tech cloud blog email support help icu vip work life world today news digital network zone
""".split())
# Anything with a scheme, "www.", a punycode label or an @ between two characters.
_LINK = re.compile(r"://|\b(?:https?|ftp|mailto|file|javascript)\s*:|\bwww\d*\.|\bxn--|\S@\S", re.IGNORECASE)
_DOTTED = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def contains_link(text: str) -> bool:
    """Whether *text* holds something a reader or mail program could take for a web or e-mail address."""
    # Full-width letters, dots and @ count as their plain forms, as browsers read them.
    text = unicodedata.normalize("NFKC", text).replace("\u3002", ".")
    if _LINK.search(text):
        return True
    for match in _DOTTED.finditer(text):
        if match.group().rsplit(".", 1)[1].lower() in _TLDS or text.startswith("/", match.end()):
            return True
    return False


def _no_links(form, field):
    """Names, organisations and roles are written into e-mails in the service's name: no links in them."""
    if field.data and contains_link(field.data):
        raise ValidationError(_l("This field cannot contain a web address or an e-mail address."))


def _one_line(form, field):
    """Names and titles end up in lists, name tags and e-mails: no line breaks or control characters."""
    if field.data and any(ord(c) < 32 or c in "\x7f\u2028\u2029" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


class DetailsForm(FlaskForm):
    """What a participant may correct later; the address is fixed once registered."""

    name = StringField(_l("Full name"), filters=[_strip], validators=[
        InputRequired(_l("Enter your name.")), Length(max=200, message=_l("At most %(max)d characters.")),
        _one_line, _no_links,
    ])
    organisation = StringField(_l("Municipality or organisation"), filters=[_strip], validators=[
        InputRequired(_l("Enter your municipality or organisation.")),
        Length(max=200, message=_l("At most %(max)d characters.")), _one_line, _no_links,
    ])
    role = StringField(_l("Role or position (optional)"), filters=[_strip], validators=[
        Optional(), Length(max=200, message=_l("At most %(max)d characters.")), _one_line, _no_links,
    ])
    phone = TelField(_l("Mobile phone (optional)"), filters=[_strip], validators=[
        Optional(), Regexp(PHONE, message=_l("Enter a phone number with digits only, for example 912 34 567.")),
    ])
    needs = TextAreaField(_l("Diet, accessibility or other needs (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters.")), _no_control_characters,
    ])

    def details(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "organisation": self.organisation.data.strip(),
            "role": (self.role.data or "").strip(),
            "phone": (self.phone.data or "").strip(),
            "needs": (self.needs.data or "").strip(),
        }


class RegistrationForm(DetailsForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        InputRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@kommune.no."), check_deliverability=False),
    ])
    consent = BooleanField(_l("I have read how my personal data is used"), validators=[
        InputRequired(_l("You must accept the privacy statement to register.")),
    ])


class RequestLinkForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        InputRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@kommune.no."), check_deliverability=False),
    ])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""

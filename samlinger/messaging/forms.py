"""The organiser's message to participants."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired

from ..forms import Form, at_most, strip


class MessageForm(Form):
    audience = RadioField(_l("To"), default="confirmed", choices=[
        SelectChoice("confirmed", _l("Confirmed participants")),
        SelectChoice("waitlisted", _l("The waiting list")),
        SelectChoice("all", _l("Everyone registered (confirmed and waiting list)")),
    ])
    #: on site, online or both: offered where a gathering can be followed online (messaging/workspace.py)
    side = RadioField(_l("Where they attend"), default="all", choices=[
        SelectChoice("all", _l("On site and online")),
        SelectChoice("on_site", _l("Only those on site")),
        SelectChoice("online", _l("Only those online")),
    ])
    subject = StringField(_l("Subject"), filters=[strip], validators=[
        InputRequired(_l("Write a subject.")), at_most(200),
    ])
    body = TextAreaField(_l("Message"), validators=[
        InputRequired(_l("Write the message.")), at_most(10000),
    ])

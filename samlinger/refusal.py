"""The one exception for an action a rule refuses.

A rule raises `Refused(code, message)` where it refuses, with the message written right there: the code
names the rule for callers and tests, the message (lazily translated) is what the person is told, in
the language of the page that shows it.
"""


class Refused(Exception):
    def __init__(self, code: str, message) -> None:
        super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)

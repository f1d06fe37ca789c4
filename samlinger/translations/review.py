"""Keep each catalogue's review status in its header: Babel drops header fields it does not know (such as
X-Review-Status) whenever `make extract-messages` rewrites a catalogue, so this puts the line back.

A catalogue whose translation has not been reviewed by a qualified translator says so in its first comment
line and in `X-Review-Status`; tests/test_sami.py checks both for Northern Sami."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: language -> its review status, until a qualified translator has reviewed the catalogue
STATUS = {"se": "draft — not yet reviewed by a qualified translator"}


def keep(language: str, status: str) -> None:
    path = HERE / language / "LC_MESSAGES" / "messages.po"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = f'"X-Review-Status: {status}\\n"'
    lines = [line for line in lines if not line.startswith('"X-Review-Status:')]
    at = lines.index(f'"Language: {language}\\n"') + 1
    lines.insert(at, header)
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    for language, status in STATUS.items():
        keep(language, status)
    sys.exit(0)

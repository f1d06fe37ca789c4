"""The catalogues cover every message the code uses: Bokmål and Nynorsk must translate each one,
with the same placeholders; English may leave a message empty, which shows the English msgid."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "samlinger" / "translations"
#: The same keywords as `make extract-messages`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def used_messages() -> dict:
    """(context, msgid) -> (msgid, plural or None, where) for every message in the code and templates."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS,
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        if singular:
            found[(context, singular)] = (singular, plural, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def messages():
    found = used_messages()
    assert len(found) > 100, "extraction found too few messages; is babel.cfg right?"
    return found


def load(language: str):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_norwegian_catalogues_translate_every_message(language, messages):
    catalogue = load(language)
    assert catalogue.num_plurals == 2
    problems = []
    for (context, msgid), (singular, plural, where) in sorted(messages.items(), key=str):
        entry = catalogue.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r} ({where})")
            continue
        if plural and not isinstance(entry.string, tuple):
            problems.append(f"plural without plural forms: {msgid!r} ({where})")
            continue
        expected = set(PLACEHOLDER.findall(singular)) | set(PLACEHOLDER.findall(plural or ""))
        for string in strings:
            # A singular form may name the number in words instead of with its placeholder.
            if set(PLACEHOLDER.findall(string)) - expected or (
                not plural and set(PLACEHOLDER.findall(string)) != expected
            ):
                problems.append(f"placeholders differ: {msgid!r} -> {string!r}")
    assert not problems, f"make extract-messages and translate into {language}:\n" + "\n".join(problems)


def test_english_catalogue_keeps_placeholders(messages):
    """English shows the msgid unless a message is filled in; what is filled in keeps the placeholders."""
    catalogue = load("en")
    for entry in catalogue:
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        msgid = entry.id[0] if isinstance(entry.id, tuple) else entry.id
        for string in filter(None, strings):
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(str(entry.id))), msgid

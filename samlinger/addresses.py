"""E-mail addresses as email-validator reads them, and in the form every mail server accepts."""

from email_validator import EmailNotValidError, ValidatedEmail, validate_email


def validated(email: str) -> ValidatedEmail | None:
    """The address as email-validator reads it (no DNS lookup), or None if it is no address."""
    try:
        return validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None


def deliverable_email(email: str) -> str:
    """The address with its domain in ASCII (IDNA), which every mail server accepts: `kari@bø.kommune.no` is
    stored and shown as written and sent to kari@xn--b-5ga.kommune.no."""
    checked = validated(email)
    return f"{checked.local_part}@{checked.ascii_domain}" if checked is not None else email

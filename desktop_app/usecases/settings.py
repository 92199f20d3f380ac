"""Settings kept inside the encrypted store (the letterhead), and checks of per-laptop settings.

Per-laptop preferences (UI language, idle lock minutes) live in QSettings, which only
``desktop_app/ui`` touches; their checks are here so that the CLI can share them. The sync
server's address lives in the store (``usecases.sync.change_server_url``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.domain.permissions import Action, allowed, require
from desktop_app.domain.referral import Organisation
from desktop_app.domain.users import User
from desktop_app.domain.validation import FieldError, ValidationFailed, has_control_characters
from desktop_app.i18n.messages import field_message
from desktop_app.i18n.text import N_, Nn_, PluralMessage, format_message
from desktop_app.storage.db import Store
from desktop_app.storage.models import MetaRow

LETTERHEAD_META_KEY = "letterhead"
# Named in the person's data copy as where they can complain (Art. 77 GDPR). Apart from the
# letterhead: a letter's fingerprint holds the letterhead, and the letters do not name it.
SUPERVISORY_META_KEY = "supervisory_authority"
SUPERVISORY_MAX = 300
# Named in the person's data copy and in the consent texts as whom they can ask about their data
# and their rights (Art. 13(1)(b), 38(4) GDPR); kept apart as the authority is.
DPO_META_KEY = "data_protection_officer"
DPO_MAX = 300
IDLE_LOCK_DEFAULT, IDLE_LOCK_MIN, IDLE_LOCK_MAX = 5, 1, 240
ADDRESS_LINES_MAX = 4
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = set("0123456789 +-/().")


def _check_text(name: str, value: str, errors: list[FieldError], *, limit: int = 200) -> None:
    if len(value) > limit:
        errors.append(FieldError(name, "too_long", {"max": limit}))
    elif has_control_characters(value):
        errors.append(FieldError(name, "control_characters"))


def letterhead_errors(org: Organisation) -> list[FieldError]:
    """What is wrong with a letterhead, field by field (empty when it can be saved)."""
    errors: list[FieldError] = []
    if not org.name.strip():
        errors.append(FieldError("name", "required"))
    _check_text("name", org.name, errors)
    _check_text("subtitle", org.subtitle, errors)
    if len(org.address_lines) > ADDRESS_LINES_MAX:
        errors.append(FieldError("address_lines", "too_many_lines", {"max": ADDRESS_LINES_MAX}))
    for line in org.address_lines:
        _check_text("address_lines", line, errors, limit=100)
    if org.phone and not set(org.phone) <= _PHONE_CHARS:
        errors.append(FieldError("phone", "phone_characters"))
    if org.email and not _EMAIL.match(org.email):
        errors.append(FieldError("email", "email_invalid"))
    if org.logo_path:
        logo = Path(org.logo_path)
        if logo.suffix.lower() not in LOGO_SUFFIXES:
            errors.append(FieldError("logo_path", "logo_format"))
        elif not logo.is_file():
            errors.append(FieldError("logo_path", "logo_missing"))
    # Keep only the first problem of each field: that is the one shown under it.
    return list({e.field: e for e in reversed(errors)}.values())[::-1]


def clean_letterhead(org: Organisation) -> Organisation:
    return Organisation(
        name=" ".join(org.name.split()),
        subtitle=" ".join(org.subtitle.split()),
        address_lines=tuple(" ".join(x.split()) for x in org.address_lines if x.strip()),
        phone=" ".join(org.phone.split()),
        email=org.email.strip(),
        web=org.web.strip(),
        logo_path=(org.logo_path or "").strip() or None,
    )


def get_letterhead(store: Store) -> Organisation:
    """The organisation's letterhead, or the shipped default until one was saved."""
    raw = store.meta(LETTERHEAD_META_KEY)
    if not raw:
        from desktop_app.letters.texts import load_organisation

        return load_organisation()
    data = json.loads(raw)
    return Organisation(
        name=str(data.get("name", "")),
        subtitle=str(data.get("subtitle", "")),
        address_lines=tuple(str(x) for x in data.get("address_lines", ())),
        phone=str(data.get("phone", "")),
        email=str(data.get("email", "")),
        web=str(data.get("web", "")),
        logo_path=data.get("logo_path") or None,
    )


def has_letterhead(store: Store) -> bool:
    return store.meta(LETTERHEAD_META_KEY) is not None


def set_letterhead(store: Store, user: User, org: Organisation) -> Organisation:
    """Check and save the letterhead; raises ValidationFailed with errors per field.

    Only a coordinator may: the letterhead is printed on every referral letter and names the
    data controller in a person's data copy (``PermissionDenied`` otherwise).
    """
    require(user, Action.MANAGE_SETTINGS)
    org = clean_letterhead(org)
    if errors := letterhead_errors(org):
        raise ValidationFailed(errors)
    _set_meta(
        store, LETTERHEAD_META_KEY, json.dumps(asdict(org), ensure_ascii=False, sort_keys=True)
    )
    return org


def _set_meta(store: Store, key: str, value: str) -> None:
    with store.transaction() as session:
        row = session.get(MetaRow, key)
        if row is None:
            session.add(MetaRow(key=key, value=value))
        else:
            row.value = value


def get_supervisory_authority(store: Store) -> str:
    """The data protection supervisory authority the organisation answers to ("" until set)."""
    return store.meta(SUPERVISORY_META_KEY) or ""


def supervisory_authority_error(text: str) -> FieldError | None:
    return _one_line_error("supervisory_authority", text, SUPERVISORY_MAX)


def set_supervisory_authority(store: Store, user: User, text: str) -> str:
    """Check and save the supervisory authority's name and address (one line; spaces
    collapsed). A coordinator only, as the letterhead; ``ValidationFailed`` if too long."""
    return _set_one_line(store, user, SUPERVISORY_META_KEY, supervisory_authority_error, text)


def get_data_protection_officer(store: Store) -> str:
    """The organisation's data protection officer, name and contact ("" while it names none)."""
    return store.meta(DPO_META_KEY) or ""


def data_protection_officer_error(text: str) -> FieldError | None:
    return _one_line_error("data_protection_officer", text, DPO_MAX)


def set_data_protection_officer(store: Store, user: User, text: str) -> str:
    """Check and save the data protection officer's name and contact (one line; spaces
    collapsed; "" names none). A coordinator only, as the supervisory authority;
    ``ValidationFailed`` if too long."""
    return _set_one_line(store, user, DPO_META_KEY, data_protection_officer_error, text)


def _one_line_error(field: str, text: str, limit: int) -> FieldError | None:
    errors: list[FieldError] = []
    _check_text(field, text, errors, limit=limit)
    return errors[0] if errors else None


def _set_one_line(
    store: Store, user: User, key: str, check: Callable[[str], FieldError | None], text: str
) -> str:
    require(user, Action.MANAGE_SETTINGS)
    text = " ".join(text.split())
    if error := check(text):
        raise ValidationFailed([error])
    _set_meta(store, key, text)
    return text


def may_change_shared_settings(user: User) -> bool:
    """Whether ``user`` may change the letterhead, the idle lock time and the server address.

    The idle lock lives in QSettings (per OS user, outside the encrypted store), which only
    ``desktop_app/ui`` writes, so no use case stands between it and the dialog: the UI asks
    here, and ``require_change_shared_settings`` before it writes it. The server address is
    changed by a use case that checks this itself (``usecases.sync.change_server_url``). The
    language of the program is personal and stays open to everyone.
    """
    return allowed(user, Action.MANAGE_SETTINGS)


def require_change_shared_settings(user: User) -> None:
    """Raise ``PermissionDenied`` unless ``user`` may change the shared settings."""
    require(user, Action.MANAGE_SETTINGS)


def with_scheme(url: str) -> str:
    """``url`` stripped, with https:// before an address given without a scheme
    ("sync.example.org:8443", as an operator tells it on the phone): refused as "not a server
    address" before, though https is the only scheme a laptop may use on the network."""
    text = url.strip()
    return text if "://" in text or not text else f"https://{text}"


def server_url_error(text: str) -> FieldError | None:
    """The first-run wizard's check of the address it joins (empty: no sync yet); otherwise
    https, or http to this laptop only."""
    text = with_scheme(text)  # as joining takes it
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in {"https", "http"} or not parts.hostname or " " in text:
        return FieldError("server_url", "url_invalid")
    if parts.scheme == "http" and parts.hostname not in {"localhost", "127.0.0.1", "::1"}:
        return FieldError("server_url", "url_not_https")
    return None


def idle_lock_error(minutes: int) -> FieldError | None:
    if not IDLE_LOCK_MIN <= minutes <= IDLE_LOCK_MAX:
        return FieldError(
            "idle_lock_minutes", "out_of_range", {"min": IDLE_LOCK_MIN, "max": IDLE_LOCK_MAX}
        )
    return None


_ENROLLMENT = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){2,5}$")


# Between a code's groups as people type or paste them: spaces (a no-break one from an e-mail,
# too) and any dash (a word processor or a phone makes "–" of "-").
_CODE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")


def normalise_enrollment_code(text: str) -> str:
    """``text`` as the code it means, as joining sends it: upper case, in groups of four
    joined by "-" ("k7qx 2mpa–9tzd4hrb" is K7QX-2MPA-9TZD-4HRB). Typed without dashes, or
    with a typographic one, the wizard refused it and joining called it no code. A letter
    typed for a digit is not mapped: the server's codes have none of O, 0, I and 1
    (``sync_server.service.CODE_ALPHABET``), so there is nothing to map it to."""
    plain = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not (plain.isascii() and plain.isalnum()):
        return plain  # no code: said so (``enrollment_code_error``, the join's own check)
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


def enrollment_code_error(text: str) -> FieldError | None:
    """Enrollment codes are groups of four letters or digits, e.g. ``K7QX-2MPA-9TZD``."""
    code = normalise_enrollment_code(text)
    if not code:
        return FieldError("enrollment_code", "required")
    if not _ENROLLMENT.match(code):
        return FieldError("enrollment_code", "enrollment_code_format")
    return None


_MESSAGES: dict[str, str | PluralMessage] = {
    "too_many_lines": Nn_(
        "Please use at most {max} line.", "Please use at most {max} lines.", "max"
    ),
    "email_invalid": N_("This is not an e-mail address (name@example.org)."),
    "logo_format": N_("The logo must be a PNG or JPEG file."),
    "logo_missing": N_("This file does not exist."),
    "url_invalid": N_("Please enter a web address such as https://sync.example.org."),
    "url_not_https": N_("The server address must start with https://."),
    "out_of_range": N_("Please enter a number from {min} to {max}."),
    "enrollment_code_format": N_(
        "An enrollment code has groups of four letters or digits, e.g. K7QX-2MPA-9TZD."
    ),
}


def describe(error: FieldError) -> str:
    template = _MESSAGES.get(error.code)
    return format_message(template, error.params) if template else field_message(error)

"""Settings kept inside the encrypted store (the letterhead), and checks of per-laptop settings.

The letterhead and the data protection contacts (the supervisory authority, the data protection
officer) are the organisation's: saved by a coordinator on a laptop that may publish, they also
travel to every laptop of the team as the publication ``organisation`` (see ``get_letterhead``
for which values are in force where). So does the logo: kept in the store as a PNG made once
from the file chosen (``letters.logo``), letters no longer depend on that file.

Per-laptop preferences (UI language, idle lock minutes) live in QSettings, which only
``desktop_app/ui`` touches; their checks are here so that the CLI can share them. The sync
server's address lives in the store (``usecases.sync.change_server_url``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select

from desktop_app.domain.permissions import Action, allowed, require
from desktop_app.domain.referral import Organisation
from desktop_app.domain.users import User
from desktop_app.domain.validation import FieldError, ValidationFailed, has_control_characters
from desktop_app.i18n.messages import field_message
from desktop_app.i18n.text import N_, Nn_, PluralMessage, format_message
from desktop_app.letters.logo import STORED_MAX as LOGO_STORED_MAX
from desktop_app.letters.logo import Logo, LogoRefused, check_kept_logo, logo_png_from_file
from desktop_app.storage.db import Store
from desktop_app.storage.models import MetaRow
from desktop_app.storage.reference_models import ReferenceRow

if TYPE_CHECKING:
    from desktop_app.usecases.reference import Unusable

LETTERHEAD_META_KEY = "letterhead"
# Named in the person's data copy as where they can complain (Art. 77 GDPR). Apart from the
# letterhead: a letter's fingerprint holds the letterhead, and the letters do not name it.
SUPERVISORY_META_KEY = "supervisory_authority"
SUPERVISORY_MAX = 300
# Named in the person's data copy and in the consent texts as whom they can ask about their data
# and their rights (Art. 13(1)(b), 38(4) GDPR); kept apart as the authority is.
DPO_META_KEY = "data_protection_officer"
DPO_MAX = 300
# When this laptop's own value of a key above was saved (its clock, an HLC): weighed against the
# team's publication (``_team_wins``). A value saved before there was one counts as older.
SAVED_AT_SUFFIX = ".saved_at"
# How many years after a person's last contact the retention list offers them for erasure, and
# the period the consent texts and the data copy state (Art. 13(2)(a), 15(1)(d) GDPR): the
# organisation's choice (a funded project keeps its files longer, another erases sooner),
# published with the letterhead and weighed as its values are (``get_retention_years``).
RETENTION_META_KEY = "retention_years"
RETENTION_DEFAULT, RETENTION_MIN, RETENTION_MAX = 3, 1, 10
# The publication of the values above (``usecases.reference``): one file, the letterhead, its
# logo apart.
ORGANISATION = "organisation"
# The logo kept here (``_logo_meta``): JSON of its PNG in base64 ("" once removed) and the file
# it was taken from; weighed against the team's as the letterhead is (its own ``.saved_at``).
LOGO_META_KEY = "letterhead_logo"
# The logo's entry in the publication (laptops of versions before it ignore it).
LOGO_KEY = "logo"
LOGO_NAME_MAX = 255
ORGANISATION_FILE = "organisation.yaml"
log = logging.getLogger(__name__)
_V = TypeVar("_V")
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
    # Only its name here: what the file holds is read off the UI thread, when it is saved
    # (``_logo_change``), and a logo kept here stays when its file is gone.
    if org.logo_path and Path(org.logo_path).suffix.lower() not in LOGO_SUFFIXES:
        errors.append(FieldError("logo_path", "logo_format"))
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


@dataclass(frozen=True)
class TeamSettings:
    """The letterhead and data protection contacts a coordinator's laptop published;
    ``hlc`` is its record's clock, ``publisher`` and ``published_at`` as it states them.
    ``logo``: the logo it published (an empty one: removed), None where it says nothing of
    one (a version before logos travelled, or a laptop that never had one).

    A value this laptop refused (``refused`` names it, as ``PUBLISHED_VALUES`` does) is None:
    the publication says nothing this laptop can use of it, so its own stays in force, as for
    a value a publication does not carry."""

    letterhead: Organisation | None
    supervisory_authority: str | None
    data_protection_officer: str | None
    hlc: str
    publisher: str
    published_at: dt.datetime
    #: None: a publication from before the retention period travelled with it
    retention_years: int | None = None
    logo: Logo | None = None
    refused: tuple[str, ...] = ()


# The values of the publication, each taken or refused on its own (``_team_settings_of``, in
# this order: the order the window names refused ones); the keys are the publication's.
PUBLISHED_VALUES = (
    "letterhead",
    "supervisory_authority",
    "data_protection_officer",
    RETENTION_META_KEY,
    LOGO_KEY,
)


def _organisation_from(data: object) -> Organisation:
    if not isinstance(data, dict):
        raise TypeError("a letterhead is a mapping")
    return Organisation(
        name=str(data.get("name", "")),
        subtitle=str(data.get("subtitle", "")),
        address_lines=tuple(str(x) for x in data.get("address_lines", ())),
        phone=str(data.get("phone", "")),
        email=str(data.get("email", "")),
        web=str(data.get("web", "")),
        logo_path=data.get("logo_path") or None,
    )


def team_settings(store: Store) -> TeamSettings | None:
    """The team's publication of the letterhead and data protection contacts on this laptop
    (None: none arrived, or one this version cannot read: then it is as if none had)."""
    return team_settings_entry(store)[0]


def team_settings_entry(store: Store) -> tuple[TeamSettings | None, Unusable | None]:
    """``team_settings``, and why the publication present cannot be used, or which of its
    values were refused (made by a newer version, or damaged: ``reference.unusable_publications``
    lists it for the window).

    Read for every letter, data copy and consent dialog, three times each (letterhead,
    authority, officer): only the record's revision and clock are read, and its content is
    parsed (and a damaged one logged) once per revision, as ``reference`` does for the forms."""
    from desktop_app.usecases.reference import reference_id

    record_id = reference_id(ORGANISATION)
    with store.reading() as session:
        found = session.execute(
            select(ReferenceRow.revision, ReferenceRow.updated_hlc).where(
                ReferenceRow.id == record_id, ReferenceRow.deleted.is_(False)
            )
        ).first()
        if found is None:
            return None, None
        key = (str(store.paths.database), found.revision, found.updated_hlc)
        with _team_cache_lock:
            cached = _team_cache.get(key[0])
        if cached is not None and cached[0] == key:
            return cached[1]
        content = session.scalar(select(ReferenceRow.content).where(ReferenceRow.id == record_id))
    entry = _team_settings_of(content or "", found.revision, found.updated_hlc)
    with _team_cache_lock:
        _team_cache[key[0]] = (key, entry)
    return entry


_team_cache_lock = Lock()
_team_cache: dict[
    str, tuple[tuple[str, int, str], tuple[TeamSettings | None, Unusable | None]]
] = {}


def _team_settings_of(
    content: str, revision: int, hlc: str
) -> tuple[TeamSettings | None, Unusable | None]:
    """The publication's values, each checked on its own: a bad one (a retention period out of
    range, a logo that is no picture) is refused alone, named in the ``Unusable`` returned
    beside the values taken. Only a publication that is not one (no JSON object, another
    format, no values file, no time of publishing) is refused whole."""
    from desktop_app.usecases.reference import BASE_FORMAT, PUBLICATION_FORMAT, unusable_reason

    data: object = None
    try:
        data = json.loads(content)
        if not isinstance(data, dict):
            raise TypeError("not an object")
        form = data.get("format", BASE_FORMAT)
        # its values are read as in the base format by every version that reads its format
        if type(form) is not int or not BASE_FORMAT <= form <= PUBLICATION_FORMAT:
            raise ValueError("another format")
        values = yaml.safe_load(data["files"][ORGANISATION_FILE])
        if not isinstance(values, dict):
            raise TypeError("the values are not a mapping")
        when = dt.datetime.fromisoformat(data["published_at"])
    except (ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        unusable = unusable_reason(ORGANISATION, revision, data, exc)
        log.warning(
            "publication %s revision %s not usable (%s, %s)",
            ORGANISATION,
            revision,
            unusable.reason,
            type(exc).__name__,
        )
        return None, unusable
    refused: list[str] = []

    def value(key: str, read: Callable[[dict[str, object]], _V]) -> _V | None:
        try:
            return read(values)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # LogoRefused is a ValueError: a logo that is no usable image is refused as a
            # retention period out of range is
            refused.append(key)
            log.warning(
                "publication %s revision %s: value %s refused (%s)",
                ORGANISATION,
                revision,
                key,
                type(exc).__name__,
            )
            return None

    team = TeamSettings(
        value("letterhead", _published_letterhead),
        value(
            "supervisory_authority",
            _published_line("supervisory_authority", supervisory_authority_error),
        ),
        value(
            "data_protection_officer",
            _published_line("data_protection_officer", data_protection_officer_error),
        ),
        hlc,
        str(data.get("publisher", "")),
        when,
        value(RETENTION_META_KEY, _published_retention),
        logo=value(LOGO_KEY, _published_logo_of),
        refused=tuple(refused),
    )
    if not refused:
        return team, None
    # NEWER where a newer version made it (its value may be one this version does not know
    # yet: an update helps), else DAMAGED; with the values refused
    reason = unusable_reason(ORGANISATION, revision, data, ValueError("values refused"))
    return team, replace(reason, refused=tuple(refused))


def _published_letterhead(values: dict[str, object]) -> Organisation:
    letterhead = replace(_organisation_from(values["letterhead"]), logo_path=None)
    if letterhead_errors(letterhead):
        raise ValueError("a letterhead refused")
    return letterhead


def _published_line(
    key: str, check: Callable[[str], FieldError | None]
) -> Callable[[dict[str, object]], str]:
    def read(values: dict[str, object]) -> str:
        text = str(values.get(key, ""))
        if check(text):
            raise ValueError(f"{key} refused")
        return text

    return read


def _published_retention(values: dict[str, object]) -> int | None:
    years = values.get(RETENTION_META_KEY)
    if years is not None and retention_years_error(years):
        raise ValueError("a retention period refused")
    return years if isinstance(years, int) else None  # an int here: checked above


def _published_logo_of(values: dict[str, object]) -> Logo | None:
    """The logo a publication's values carry (None: none said), checked as it came from
    another laptop: ``LogoRefused`` (a ValueError) or TypeError where it is not one."""
    entry = values.get(LOGO_KEY)
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise TypeError("a logo is a mapping")
    text, name = entry["png"], entry["name"]
    if not isinstance(text, str) or not isinstance(name, str):
        raise TypeError("a logo's png and name are text")
    if len(text) > 4 * ((LOGO_STORED_MAX + 2) // 3):  # not decoded: too large as it is
        raise LogoRefused("logo_too_large", {"max": LOGO_STORED_MAX // 1024})
    png = base64.b64decode(text, validate=True)  # binascii.Error is a ValueError
    if png:
        check_kept_logo(png)
    if len(name) > LOGO_NAME_MAX or has_control_characters(name):
        raise ValueError("a logo's name refused")
    return Logo(png, name)


def _team_wins(store: Store, key: str, team: TeamSettings | None) -> bool:
    """Whether the team's value of ``key`` is in force here rather than this laptop's own.

    The newer one is: a publication that arrives replaces what a coordinator saved on this
    laptop before it was published (the clocks of laptops that sync follow each other), and a
    value a coordinator saves on this laptop later (one that may not publish) applies here
    until a coordinator's laptop publishes again. A value saved here by a version before the
    publications (no time kept) is older than any publication.
    """
    if team is None:
        return False
    if store.meta(key) is None:
        return True
    saved_at = store.meta(key + SAVED_AT_SUFFIX) or ""  # "": before every clock's time
    return team.hlc > saved_at


def own_letterhead(store: Store) -> Organisation | None:
    """The letterhead a coordinator saved on this laptop, if any (its logo is this laptop's)."""
    raw = store.meta(LETTERHEAD_META_KEY)
    return _organisation_from(json.loads(raw)) if raw else None


def get_letterhead(store: Store) -> Organisation:
    """The letterhead in force on this laptop: the newer of the team's publication and the one
    saved here (see ``_team_wins``), else the shipped default; with the logo in force
    (``_with_logo``)."""
    team = team_settings(store)
    return _with_logo(store, _letterhead_in_force(store, team), team)


def _letterhead_in_force(store: Store, team: TeamSettings | None) -> Organisation:
    """The letterhead without the logo kept in the store: a logo file only, this laptop's own
    from before logos were kept (none at all under the team's letterhead: the shipped
    default's logo is not the team's)."""
    own = own_letterhead(store)
    if (
        team is not None
        and team.letterhead is not None
        and _team_wins(store, LETTERHEAD_META_KEY, team)
    ):
        return replace(team.letterhead, logo_path=own.logo_path if own else None)
    if own is not None:
        return own
    from desktop_app.letters.texts import load_organisation

    return load_organisation()


def has_letterhead(store: Store) -> bool:
    """Whether a letterhead was saved on this laptop (the team's may still be in force)."""
    return store.meta(LETTERHEAD_META_KEY) is not None


def set_letterhead(store: Store, user: User, org: Organisation) -> Organisation:
    """Check and save the letterhead; raises ValidationFailed with errors per field.

    Only a coordinator may: the letterhead is printed on every referral letter and names the
    data controller in a person's data copy (``PermissionDenied`` otherwise). Its
    ``logo_path`` is taken in as ``_logo_change`` says (the file read once and kept).
    """
    require(user, Action.MANAGE_SETTINGS)
    org = clean_letterhead(org)
    errors = letterhead_errors(org)
    logo, logo_error = _logo_change(store, org.logo_path)
    if errors or logo_error:
        raise ValidationFailed(errors + ([logo_error] if logo_error else []))
    _set_letterhead_text(store, org)
    if logo is not None:
        _set_logo(store, logo)
    return org


def _set_letterhead_text(store: Store, org: Organisation) -> None:
    """Save the letterhead's text; its logo is kept apart (``_set_logo``)."""
    text = asdict(replace(org, logo_path=None))
    del text["logo"]
    _set_meta(store, LETTERHEAD_META_KEY, json.dumps(text, ensure_ascii=False, sort_keys=True))


def _set_meta(store: Store, key: str, value: str, *, saved_at: str | None = None) -> None:
    """Save this laptop's own ``value`` of ``key`` and when it was (``_team_wins``): now, or
    at ``saved_at``."""
    saved_at = saved_at or str(store.clock.now())
    with store.transaction() as session:
        for name, text in ((key, value), (key + SAVED_AT_SUFFIX, saved_at)):
            row = session.get(MetaRow, name)
            if row is None:
                session.add(MetaRow(key=name, value=text))
            else:
                row.value = text


def get_supervisory_authority(store: Store) -> str:
    """The data protection supervisory authority the organisation answers to ("" until set):
    the newer of the team's and this laptop's own, as the letterhead (``_team_wins``)."""
    return _in_force(store, SUPERVISORY_META_KEY, lambda team: team.supervisory_authority)


def supervisory_authority_error(text: str) -> FieldError | None:
    return _one_line_error("supervisory_authority", text, SUPERVISORY_MAX)


def set_supervisory_authority(store: Store, user: User, text: str) -> str:
    """Check and save the supervisory authority's name and address (one line; spaces
    collapsed). A coordinator only, as the letterhead; ``ValidationFailed`` if too long."""
    return _set_one_line(store, user, SUPERVISORY_META_KEY, supervisory_authority_error, text)


def get_data_protection_officer(store: Store) -> str:
    """The organisation's data protection officer, name and contact ("" while it names none):
    the newer of the team's and this laptop's own, as the letterhead (``_team_wins``)."""
    return _in_force(store, DPO_META_KEY, lambda team: team.data_protection_officer)


def _in_force(store: Store, key: str, of_team: Callable[[TeamSettings], str | None]) -> str:
    team = team_settings(store)
    if team is not None and (value := of_team(team)) is not None and _team_wins(store, key, team):
        return value
    return store.meta(key) or ""


def get_retention_years(store: Store) -> int:
    """The retention period in force on this laptop, in whole years: the newer of the team's and
    this laptop's own, as the letterhead (``_team_wins``), else ``RETENTION_DEFAULT``. A
    publication that names none (made by a version before it travelled) leaves this laptop's
    own in force."""
    team = team_settings(store)
    if (
        team is not None
        and team.retention_years is not None
        and _team_wins(store, RETENTION_META_KEY, team)
    ):
        return team.retention_years
    raw = store.meta(RETENTION_META_KEY)
    try:
        years = int(raw) if raw is not None else RETENTION_DEFAULT
    except ValueError:
        return RETENTION_DEFAULT
    return RETENTION_DEFAULT if retention_years_error(years) else years


def retention_years_error(years: object) -> FieldError | None:
    """A whole number of years from ``RETENTION_MIN`` to ``RETENTION_MAX`` (not a bool, not a
    float or a text: a publication's YAML may hold any of them)."""
    if type(years) is not int or not RETENTION_MIN <= years <= RETENTION_MAX:
        return FieldError(
            "retention_years", "out_of_range", {"min": RETENTION_MIN, "max": RETENTION_MAX}
        )
    return None


def set_retention_years(store: Store, user: User, years: int) -> int:
    """Check and save the retention period on this laptop, and write the change to the audit
    log (as a change of the server address is). A coordinator only (``PermissionDenied``);
    ``ValidationFailed`` outside ``RETENTION_MIN`` to ``RETENTION_MAX``.

    Erases nobody: a shorter period only lists more people for a coordinator to confirm
    (``data_rights.people_due_for_deletion``)."""
    from desktop_app.usecases import audit

    require(user, Action.MANAGE_SETTINGS)
    if error := retention_years_error(years):
        raise ValidationFailed([error])
    before = get_retention_years(store)
    saved_at = str(store.clock.now())
    with store.transaction() as session:
        for name, text in (
            (RETENTION_META_KEY, str(years)),
            (RETENTION_META_KEY + SAVED_AT_SUFFIX, saved_at),
        ):
            row = session.get(MetaRow, name)
            if row is None:
                session.add(MetaRow(key=name, value=text))
            else:
                row.value = text
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CHANGE_RETENTION,
            "device",
            store.device_id,
            {"retention_years": years, "previous_retention_years": before},
        )
    return years


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


def save_organisation_settings(
    store: Store,
    user: User,
    org: Organisation,
    authority: str,
    dpo: str,
    *,
    retention_years: int | None = None,
) -> bool:
    """Check and save the letterhead and data protection contacts as the Settings dialog does;
    returns whether a publication to the team was made.

    Saved on this laptop always (``set_letterhead`` and the like; nothing if one is refused:
    ``ValidationFailed`` with every field's problem; a value equal to the one in force is not
    saved again). On a laptop that may publish (``reference.publish_refusal``) they are
    published to every laptop as well, once a coordinator saved any of them here (never the
    shipped default alone); on one that may not, they apply on this laptop only, as before
    there were publications, until a coordinator's laptop publishes newer ones. A
    coordinator only (``PermissionDenied``). ``retention_years`` None: the period is not
    changed (``set_retention_years``).
    """
    from desktop_app.usecases.reference import publish_refusal

    require(user, Action.MANAGE_SETTINGS)
    cleaned = clean_letterhead(org)
    errors = letterhead_errors(cleaned)
    logo, logo_error = _logo_change(store, cleaned.logo_path) if not errors else (None, None)
    errors += [logo_error] if logo_error else []
    errors += [
        e
        for e in (
            supervisory_authority_error(" ".join(authority.split())),
            data_protection_officer_error(" ".join(dpo.split())),
        )
        if e is not None
    ]
    if retention_years is not None and (error := retention_years_error(retention_years)):
        errors.append(error)
    if errors:
        raise ValidationFailed(errors)
    # Saved here only where it differs from what is in force: a laptop that keeps the team's
    # values follows the team's next publication with nothing of its own to weigh against it.
    changed = False
    if _text_of(cleaned) != _text_of(get_letterhead(store)):
        _set_letterhead_text(store, cleaned)
        changed = True
    if logo is not None:
        _set_logo(store, logo)
        changed = True
    if " ".join(authority.split()) != get_supervisory_authority(store):
        set_supervisory_authority(store, user, authority)
        changed = True
    if " ".join(dpo.split()) != get_data_protection_officer(store):
        set_data_protection_officer(store, user, dpo)
        changed = True
    if retention_years is not None and retention_years != get_retention_years(store):
        set_retention_years(store, user, retention_years)
        changed = True
    if publish_refusal(store) is not None:
        return False
    # Not the shipped default nobody chose (a coordinator who saved only a new server
    # address): published, it would outweigh the values other laptops saved for themselves.
    own = any(
        store.meta(k) is not None
        for k in (LETTERHEAD_META_KEY, SUPERVISORY_META_KEY, DPO_META_KEY, LOGO_META_KEY)
    )
    own = own or store.meta(RETENTION_META_KEY) is not None
    if not (changed or own):
        return False
    return publish_organisation(store, user)


def _published_values(store: Store) -> dict[str, object]:
    return {
        "letterhead": _published_values_of(get_letterhead(store)),
        "supervisory_authority": get_supervisory_authority(store),
        "data_protection_officer": get_data_protection_officer(store),
        RETENTION_META_KEY: get_retention_years(store),
        **_published_logo(logo_in_force(store)),
    }


def publish_organisation(store: Store, user: User) -> bool:
    """Publish the letterhead, its logo (where one was kept or removed here or came from the
    team) and the data protection contacts in force here to every laptop (publication
    ``organisation``; coordinators on a laptop that may publish only, else
    ``PermissionDenied`` or ``PublishRefused``, as for the service directory).
    Returns False, publishing nothing, when the team's publication holds these values."""
    from desktop_app.usecases.reference import _require_publishing_laptop, _store_publication

    require(user, Action.MANAGE_SETTINGS)
    _require_publishing_laptop(store)
    values = _published_values(store)
    team = team_settings(store)
    if team is not None and values == {
        "letterhead": _published_values_of(team.letterhead) if team.letterhead else None,
        "supervisory_authority": team.supervisory_authority,
        "data_protection_officer": team.data_protection_officer,
        RETENTION_META_KEY: team.retention_years,
        **_published_logo(team.logo),
    }:
        return False
    text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False)
    _store_publication(store, user, ORGANISATION, {ORGANISATION_FILE: text}, "", {"files": 1})
    return True


def _published_values_of(org: Organisation) -> dict[str, object]:
    letterhead = asdict(org)
    del letterhead["logo_path"]  # a file on this laptop: meaningless on another
    del letterhead["logo"]  # published apart (``_published_logo``)
    letterhead["address_lines"] = list(letterhead["address_lines"])
    return letterhead


def _text_of(org: Organisation) -> Organisation:
    """The letterhead without its logo: what ``LETTERHEAD_META_KEY`` keeps."""
    return replace(org, logo_path=None, logo=None)


def _with_logo(store: Store, org: Organisation, team: TeamSettings | None) -> Organisation:
    """``org`` with the logo in force: the newer of the team's and the one kept here (as the
    letterhead, ``_team_wins``); where neither says anything, its logo file if it is there
    (the shipped letterhead's; this laptop's from before logos were kept, if ``keep_logo_file``
    could not take it in): letters go on without a logo whose file is gone."""
    logo = _logo_in_force(store, team)
    if logo is not None:
        return replace(org, logo_path=logo.name or None, logo=logo.png or None)
    if org.logo_path and not Path(org.logo_path).is_file():
        return replace(org, logo_path=None)
    return org


def logo_in_force(store: Store) -> Logo | None:
    """The logo kept here or published by the team, the newer of the two (an empty one:
    removed); None where neither laptop kept one."""
    return _logo_in_force(store, team_settings(store))


def _logo_in_force(store: Store, team: TeamSettings | None) -> Logo | None:
    own, saved_at = _own_logo(store)
    if team is None or team.logo is None:
        return own
    # as ``_team_wins``, without reading the logo's value once more to see that there is one
    if own is None or (team.logo.png != own.png and team.hlc > saved_at):
        return team.logo
    return own  # also where it is the team's picture (published from here): it names its file


_own_logo_lock = Lock()
_own_logo_cache: dict[str, tuple[str, Logo | None]] = {}


def _own_logo(store: Store) -> tuple[Logo | None, str]:
    """The logo kept on this laptop (None: none was ever saved here) and when it was saved.
    Read for every letter: decoded once per save (the time it was saved, a short value, says
    whether it changed)."""
    saved_at = store.meta(LOGO_META_KEY + SAVED_AT_SUFFIX)
    if saved_at is None:
        return None, ""
    database = str(store.paths.database)
    with _own_logo_lock:
        cached = _own_logo_cache.get(database)
    if cached is not None and cached[0] == saved_at:
        return cached[1], saved_at
    raw = store.meta(LOGO_META_KEY)
    logo: Logo | None = None
    if raw is not None:
        try:
            data = json.loads(raw)
            logo = Logo(base64.b64decode(data["png"], validate=True), str(data["name"]))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("the logo kept on this laptop cannot be read (%s)", type(exc).__name__)
    with _own_logo_lock:
        _own_logo_cache[database] = (saved_at, logo)
    return logo, saved_at


def _logo_change(store: Store, label: str | None) -> tuple[Logo | None, FieldError | None]:
    """What saving the Logo field's ``label`` changes: the logo to keep (an empty one: the
    field was emptied, the logo removed), or None where the logo in force stays; or why the
    file cannot be a logo (the field's message).

    The file is read again wherever it is there, so that a logo saved over the old file is
    taken in; the field naming the logo in force whose file is gone keeps that logo (on the
    team's laptops the field shows the name of the file it was taken from)."""
    in_force = logo_in_force(store)
    current = in_force if in_force is not None and in_force.png else None
    if not label:
        return (Logo(b"", ""), None) if current is not None else (None, None)
    path = Path(label)
    if current is not None and label == current.name and not path.is_file():
        return None, None
    try:
        png = logo_png_from_file(path)
    except LogoRefused as exc:
        return None, FieldError("logo_path", exc.code, exc.params)
    if current is not None and (png, label) == (current.png, current.name):
        return None, None
    return Logo(png, label), None


def logo_file_error(label: str | None) -> FieldError | None:
    """Why the file ``label`` names cannot be the logo (None: it can, or none is named): the
    first-run wizard asks before the store exists that would keep it."""
    if not label:
        return None
    try:
        logo_png_from_file(Path(label))
    except LogoRefused as exc:
        return FieldError("logo_path", exc.code, exc.params)
    return None


def _set_logo(store: Store, logo: Logo, *, saved_at: str | None = None) -> None:
    """Keep ``logo`` on this laptop, saved now (or at ``saved_at``, see ``keep_logo_file``)."""
    value = json.dumps({"png": base64.b64encode(logo.png).decode("ascii"), "name": logo.name})
    _set_meta(store, LOGO_META_KEY, value, saved_at=saved_at)


def keep_logo_file(store: Store) -> bool:
    """At unlock, on a laptop whose letterhead names a logo file from before logos were kept in
    the store: take that file in once, if it is still there and a usable logo (saved when the
    letterhead was, so weighed as it against the team's), so that nothing is lost. Otherwise
    letters go on without it (``_with_logo``), as when its file went. Returns whether it did."""
    if store.meta(LOGO_META_KEY) is not None:
        return False
    try:
        own = own_letterhead(store)
    except (ValueError, TypeError):
        return False
    if own is None or not own.logo_path:
        return False
    try:
        png = logo_png_from_file(Path(own.logo_path))
    except LogoRefused as exc:
        log.warning("the letterhead's logo file could not be taken in (%s)", exc.code)
        return False
    saved_at = store.meta(LETTERHEAD_META_KEY + SAVED_AT_SUFFIX) or ""
    _set_logo(store, Logo(png, own.logo_path), saved_at=saved_at)
    log.info("the letterhead's logo file was taken into the store")
    return True


def _public_name(label: str) -> str:
    """A logo's file name without its folders (a path on the coordinator's laptop names
    their user account and means nothing on another)."""
    return re.split(r"[\\/]", label)[-1]


def _published_logo(logo: Logo | None) -> dict[str, object]:
    """The publication's entry for ``logo`` (none for None: the team's laptops keep theirs)."""
    if logo is None:
        return {}
    text = base64.b64encode(logo.png).decode("ascii")
    return {LOGO_KEY: {"png": text, "name": _public_name(logo.name) if logo.png else ""}}


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


#: the hosts plain http may go to (this laptop itself), as ``sync.check_server_url`` allows
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def server_url_error(text: str) -> FieldError | None:
    """The first-run wizard's check of the address it joins (empty: no sync yet); otherwise
    https, or http to this laptop only."""
    text = with_scheme(text)  # as joining takes it
    if not text:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or too big
    except ValueError:  # "http://[::1" (typed on the way to "http://[::1]:8443") raised here
        return FieldError("server_url", "url_invalid")
    if parts.scheme not in {"https", "http"} or not parts.hostname or " " in text:
        return FieldError("server_url", "url_invalid")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        return FieldError("server_url", "url_not_https")
    return None


# An address still being typed that can yet become one: its scheme begun ("ht", "https:/")
# or its host not yet typed ("https://").
_SCHEME_SO_FAR = re.compile(r"^h(?:t(?:t(?:p(?:s)?(?::(?:/(?:/)?)?)?)?)?)?$", re.IGNORECASE)
# An IPv6 host begun ("http://[::", on its way to "http://[::1]:8443").
_IPV6_BEGUN = re.compile(r"^https?://\[[0-9A-Fa-f:.]*$", re.IGNORECASE)


def server_url_error_so_far(text: str) -> FieldError | None:
    """What is wrong with an address still being typed: only what more typing cannot mend.
    Checked whole at each key, "https://" was called no web address (and "http://l", on its
    way to "http://localhost", not https) while it was being typed; the whole check
    (``server_url_error``) is for the field left."""
    typed = text.strip()
    if not typed or _SCHEME_SO_FAR.match(typed) or _IPV6_BEGUN.match(typed):
        return None
    error = server_url_error(typed)
    if error is None or error.code != "url_not_https":
        return error
    host = urlsplit(typed).hostname or ""
    if any(allowed.startswith(host) for allowed in _LOOPBACK_HOSTS):
        return None  # "http://loc", "http://127.0": on the way to this laptop's own address
    return error


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
    (``sync_server.service.CODE_ALPHABET``), so there is nothing to map it to; they are
    refused as such (``enrollment_code_error``)."""
    plain = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not (plain.isascii() and plain.isalnum()):
        return plain  # no code: said so (``enrollment_code_error``, the join's own check)
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


#: the most letters and digits a code has (``_ENROLLMENT``: up to six groups of four)
_ENROLLMENT_MAX = 24


#: letters and digits the server never puts in a code (``sync_server.service.CODE_ALPHABET``
#: leaves them out as easily mistaken for each other). With both of each pair left out, a
#: code read off paper as "O" or "0" cannot be mapped to the one meant: it is refused as a
#: character no code has, not sent to be refused by the server as a code it never issued.
ENROLLMENT_LOOKALIKES = "O0I1"


def _lookalike_error(plain: str) -> FieldError | None:
    seen = next((ch for ch in plain if ch in ENROLLMENT_LOOKALIKES), None)
    if seen is None:
        return None
    return FieldError("enrollment_code", "enrollment_code_lookalike", {"char": seen})


def enrollment_code_error_so_far(text: str) -> FieldError | None:
    """What is wrong with a code still being typed: only what more typing cannot mend (a
    character no code has, more letters and digits than any code). Checked whole after four
    characters, a code was said to be wrong while it was being typed."""
    plain = normalise_enrollment_code(text).replace("-", "")
    if (plain and not (plain.isascii() and plain.isalnum())) or len(plain) > _ENROLLMENT_MAX:
        return FieldError("enrollment_code", "enrollment_code_format")
    return _lookalike_error(plain)


def enrollment_code_error(text: str) -> FieldError | None:
    """Enrollment codes are groups of four letters or digits, e.g. ``K7QX-2MPA-9TZD``."""
    code = normalise_enrollment_code(text)
    if not code:
        return FieldError("enrollment_code", "required")
    if not _ENROLLMENT.match(code):
        return FieldError("enrollment_code", "enrollment_code_format")
    return _lookalike_error(code)


_MESSAGES: dict[str, str | PluralMessage] = {
    "too_many_lines": Nn_(
        "Please use at most {max} line.", "Please use at most {max} lines.", "max"
    ),
    "email_invalid": N_("This is not an e-mail address (name@example.org)."),
    "logo_format": N_("The logo must be a PNG or JPEG file."),
    "logo_missing": N_("This file does not exist."),
    "logo_unreadable": N_("This file is not a picture that can be read."),
    "logo_too_large": N_("The logo file is too large: at most {max} KB."),
    "logo_too_many_pixels": N_("The logo is too large: at most {max} × {max} pixels."),
    "url_invalid": N_("Please enter a web address such as https://sync.example.org."),
    "url_not_https": N_("The server address must start with https://."),
    "out_of_range": N_("Please enter a number from {min} to {max}."),
    "enrollment_code_format": N_(
        "An enrollment code has groups of four letters or digits, e.g. K7QX-2MPA-9TZD."
    ),
    "enrollment_code_lookalike": N_(
        "“{char}” does not occur in enrollment codes: they have no O, 0, I or 1, which are "
        "easily mistaken. Please compare this character with the code you were given."
    ),
}


def describe(error: FieldError) -> str:
    template = _MESSAGES.get(error.code)
    return format_message(template, error.params) if template else field_message(error)

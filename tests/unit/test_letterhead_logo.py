"""The letterhead's logo kept in the encrypted store: the file chosen checked by what it holds
(PNG or JPEG, size, pixels, decodable) and kept as a small PNG; letters drawn from it whatever
became of the file; a logo published by another laptop checked again before it is used; a logo
file named by a letterhead from before logos were kept taken in at login. Real stores, real
files, letters read back with pypdf."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pypdf import PdfReader

from desktop_app.domain.referral import Organisation
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.i18n.text import set_language
from desktop_app.letters import logo as letter_logo
from desktop_app.storage.models import MetaRow
from desktop_app.sync import crypto
from desktop_app.usecases import reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.reference import MAX_FILE_CHARS
from sync_server import wire
from tests.conftest import PASSWORD
from tests.unit.test_referrals import jobcenter_letter

ORG = Organisation(name="Willkommen Nordstadt e. V.", address_lines=("Mallinckrodtstraße 12",))


def _png(path: Path, size: tuple[int, int] = (120, 60), colour: str = "#1f6f8b") -> Path:
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path


def _images(pdf: bytes) -> list[bytes]:
    return [image.data for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]


def _refused(path: Path) -> FieldError | None:
    return store_settings.logo_file_error(str(path))


def test_a_file_that_is_no_usable_logo_is_refused_with_why(tmp_path: Path) -> None:
    text = tmp_path / "logo.png"  # a text file renamed
    text.write_text("Willkommen Nordstadt\n", encoding="utf-8")
    assert _refused(text) == FieldError("logo_path", "logo_format")
    pdf = tmp_path / "logo.jpg"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 100)
    assert _refused(pdf) == FieldError("logo_path", "logo_format")
    broken = tmp_path / "broken.png"  # a PNG's first bytes, nothing decodable after them
    broken.write_bytes(_png(tmp_path / "whole.png").read_bytes()[:60])
    assert _refused(broken) == FieldError("logo_path", "logo_unreadable")
    large = tmp_path / "large.png"  # a photograph: over the file limit
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(large, format="PNG")
    assert large.stat().st_size > letter_logo.FILE_MAX
    assert _refused(large) == FieldError("logo_path", "logo_too_large", {"max": 1024})
    wide = _png(tmp_path / "wide.png", (letter_logo.SIDE_MAX + 1, 10))  # small file, many px
    assert wide.stat().st_size < letter_logo.FILE_MAX
    assert _refused(wide) == FieldError("logo_path", "logo_too_many_pixels", {"max": 3000})
    assert _refused(tmp_path / "gone.png") == FieldError("logo_path", "logo_missing")
    # Each said in the user's language.
    messages = {
        code: store_settings.describe(FieldError("logo_path", code, {"max": 1024}))
        for code in ("logo_format", "logo_unreadable", "logo_too_large", "logo_too_many_pixels")
    }
    assert messages["logo_too_large"] == "The logo file is too large: at most 1,024 KB."
    assert messages["logo_unreadable"] == "This file is not a picture that can be read."
    set_language("de")
    try:
        for code, english in messages.items():
            german = store_settings.describe(FieldError("logo_path", code, {"max": 1024}))
            assert german and german != english, code
    finally:
        set_language("en")


def test_the_logo_kept_is_a_small_png_however_it_came(tmp_path: Path) -> None:
    """A large JPEG from a camera: turned as it says, made smaller, a PNG without the EXIF."""
    photo = Image.new("RGB", (2400, 1200), "#c0392b")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turned by 90°
    exif[0x010F] = "Camera maker"
    path = tmp_path / "logo.jpeg"
    photo.save(path, format="JPEG", exif=exif, quality=90)
    png = letter_logo.logo_png_from_file(path)
    kept = Image.open(io.BytesIO(png))
    assert kept.format == "PNG" and not kept.getexif()
    assert kept.size == (180, 360)  # upright now (tall), and no higher than the box
    assert len(png) <= letter_logo.STORED_MAX
    noise = tmp_path / "noise.jpg"  # the most detailed there is: still fits
    Image.frombytes("RGB", (1600, 800), os.urandom(1600 * 800 * 3)).save(noise, quality=40)
    assert len(letter_logo.logo_png_from_file(noise)) <= letter_logo.STORED_MAX
    small = _png(tmp_path / "small.png", (40, 20))  # never enlarged
    assert Image.open(io.BytesIO(letter_logo.logo_png_from_file(small))).size == (40, 20)


def test_the_largest_logo_kept_fits_one_publication_file_and_one_sync_envelope() -> None:
    """In base64 beside the letterhead (a few hundred characters) and the publication's JSON:
    well inside what the laptop seals (and the server takes) as one record."""
    encoded = 4 * ((letter_logo.STORED_MAX + 2) // 3)
    assert encoded + 10_000 < MAX_FILE_CHARS
    assert encoded + 20_000 < wire.MAX_CIPHERTEXT_BYTES
    crypto.seal(
        b"k" * crypto.TEAM_KEY_BYTES,
        "key-1",
        "6f1d7a52-3c1e-4f7b-9a55-1b2f4b8f7e10",
        "reference",
        1,
        b"x" * (encoded + 20_000),
        author_device="6f1d7a52-3c1e-4f7b-9a55-1b2f4b8f7e11",
        client_hlc="1",
    )


def test_a_refused_logo_saves_nothing_and_a_kept_one_outlives_its_file(
    session: Session, tmp_path: Path
) -> None:
    store = session.store
    fake = tmp_path / "logo.png"
    fake.write_text("not a picture", encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        store_settings.save_organisation_settings(
            store, session.user, Organisation(name=ORG.name, logo_path=str(fake)), "", ""
        )
    assert refused.value.errors == [FieldError("logo_path", "logo_format")]
    assert not store_settings.has_letterhead(store)  # the letterhead not saved half
    assert store.meta(store_settings.LOGO_META_KEY) is None

    logo = _png(tmp_path / "real.png")
    org = Organisation(name=ORG.name, address_lines=ORG.address_lines, logo_path=str(logo))
    store_settings.save_organisation_settings(store, session.user, org, "", "")
    raw = store.meta(store_settings.LOGO_META_KEY)
    assert raw is not None and json.loads(raw)["name"] == str(logo)
    logo.unlink()
    in_force = store_settings.get_letterhead(store)
    assert in_force.logo is not None and in_force.logo_path == str(logo)
    assert len(_images(jobcenter_letter(session))) == 1
    # Saved again as the dialog shows it (the file gone): the logo stays, no error.
    assert not store_settings.save_organisation_settings(store, session.user, in_force, "", "")
    assert store_settings.get_letterhead(store).logo == in_force.logo
    # The field emptied: the logo removed, the letter without one.
    store_settings.save_organisation_settings(
        store, session.user, Organisation(name=ORG.name, address_lines=ORG.address_lines), "", ""
    )
    assert store_settings.get_letterhead(store).logo is None
    assert _images(jobcenter_letter(session)) == []


def _publication(session: Session, logo: object) -> None:
    values = {
        "letterhead": {"name": "Team e. V.", "address_lines": ["Teamweg 1"]},
        "supervisory_authority": "LDI NRW",
        "data_protection_officer": "Jan Berg",
        **({} if logo is None else {"logo": logo}),
    }
    reference._store_publication(
        session.store,
        session.user,
        store_settings.ORGANISATION,
        {store_settings.ORGANISATION_FILE: yaml.safe_dump(values, allow_unicode=True)},
        "",
        {"files": 1},
    )


@pytest.mark.parametrize(
    "png",
    [
        b"Willkommen",  # no picture
        letter_logo.PNG_MAGIC + b"\x00" * 64,  # a PNG's first bytes, nothing after them
        b"\x89PNG\r\n\x1a\n" + os.urandom(letter_logo.STORED_MAX),  # over the limit
        None,  # a picture larger than the box a logo is kept in (small as a file)
    ],
    ids=["text", "broken", "oversized", "too-many-pixels"],
)
def test_a_published_logo_that_is_no_usable_logo_is_refused_alone(
    session: Session, tmp_path: Path, png: bytes | None
) -> None:
    """It came from another laptop: checked again. Refused on its own: the logo kept here
    stays, the publication's letterhead and contacts are in force, and the publication is
    listed with the logo named as refused (the whole publication was refused for it)."""
    store = session.store
    store_settings.set_letterhead(store, session.user, replace_logo(ORG, _png(tmp_path / "o.png")))
    own_png = store_settings.get_letterhead(store).logo
    if png is None:
        png = _png(tmp_path / "wide.png", (letter_logo.BOX[0] + 1, 10)).read_bytes()
    _publication(session, {"png": base64.b64encode(png).decode(), "name": "logo.png"})
    team = store_settings.team_settings(store)
    assert team is not None and team.logo is None and team.refused == (store_settings.LOGO_KEY,)
    [unusable] = reference.unusable_publications(store)
    assert (unusable.name, unusable.reason) == (store_settings.ORGANISATION, reference.DAMAGED)
    assert unusable.refused == ("logo",)
    in_force = store_settings.get_letterhead(store)
    assert (in_force.name, in_force.logo) == ("Team e. V.", own_png)
    assert store_settings.get_data_protection_officer(store) == "Jan Berg"
    assert len(_images(jobcenter_letter(session))) == 1  # the logo kept here, drawn


def test_a_publication_with_or_without_a_logo_and_this_laptops_own(
    session: Session, tmp_path: Path
) -> None:
    """A publication from a version before logos travelled says nothing of one: the logo kept
    here stays. One that carries a logo: its logo, the newer. The logo a publication carries
    is a key beside the letterhead, which keeps the keys older versions know."""
    store = session.store
    own = _png(tmp_path / "own.png", colour="#c0392b")
    store_settings.set_letterhead(store, session.user, replace_logo(ORG, own))
    own_png = store_settings.get_letterhead(store).logo
    _publication(session, None)
    in_force = store_settings.get_letterhead(store)
    assert in_force.name == "Team e. V." and in_force.logo == own_png
    team_png = letter_logo.logo_png(_png(tmp_path / "team.png", colour="#27ae60").read_bytes())
    _publication(session, {"png": base64.b64encode(team_png).decode(), "name": "team.png"})
    in_force = store_settings.get_letterhead(store)
    assert (in_force.logo, in_force.logo_path) == (team_png, "team.png")
    assert _images(jobcenter_letter(session))  # drawn
    # What this laptop publishes: the letterhead's keys as before, the logo apart.
    store_settings.set_letterhead(store, session.user, replace_logo(ORG, own))
    store_settings.publish_organisation(store, session.user)
    with store.reading() as db:
        from desktop_app.storage.reference_models import ReferenceRow

        row = db.get(ReferenceRow, reference.reference_id(store_settings.ORGANISATION))
        assert row is not None
        content = json.loads(row.content)
    values = yaml.safe_load(content["files"][store_settings.ORGANISATION_FILE])
    assert set(values["letterhead"]) == {
        "name",
        "subtitle",
        "address_lines",
        "phone",
        "email",
        "web",
    }
    assert values["logo"]["name"] == "own.png"  # not the folders on this laptop
    assert base64.b64decode(values["logo"]["png"]) == own_png


def replace_logo(org: Organisation, path: Path) -> Organisation:
    return Organisation(name=org.name, address_lines=org.address_lines, logo_path=str(path))


def _as_before_logos_were_kept(session: Session, logo_path: str) -> None:
    """The letterhead as a version before this one saved it: its logo a path, nothing kept."""
    text = json.dumps(
        {"name": ORG.name, "address_lines": list(ORG.address_lines)} | {"logo_path": logo_path}
    )
    with session.store.transaction() as db:
        db.add(MetaRow(key=store_settings.LETTERHEAD_META_KEY, value=text))


def test_a_logo_file_from_before_logos_were_kept_is_taken_in_at_login(
    session: Session, tmp_path: Path
) -> None:
    from desktop_app.usecases import accounts

    logo = _png(tmp_path / "logo.png")
    _as_before_logos_were_kept(session, str(logo))
    data_dir = session.store.paths.data_dir
    session.close()
    again = accounts.log_in(data_dir, "anna", PASSWORD)
    try:
        logo.unlink()  # taken in: the file no longer matters
        in_force = store_settings.get_letterhead(again.store)
        assert in_force.logo is not None and in_force.logo_path == str(logo)
        assert len(_images(jobcenter_letter(again))) == 1
        assert not store_settings.keep_logo_file(again.store)  # once
    finally:
        again.close()


def test_a_logo_file_gone_before_it_was_taken_in_leaves_letters_without_a_logo(
    session: Session, tmp_path: Path
) -> None:
    _as_before_logos_were_kept(session, str(tmp_path / "moved-away.png"))
    assert not store_settings.keep_logo_file(session.store)
    assert session.store.meta(store_settings.LOGO_META_KEY) is None
    in_force = store_settings.get_letterhead(session.store)
    assert in_force.name == ORG.name and in_force.logo_path is None and in_force.logo is None
    assert _images(jobcenter_letter(session)) == []  # made, without a logo


def test_a_backup_restored_on_a_new_laptop_keeps_the_logo(session: Session, tmp_path: Path) -> None:
    """The logo is in the store the backup holds: the file it came from is not on the new
    laptop, the letters there have the logo all the same."""
    from desktop_app.usecases import accounts, backup

    logo = _png(tmp_path / "logo.png")
    store_settings.save_organisation_settings(
        session.store, session.user, replace_logo(ORG, logo), "", ""
    )
    out = tmp_path / "laptop.wdbackup"
    backup.write_backup(session, out, "backup phrase 2026")
    logo.unlink()
    fresh = tmp_path / "new-laptop"
    backup.restore_backup(out, fresh, "backup phrase 2026")
    restored = accounts.log_in(fresh, "anna", PASSWORD)
    try:
        assert store_settings.get_letterhead(restored.store).logo is not None
        assert len(_images(jobcenter_letter(restored))) == 1
    finally:
        restored.close()

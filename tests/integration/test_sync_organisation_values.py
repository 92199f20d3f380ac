"""Each value of the publication ``organisation`` is taken or refused on its own (real server
process on 127.0.0.1, SQLite and PostgreSQL; real encrypted stores): a publication with a
good letterhead and a bad retention period or logo gives B the letterhead, B keeps its own
period or logo, and B says which value it refused, in the user's language. One bad value had
made the whole publication unusable: the team's letterhead with it."""

from __future__ import annotations

import base64
from pathlib import Path

import yaml

from desktop_app.domain.referral import Organisation
from desktop_app.i18n.messages import unusable_publication_message
from desktop_app.i18n.text import set_language
from desktop_app.usecases import reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import PASSWORD, Laptops, run_desk
from tests.integration.test_sync_organisation import (
    AUTHORITY,
    FIRST,
    _image_xobjects,
    _letter,
    _text,
)
from tests.unit.test_print_queue_current import _logo


def _publishes(session: Session, **extra: object) -> None:
    """``session``'s laptop publishes FIRST and AUTHORITY with ``extra`` values as they are
    (as a damaged or another version's laptop might: this one checks what it saves)."""
    values = {
        "letterhead": {
            "name": FIRST.name,
            "subtitle": FIRST.subtitle,
            "address_lines": list(FIRST.address_lines),
            "phone": FIRST.phone,
            "email": FIRST.email,
            "web": "",
        },
        "supervisory_authority": AUTHORITY,
        "data_protection_officer": "",
        **extra,
    }
    text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False)
    files = {store_settings.ORGANISATION_FILE: text}
    reference._store_publication(
        session.store, session.user, store_settings.ORGANISATION, files, "", {"files": 1}
    )


def test_a_bad_retention_period_is_refused_alone_and_named(
    laptops: Laptops, tmp_path: Path
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    store_settings.set_retention_years(b.store, b.user, 7)
    laptops.sync(a, b)
    _publishes(a, retention_years=40)
    laptops.sync(a, b)
    letter = _text(_letter(b))
    assert FIRST.name in letter and "Mallinckrodtstraße 12" in letter, letter
    assert store_settings.get_supervisory_authority(b.store) == AUTHORITY
    assert store_settings.get_retention_years(b.store) == 7  # B's own
    [unusable] = reference.unusable_publications(b.store)
    assert (unusable.reason, unusable.refused) == (reference.DAMAGED, ("retention_years",))
    b.close()  # the command line opens the laptop's store itself
    done = run_desk("sync", "--data-dir", str(tmp_path / "B"), lang="de", password=PASSWORD)
    assert done.returncode == 0, done.stderr
    assert (
        "Die Koordination hat eine Angabe veröffentlicht, die nicht verwendet werden kann: "
        "Aufbewahrungsfrist. Dieser Laptop behält für sie seine eigene; die übrigen Angaben "
        "der Koordination gelten." in done.stderr
    ), done.stderr
    assert "Bitten Sie Ihre Koordination" in done.stderr, done.stderr


def test_a_logo_that_is_no_picture_is_refused_alone_and_named(laptops: Laptops) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    own = _logo(b.store.paths.data_dir / "own.png", (200, 30, 30))
    store_settings.set_letterhead(
        b.store, b.user, Organisation(name="Eigener Verein e. V.", logo_path=str(own))
    )
    own_png = store_settings.get_letterhead(b.store).logo
    assert own_png
    laptops.sync(a, b)
    bad = base64.b64encode(b"Willkommen, no picture").decode()
    _publishes(a, logo={"png": bad, "name": "team.png"})
    laptops.sync(a, b)
    in_force = store_settings.get_letterhead(b.store)
    assert (in_force.name, in_force.logo) == (FIRST.name, own_png)
    pdf = _letter(b)
    assert FIRST.name in _text(pdf) and _image_xobjects(pdf) == 1  # B's logo, A's letterhead
    [unusable] = reference.unusable_publications(b.store)
    assert unusable.refused == ("logo",)
    set_language("ro")
    try:
        assert unusable_publication_message(unusable.name, unusable.reason, unusable.refused) == (
            "Coordonatorul a publicat o valoare care nu poate fi folosită: logoul. Pentru "
            "aceasta, acest laptop își păstrează propria valoare; celelalte valori publicate de "
            "coordonator sunt în vigoare."
        )
    finally:
        set_language("en")
    # A good publication after it: in force whole, nothing refused.
    _publishes(a, logo={"png": "", "name": ""}, retention_years=5)
    laptops.sync(a, b)
    assert reference.unusable_publications(b.store) == []
    assert _image_xobjects(_letter(b)) == 0 and store_settings.get_retention_years(b.store) == 5

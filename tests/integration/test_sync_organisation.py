"""The letterhead and the data protection contacts a coordinator saves travel to every laptop of
the team as the publication ``organisation`` (real server process on 127.0.0.1, real encrypted
stores): a helper's laptop prints A's letterhead, a member's data copy names A's authority and
officer, a later change replaces them, and what wins against a laptop's own saved values."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.referral import Organisation
from desktop_app.domain.users import Role
from desktop_app.usecases import data_rights, reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, ServerProcess, device_id, logged_in_again
from tests.integration.test_sync_insider import _role, _set_role, _stored, _withdrawn_folders
from tests.pdf_text import pdf_text as _text
from tests.unit.test_print_queue_current import _logo
from tests.unit.test_referrals import _person, jobcenter_letter

FIRST = Organisation(
    name="Willkommen Nordstadt e. V.",
    subtitle="Beratung für Neuzugewanderte",
    address_lines=("Mallinckrodtstraße 12", "44145 Dortmund"),
    phone="0231 555-100",
    email="info@willkommen-nordstadt.example.org",
)
AUTHORITY = "LDI NRW, Kavalleriestraße 2-4, 40213 Düsseldorf"
OFFICER = "Dr. Petra Schulz, datenschutz@willkommen-nordstadt.example.org"
SHIPPED_NAME = "Welcome Europe – Anlaufstelle Dortmund"


def _data_copy(session: Session) -> str:
    person = _person(session, "Ioana", "Stan", sharing="")
    return _text(data_rights.export_person(session.store, session.user, person.id, lang="en")[1])


def _save_png(pdf: bytes, stem: str) -> None:
    """The first page as the reviewer looks at it (WELCOME_DESK_SHOTS: a folder to keep it)."""
    folder = os.environ.get("WELCOME_DESK_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    pdf_path = Path(folder) / f"{stem}.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf_path, Path(folder) / stem],
        check=True,
        timeout=30,
    )


def test_a_coordinators_letterhead_and_contacts_reach_the_team_and_a_change_replaces_them(
    laptops: Laptops,
) -> None:
    a = laptops.new("A")  # the coordinator's laptop
    b = laptops.new_member("B")  # a member's laptop, its first account a coordinator
    c = laptops.new("C", role=Role.HELPER)  # a student helper's outreach laptop
    assert store_settings.save_organisation_settings(a.store, a.user, FIRST, AUTHORITY, OFFICER)
    laptops.sync(a, b, c)
    helper = logged_in_again(c)
    try:
        assert helper.user.role is Role.HELPER
        pdf = jobcenter_letter(helper)
        _save_png(pdf, "letter-on-helper-laptop")
        letter = _text(pdf)
        assert FIRST.name in letter and "Mallinckrodtstraße 12" in letter, letter
        assert "0231 555-100" in letter and SHIPPED_NAME not in letter
        # The helper can neither publish nor save them (refused as the other publications).
        with pytest.raises(PermissionDenied):
            store_settings.publish_organisation(helper.store, helper.user)
        with pytest.raises(PermissionDenied):
            store_settings.save_organisation_settings(helper.store, helper.user, FIRST, "", "")
        copy = _data_copy(b)
        assert AUTHORITY in copy and OFFICER in copy and FIRST.name in copy, copy

        # A later change on A replaces them on every laptop.
        second = Organisation(
            name="Willkommen Dortmund e. V.", address_lines=("Hohe Straße 7", "44139 Dortmund")
        )
        assert store_settings.save_organisation_settings(
            a.store, a.user, second, AUTHORITY, "Jan Berg, 0231 555-199"
        )
        laptops.sync(a, b, c)
        letter = _text(jobcenter_letter(helper))
        assert "Willkommen Dortmund e. V." in letter and "Hohe Straße 7" in letter
        assert FIRST.name not in letter and "Mallinckrodtstraße" not in letter
        copy = _data_copy(b)
        assert "Jan Berg, 0231 555-199" in copy and OFFICER not in copy
    finally:
        helper.close()
    # Saving again what is published publishes nothing new.
    revisions = len(_stored(laptops.server))
    assert not store_settings.publish_organisation(a.store, a.user)
    laptops.sync(a)
    assert len(_stored(laptops.server)) == revisions


def _image_xobjects(pdf: bytes) -> int:
    """How many image XObjects the letter's first page draws (the logo)."""
    resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    xobjects = resources.get("/XObject", DictionaryObject()).get_object()
    assert isinstance(xobjects, DictionaryObject)
    return sum(1 for ref in xobjects.values() if ref.get_object()["/Subtype"] == "/Image")


def test_a_coordinators_logo_reaches_a_helpers_laptop_outlives_its_file_and_its_removal_travels(
    laptops: Laptops,
) -> None:
    """The logo is kept in A's store and published with the letterhead: the helper's laptop C
    (no coordinator account, never saw the file) prints it; A's file deleted, A prints it still;
    emptied on A, it goes from C's letters too."""
    a = laptops.new("A")
    c = laptops.new("C", role=Role.HELPER)
    logo = _logo(a.store.paths.data_dir / "logo.png", (0, 90, 160))
    with_logo = Organisation(
        name=FIRST.name, address_lines=FIRST.address_lines, phone=FIRST.phone, logo_path=str(logo)
    )
    assert store_settings.save_organisation_settings(a.store, a.user, with_logo, AUTHORITY, "")
    logo.unlink()  # A's file gone after saving
    assert _image_xobjects(jobcenter_letter(a)) == 1
    laptops.sync(a, c)
    helper = logged_in_again(c)
    try:
        pdf = jobcenter_letter(helper)
        _save_png(pdf, "letter-with-logo-on-helper-laptop")
        assert _image_xobjects(pdf) == 1
        assert FIRST.name in _text(pdf) and "Mallinckrodtstraße 12" in _text(pdf)
        kept = store_settings.get_letterhead(helper.store)
        assert kept.logo == store_settings.get_letterhead(a.store).logo
        assert kept.logo_path == "logo.png"  # its name only: A's folders stay on A

        # Removed on A (the field emptied): removed on C at the next sync.
        without = Organisation(
            name=FIRST.name, address_lines=FIRST.address_lines, phone=FIRST.phone
        )
        assert store_settings.save_organisation_settings(a.store, a.user, without, AUTHORITY, "")
        laptops.sync(a, c)
        assert _image_xobjects(jobcenter_letter(helper)) == 0
        assert _image_xobjects(jobcenter_letter(a)) == 0
        assert FIRST.name in _text(jobcenter_letter(helper))
    finally:
        helper.close()


def test_the_newer_of_a_laptops_own_values_and_the_teams_is_in_force(
    laptops: Laptops, server: ServerProcess
) -> None:
    """B's coordinator saved values on B (a member's laptop: they stay there) before A
    published: A's, the newer, apply on B. Saved on B after A's arrived, B's own apply on B
    (and only there) until A publishes again. B's logo is B's throughout."""
    a, b = laptops.new("A"), laptops.new_member("B")
    logo = _logo(b.store.paths.data_dir / "logo.png", (0, 90, 160))
    own = Organisation(
        name="Laptop B's own e. V.", address_lines=("B-Straße 1",), logo_path=str(logo)
    )
    assert not store_settings.save_organisation_settings(
        b.store, b.user, own, "B's authority", "B's officer"
    )
    with pytest.raises(reference.PublishRefused) as refused:
        store_settings.publish_organisation(b.store, b.user)
    assert refused.value.code == "not_coordinator_laptop"
    store_settings.save_organisation_settings(a.store, a.user, FIRST, AUTHORITY, OFFICER)
    laptops.sync(a, b)
    in_force = store_settings.get_letterhead(b.store)
    assert (in_force.name, in_force.logo_path) == (FIRST.name, str(logo))
    assert store_settings.get_supervisory_authority(b.store) == AUTHORITY
    assert store_settings.get_data_protection_officer(b.store) == OFFICER
    # B's coordinator changes the officer on B, later: B's own officer applies on B only.
    assert not store_settings.save_organisation_settings(
        b.store, b.user, in_force, AUTHORITY, "B's later officer"
    )
    laptops.sync(b, a)
    assert store_settings.get_data_protection_officer(b.store) == "B's later officer"
    assert store_settings.get_letterhead(b.store).name == FIRST.name  # not saved again on B
    assert store_settings.get_data_protection_officer(a.store) == OFFICER
    # A publishes again: its values are the newer ones on B too.
    store_settings.save_organisation_settings(a.store, a.user, FIRST, AUTHORITY, "Jan Berg")
    laptops.sync(a, b)
    assert store_settings.get_data_protection_officer(b.store) == "Jan Berg"
    # Nothing of B's went to the team.
    published = [author for _r, kind, _v, author in _stored(server) if kind == "reference"]
    assert published and device_id(b) not in published and set(published) == {device_id(a)}


def test_a_member_laptop_forcing_a_publication_is_refused_and_keeps_its_values_locally(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A client ignoring its role: the server refuses the publication as it refuses a
    directory, the laptop withdraws it (saved as a folder) and keeps its values as its own."""
    a, b = laptops.new("A"), laptops.new_member("B")
    _set_role(b, "1")
    assert store_settings.save_organisation_settings(b.store, b.user, FIRST, AUTHORITY, "")
    report = laptops.sync(b)[0]
    assert _role(b) == "0" and list(report.withdrawn) == [store_settings.ORGANISATION]
    assert [f.name.split("-")[0] for f in _withdrawn_folders(b)] == ["organisation"]
    assert not any(kind == "reference" for _r, kind, _v, _a in _stored(server))
    assert store_settings.get_letterhead(b.store).name == FIRST.name  # B's own, on B
    laptops.sync(a)
    assert store_settings.get_letterhead(a.store).name == SHIPPED_NAME


def test_a_publication_of_a_name_this_version_does_not_know_is_ignored(
    laptops: Laptops,
) -> None:
    """As a laptop of a version before ``organisation`` takes that publication: stored, never
    read (each reader asks for its own name), the sync and the shipped data as before."""
    a, b = laptops.new("A"), laptops.new("B")
    reference._store_publication(
        a.store, a.user, "from_the_future", {"future.yaml": "x: 1\n"}, "", {"files": 1}
    )
    reports = laptops.sync(a, b)
    assert all(r.held_back == 0 for r in reports)
    assert reference.unusable_publications(b.store) == []
    assert reference.published_directory(b.store) is None
    assert reference.service_directory(b.store).get("jobcenter").contact.phone == "0231 842-0"
    assert store_settings.team_settings(b.store) is None
    assert store_settings.get_letterhead(b.store).name == SHIPPED_NAME

"""A service edited as fields: written back as the directory's own file format, checked as a
published folder is, and published through its path, on a real encrypted store."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.letters.directory import default_directory, directory_from_files
from desktop_app.usecases import directory_edit as uc
from desktop_app.usecases import reference
from desktop_app.usecases.accounts import Session


def test_every_shipped_service_comes_back_unchanged_through_the_editor() -> None:
    files = reference.shipped_directory_files()
    for service in default_directory().services:
        draft = uc.draft_of(service)
        written = {**files, f"{service.id}.yaml": uc.service_file(draft, service.id)}
        assert directory_from_files(written).get(service.id) == service, service.id
        assert uc.change_note(draft, uc.draft_of(service)) == service.german_name


def test_a_new_id_is_a_file_name_of_its_own_whatever_the_name() -> None:
    taken = {s.id for s in default_directory().services}
    assert uc.new_service_id("Tafel Dortmund e.V.", taken) == "tafel_dortmund_e_v"
    assert uc.new_service_id("Jobcenter", taken | {"jobcenter_2"}) == "jobcenter_3"
    assert uc.new_service_id("Ärztliche Hilfe – Straßenambulanz", taken) == (
        "arztliche_hilfe_strassenambulanz"
    )
    assert uc.new_service_id("Център „Надежда“", taken) == "tsentar_nadezhda"
    # Nothing that leaves the folder or replaces the catalogue.
    assert uc.new_service_id("../../etc/passwd", taken) == "etc_passwd"
    assert uc.new_service_id("catalogue", taken) == "catalogue_2"
    assert uc.new_service_id("!!!", taken) == "service"
    assert len(uc.new_service_id("Beratung " * 20, taken)) <= 55


def _draft(**changes: object) -> uc.ServiceDraft:
    draft = uc.ServiceDraft(name={"de": "Beratung Nord"}, topics=("housing",))
    for key, value in changes.items():
        setattr(draft, key, value)
    return draft


def test_what_is_typed_stays_text_and_cannot_add_keys_to_the_file(session: Session) -> None:
    sly = "Nord\ntopics: [trafficking]\nid: jobcenter"
    files, ident = uc.edited_files(
        session.store,
        _draft(name={"de": sly, "bg": "Север: {x} & *anchor"}, phone="0231: 12 # 34"),
    )
    service = directory_from_files(files).get(ident)
    assert service.topics == ("housing",) and ident == "nord_topics_trafficking_id_jobcenter"
    assert service.name.get("bg") == "Север: {x} & *anchor"
    assert service.name.get("de") == " ".join(sly.split())  # one line, as the fields show it
    assert service.contact.phone == "0231: 12 # 34"
    assert directory_from_files(files).get("jobcenter") == default_directory().get("jobcenter")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": {"de": "  ", "bg": "Север"}}, "name.de"),
        ({"email": "info at nord.de"}, "contact.email"),
        ({"email": "info@nord"}, "contact.email"),
        ({"topics": ()}, "topics"),
        ({"opening_hours": {"ro": "luni 9–12"}}, "opening_hours.de"),
        ({"languages": ("deu",)}, "languages"),  # the directory's own check, at the field
        ({"topics": ("housing", "gardening")}, "topics"),
        ({"street": "Nordstraße 12", "postcode": "44145"}, "address.city"),
    ],
)
def test_a_refused_field_is_named(session: Session, changes: dict[str, object], field: str) -> None:
    with pytest.raises(uc.DraftRefused) as refused:
        uc.edited_files(session.store, _draft(**changes))
    assert [p.field for p in refused.value.problems] == [field]
    assert all(p.message for p in refused.value.problems)


def test_the_note_names_what_changed_and_a_language_left_empty_falls_back() -> None:
    job = uc.draft_of(default_directory().get("jobcenter"))
    edited = uc.draft_of(default_directory().get("jobcenter"))
    edited.opening_hours = {**job.opening_hours, "de": "Mo–Fr 7:30–12:00 Uhr"}
    edited.phone = "0231 842-1"
    assert uc.change_note(job, edited) == "Jobcenter Dortmund: opening hours, phone"
    assert uc.change_note(None, edited) == "New service: Jobcenter Dortmund"
    hours = uc.service_file(_draft(opening_hours={"de": "Di 9:00–12:00 Uhr"}), "nord")
    assert hours.count("Di 9:00–12:00 Uhr") == 4
    english = uc.service_file(_draft(description={"de": "Hilfe", "en": "Help"}), "nord")
    assert "bg: Help" in english and "ro: Help" in english


def test_the_hours_the_appointment_warning_cannot_read() -> None:
    assert not uc.unreadable_hours("Mo–Fr 8:00–12:30 Uhr, Do 14:00–17:30 Uhr")
    assert not uc.unreadable_hours("nach Vereinbarung")
    assert not uc.unreadable_hours("")
    assert uc.unreadable_hours("vormittags")
    assert uc.unreadable_hours("Mo–Fr 8–12 Uhr")


def test_an_edit_is_published_through_the_folders_path_and_a_member_cannot(
    session: Session,
) -> None:
    draft = uc.draft_of(default_directory().get("vhs"))
    draft.phone = "0231 50-1"
    files, _ident = uc.edited_files(session.store, draft)
    published = uc.publish_edit(session.store, session.user, files, "VHS: Telefon")
    assert published.count == len(default_directory().services)
    assert reference.published_directory(session.store) is not None
    # The next edit starts from what is in force, not from what was shipped.
    again = uc.draft_of(reference.service_directory(session.store).get("jobcenter"))
    again.web = "jobcenter.example"
    files, _ident = uc.edited_files(session.store, again)
    assert "0231 50-1" in files["vhs.yaml"] and "jobcenter.example" in files["jobcenter.yaml"]


def test_a_coordinators_own_service_stays_while_a_referral_goes_to_it(session: Session) -> None:
    from tests.unit.test_referrals import _issue, _person

    files, ident = uc.edited_files(session.store, _draft())
    uc.publish_edit(session.store, session.user, files, "")
    assert uc.removal_refusal(session.store, ident) == 0
    person = _person(session, sharing="")
    _issue(session, person, service_id=ident, reason="housing_emergency")
    assert uc.removal_refusal(session.store, ident) == 1
    assert uc.removal_refusal(session.store, "clearingstelle") == 0  # shipped: letters keep it
    assert "beratung_nord.yaml" not in uc.removed_files(session.store, ident)


def test_a_new_service_never_takes_the_id_of_one_taken_out(session: Session) -> None:
    """Letters of referrals to a service taken out name it by its id: a new service with that
    id would stand in their letters instead."""
    uc.publish_edit(session.store, session.user, uc.removed_files(session.store, "vhs"), "")
    files, ident = uc.edited_files(session.store, _draft(name={"de": "VHS"}))
    assert ident == "vhs_2" and "vhs.yaml" not in files


def test_a_letter_to_an_own_service_taken_out_elsewhere_says_so(session: Session) -> None:
    """Another laptop, which held no referral to it, took the coordinator's own service out;
    a letter for a referral made here before that sync has no entry to name: it says so in
    the user's language (it raised KeyError)."""
    from desktop_app.letters.referral_letter import LetterError
    from desktop_app.letters.texts import load_letter_texts
    from desktop_app.usecases import referrals
    from tests.unit.test_referrals import _issue, _person

    files, ident = uc.edited_files(session.store, _draft())
    uc.publish_edit(session.store, session.user, files, "")
    referral = _issue(
        session, _person(session, sharing=""), service_id=ident, reason="housing_emergency"
    )
    assert referrals.render_letter(session.store, session.user, referral.id).startswith(b"%PDF")
    uc.publish_edit(session.store, session.user, uc.removed_files(session.store, ident), "")
    with pytest.raises(LetterError) as caught:
        referrals.render_letter(session.store, session.user, referral.id)
    assert caught.value.key == "letter.service_unknown"
    assert "aus dem Verzeichnis der Stellen genommen" in load_letter_texts().error_message(
        caught.value.key, "de"
    )


def test_an_edited_file_keeps_the_comment_it_begins_with(session: Session) -> None:
    """The editor wrote the file anew and the coordination's note above the entry ("Contact
    data to be checked by the coordinator before use.") was gone."""
    shipped = reference.shipped_directory_files()["recognition_advice.yaml"]
    header = shipped[: shipped.index("\nid:") + 1]
    assert header.startswith("# Contact data to be checked by the coordinator before use.\n")
    draft = uc.draft_of(default_directory().get("recognition_advice"))
    draft.street = "Königswall 21"
    files, _ident = uc.edited_files(session.store, draft)
    assert files["recognition_advice.yaml"].startswith(header)
    uc.publish_edit(session.store, session.user, files, "Anerkennungsberatung: Straße")
    # and after the next edit of what is now in force
    again = uc.draft_of(reference.service_directory(session.store).get("recognition_advice"))
    again.phone = "0231 50-2"
    files, _ident = uc.edited_files(session.store, again)
    written = files["recognition_advice.yaml"]
    assert written.startswith(header) and written.count("# Contact data") == 1
    assert directory_from_files(files).get("recognition_advice").address.street == ("Königswall 21")
    # A new service has no comment of its own to keep.
    files, ident = uc.edited_files(session.store, _draft())
    assert files[f"{ident}.yaml"].startswith("id: ")


def test_only_the_leading_comment_lines_are_kept() -> None:
    text = "# one\n\n#  two\n\nid: x\n# not leading\nname: {de: X}\n"
    assert uc.leading_comment(text) == "# one\n\n#  two\n"
    assert uc.leading_comment("id: x\n# later\n") == ""
    assert uc.leading_comment("") == ""


def test_the_data_copy_names_an_own_service_taken_out_elsewhere_readably(
    session: Session,
) -> None:
    """The person's copy of their data (Art. 15) named such a referral's service by its id,
    ``beratung_nord``: it names it by the id made readable, in the person's language, and says
    it is no longer in the directory."""
    import io

    import pypdf

    from desktop_app.usecases import data_rights
    from tests.unit.test_referrals import _issue, _person

    files, ident = uc.edited_files(session.store, _draft())
    uc.publish_edit(session.store, session.user, files, "")
    person = _person(session, sharing="")
    _issue(session, person, service_id=ident, reason="housing_emergency")
    uc.publish_edit(session.store, session.user, uc.removed_files(session.store, ident), "")
    _json, pdf = data_rights.export_person(session.store, session.user, person.id)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
    assert "Beratung Nord (вече не е в указателя на службите)" in text
    assert ident not in text


NORD = uc.ServiceDraft(
    name={"de": "Beratung Nord"},
    topics=("housing",),
    street="Nordstraße 12",
    postcode="44145",
)


def lone_postcode_files() -> dict[str, str]:
    """The shipped directory with a new phone number for the job centre, and a service whose
    address has a postcode but no city."""
    files = reference.shipped_directory_files()
    job = files["jobcenter.yaml"]
    assert "phone: 0231 842-0" in job
    files["jobcenter.yaml"] = job.replace("phone: 0231 842-0", "phone: 0231 842-9999")
    files["beratung_nord.yaml"] = uc.service_file(NORD, "beratung_nord")
    return files


def test_a_folder_with_a_postcode_without_its_city_is_refused_and_a_publication_keeps_it_out(
    session: Session, tmp_path: Path
) -> None:
    """One check (``postcode_without_city``) for the editor, a folder to publish and what is
    in force. A folder is refused before publishing, naming the file and the entry, as the
    editor refuses the field; a publication that holds one (an older version's, arriving by
    sync) stays in force, the service's address without that postcode, and an edit of another
    service is not held up by it."""
    from desktop_app.i18n.text import set_language
    from desktop_app.letters.directory import DirectoryError

    reference.check_files(reference.shipped_directory_files(), strict=True)  # none shipped
    files = lone_postcode_files()
    folder = tmp_path / "folder"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError) as refused:
        reference.publish_directory_folder(session.store, session.user, folder)
    assert (refused.value.file.name, refused.value.where) == ("beratung_nord.yaml", "address.city")
    set_language("de")
    try:
        assert reference.problem_messages(refused.value) == [
            "beratung_nord.yaml, Eintrag „address.city“: Die Postleitzahl steht ohne ihren Ort: "
            "Bitte geben Sie auch den Ort ein (die Schreiben zeigten sonst die Postleitzahl "
            "allein)."
        ]
    finally:
        set_language("en")
    assert reference.published_directory(session.store) is None
    with pytest.raises(DirectoryError):
        reference.check_files(files, strict=True)  # the folder dialog's "Check"
    # Published all the same (an older version's editor let it through): in force, without it.
    reference.publish_directory(session.store, session.user, files)
    nord = reference.service_directory(session.store).get("beratung_nord")
    assert (nord.address.street, nord.address.postcode, nord.address.city) == (
        "Nordstraße 12",
        "",
        "",
    )
    assert uc.draft_of(nord).postcode == ""  # the editor shows nothing it would refuse
    vhs = uc.draft_of(reference.service_directory(session.store).get("vhs"))
    vhs.phone = "0231 50-1"
    edited, _ident = uc.edited_files(session.store, vhs)
    uc.publish_edit(session.store, session.user, edited, "VHS: Telefon")
    assert reference.service_directory(session.store).get("vhs").contact.phone == "0231 50-1"


def test_an_edit_keeps_a_newer_versions_language_where_its_text_was_left_as_it_was() -> None:
    """The Jobcenter as a laptop of a newer version published it, with Turkish too: this
    laptop's coordinator, who sees no Turkish field, changes the German opening hours. The
    Turkish name stays (the name's shown texts are as they were); the Turkish hours go, so
    that the person's copy falls back to the English hours rather than the old Turkish ones."""
    files = reference.shipped_directory_files()
    jobcenter = default_directory().get("jobcenter")
    assert jobcenter is not None
    before = uc.draft_of(jobcenter)
    before.name = {**before.name, "tr": "İş Merkezi Dortmund"}
    before.opening_hours = {**before.opening_hours, "tr": "Pzt–Cum 8:00–12:00"}
    shown_hours = {lang: text for lang, text in before.opening_hours.items() if lang != "tr"}
    shown_hours["de"] = "Mo–Fr 8:00–13:00"
    shown_hours["en"] = "Mon–Fri 8:00–13:00"
    shown_name = {lang: text for lang, text in before.name.items() if lang != "tr"}
    after = uc.ServiceDraft(
        **{
            **before.__dict__,
            "name": uc.with_unshown(shown_name, before.name),
            "opening_hours": uc.with_unshown(shown_hours, before.opening_hours),
        }
    )
    written = {**files, "jobcenter.yaml": uc.service_file(after, "jobcenter")}
    read = directory_from_files(written).get("jobcenter")
    assert read is not None
    assert read.name.get("tr") == "İş Merkezi Dortmund"
    assert "tr" not in read.opening_hours.texts
    assert read.opening_hours.get("tr") == "Mon–Fri 8:00–13:00"  # the English just written
    # Whitespace alone is no change.
    assert uc.with_unshown({**shown_name, "de": f" {shown_name['de']} "}, before.name)["tr"]

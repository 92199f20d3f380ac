"""Who recorded each entry of a person's data copy, on the laptop that recorded it and on one
that got it by sync (real server process on 127.0.0.1, real encrypted stores, the PDF read
back with pypdf): the role of who recorded it where their account is on the laptop making the
copy, else the role the log's entry of it carries (accounts do not sync; the log does), else
(an entry written before entries carried it) that it was a staff member on another laptop of
the team. The log of consultations alike. Never a staff member's name nor a laptop's."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desktop_app.domain.users import Role
from desktop_app.storage.audit_models import AuditRow
from desktop_app.usecases import (
    access,
    accounts,
    audit,
    data_rights,
    people,
    person_data_notice,
    visits,
)
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person
from tests.pdf_text import pdf_text as _text
from tests.unit.test_person_summary import nurse_skills
from tests.unit.test_visits import consent_answers, full_life_situation

PASS = "role pass 123"
ADVISOR = {"de": "Beratung", "bg": "Консултант"}
#: an entry whose author's account is on another laptop than the one making the copy
ELSEWHERE = {
    "de": "Mitarbeiterin oder Mitarbeiter an einem anderen Laptop unseres Teams",
    "bg": "Служител на друг лаптоп от нашия екип",
}
BY = {"de": "Erfasst von", "bg": "Записано от"}
CHANGED = {"de": "Zuletzt geändert von", "bg": "Последно променено от"}
#: the staff's and the laptops' names, and the accounts' log-in names: none is in any copy
NAMES = ("Petar", "Kolegov", "Elena", "Vasileva", "petar", "elena", "Nordstadt", "Hafen")


def _advisor(laptops: Laptops, laptop: Session, account: str, name: str) -> Session:
    accounts.add_user(laptop, account, name, Role.ADVISOR, PASS)
    logged_in = accounts.log_in(laptop.store.paths.data_dir, account, PASS)
    laptops.sessions.append(logged_in)  # closed with the laptops
    return logged_in


def _named_nowhere(raw: bytes | str, text: str) -> None:
    data = raw.decode() if isinstance(raw, bytes) else raw
    for name in NAMES:
        assert name not in text, name
        assert name not in data, name


def test_a_copy_gives_the_role_of_who_recorded_each_entry_and_no_name_here_or_elsewhere(
    laptops: Laptops,
) -> None:
    north, harbour = laptops.new("Nordstadt"), laptops.new("Hafen")
    petar = _advisor(laptops, north, "petar", "Petar Kolegov")
    elena = _advisor(laptops, harbour, "elena", "Elena Vasileva")
    pid = add_person(north, "Ioana", "Stan", "1990")
    visits.record_consent(north.store, petar.user, pid, consent_answers())
    answers = full_life_situation()
    visit = visits.finish_visit(north.store, petar.user, pid, "life_situation", answers)
    advisor_here = {"role": "advisor", "this_laptop": True}
    # An advisor on another laptop: the role the log's entry of the record carries.
    advisor_elsewhere = {"role": "advisor", "this_laptop": False}
    # Made where Petar works: his role, on each entry he recorded.
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(north.store, north.user, pid, lang=lang)
        text = _text(pdf)
        assert text.count(f"{BY[lang]} {ADVISOR[lang]}") == 4  # the visit and 3 consents
        _named_nowhere(raw, text)
        own = json.loads(raw)
        by = [e["recorded_by"] for e in (*own["visits"], *own["consents"])]
        assert by == [advisor_here] * 4

    laptops.sync(north, harbour)
    visits.edit_visit(harbour.store, elena.user, visit.id, dict(answers, housing_type="homeless"))
    # Made at the harbour: Petar's account is not known there, the log's entries of the visit,
    # its version as he recorded it and his consents give his role; Elena's correction hers.
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(harbour.store, harbour.user, pid, lang=lang)
        text = _text(pdf)
        _named_nowhere(raw, text)
        assert f"{CHANGED[lang]} {ADVISOR[lang]}" in text
        assert text.count(f"{BY[lang]} {ADVISOR[lang]}") == 4  # the visit and 3 consents
        assert f"{BY[lang]}: {ADVISOR[lang]}" in text  # the visit's earlier version
        assert ELSEWHERE[lang] not in text
        copy = json.loads(raw)
        (corrected,) = copy["visits"]
        assert (corrected["recorded_by"], corrected["last_changed_by"]) == (
            advisor_elsewhere,
            advisor_here,
        )
        assert [v["recorded_by"] for v in corrected["earlier_versions"]] == [advisor_elsewhere]
        assert [c["recorded_by"] for c in copy["consents"]] == [advisor_elsewhere] * 3

    # Back where Petar works, the correction came by sync (its earlier version is kept only
    # where it was made): still recorded by an advisor here, last changed on another laptop.
    laptops.sync(harbour, north)
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(north.store, north.user, pid, lang=lang)
        text = _text(pdf)
        _named_nowhere(raw, text)
        assert f"{BY[lang]} {ADVISOR[lang]} {CHANGED[lang]} {ADVISOR[lang]}" in text
        (corrected,) = json.loads(raw)["visits"]
        assert "earlier_versions" not in corrected
        assert corrected["recorded_by"] == advisor_here
        assert corrected["last_changed_by"] == advisor_elsewhere


def _consulted(session: Session, pid: str, lang: str) -> set[tuple[str, str]]:
    """The log of consultations the copy gives: (role, purpose) of each line."""
    with session.store.reading() as db:
        said = person_data_notice.consultations(db, pid, lang, session.store.device_id)
    return {(c.role, c.purpose) for c in said}


def test_an_advisors_work_on_another_laptop_is_given_by_role_and_older_work_as_before(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Elena, an advisor at the harbour, registers Ioana and records her consents and a visit
    with the version before entries carried their user's role; then, on this version, records
    a second visit and looks at her data. At Nordstadt (no account of Elena's there) the copy
    says an advisor recorded the second visit and looked at the data, and keeps "another
    laptop of our team" for what the older entries logged."""
    north, harbour = laptops.new("Nordstadt"), laptops.new("Hafen")
    elena = _advisor(laptops, harbour, "elena", "Elena Vasileva")
    with monkeypatch.context() as before:  # the version before: no role in any entry
        before.setattr(audit, "acting_role", lambda _db, _user_id: None)
        pid = add_person(elena, "Ioana", "Stan", "1990")
        visits.record_consent(harbour.store, elena.user, pid, consent_answers())
        visits.finish_visit(harbour.store, elena.user, pid, "life_situation", full_life_situation())
    visits.finish_visit(harbour.store, elena.user, pid, "skills_check", nurse_skills())
    assert people.get_person(harbour.store, elena.user, pid) is not None  # a view, logged
    laptops.sync(harbour, north)
    assert audit.verify_chain(north.store) == []  # the harbour's chain, both kinds of entry

    advisor_elsewhere = {"role": "advisor", "this_laptop": False}
    elsewhere = {"role": None, "this_laptop": False}
    purposes = {
        "de": (
            "Ihre Daten für die Beratung angesehen",
            "Einen Besuch erfasst",
            "Sie neu aufgenommen",
        ),
        "bg": (
            "Преглед на Вашите данни за консултацията",
            "Записване на посещение",
            "Регистриране на Вашите данни",
        ),
    }
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(north.store, north.user, pid, lang=lang)
        text = _text(pdf)
        _named_nowhere(raw, text)
        copy = json.loads(raw)
        by_form = {v["form"]: v["recorded_by"] for v in copy["visits"]}
        assert by_form == {"life_situation": elsewhere, "skills_check": advisor_elsewhere}
        assert [c["recorded_by"] for c in copy["consents"]] == [elsewhere] * 3
        assert text.count(f"{BY[lang]} {ADVISOR[lang]}") == 1  # the newer visit
        assert text.count(f"{BY[lang]} {ELSEWHERE[lang]}") == 4  # the older one, 3 consents
        looked, recorded, registered = purposes[lang]
        consulted = _consulted(north, pid, lang)
        assert {
            (ADVISOR[lang], looked),
            (ADVISOR[lang], recorded),
            (ELSEWHERE[lang], recorded),
            (ELSEWHERE[lang], registered),
        } <= consulted, consulted
        assert (ELSEWHERE[lang], looked) not in consulted  # the view was made on this version
        assert f"{ADVISOR[lang]} {looked}" in text  # the log's line in the PDF

    # The role is hashed into the harbour's chain: raised to coordinator at Nordstadt, the
    # entry is caught there like any other alteration.
    with north.store.transaction() as db:
        view = db.scalars(
            select(AuditRow).where(AuditRow.record_id == pid, AuditRow.action == "view")
        ).one()
        assert view.device_id == harbour.store.device_id
        assert json.loads(view.details) == {audit.ROLE_KEY: "advisor"}
        view.details = json.dumps({audit.ROLE_KEY: "coordinator"}, separators=(",", ":"))
    problems = audit.verify_chain(north.store)
    assert [(p.device_id, p.seq, p.code) for p in problems] == [
        (harbour.store.device_id, view.seq, "hash_mismatch")
    ]


def test_a_section_opened_to_a_helper_of_another_laptop_gives_her_role_not_her_id(
    laptops: Laptops,
) -> None:
    """Petar opens Ioana's health sections to Mila, a helper at Nordstadt. The copy's JSON held
    Mila's internal id (accounts do not sync: at the harbour nothing else of her is known);
    it gives her as who recorded each entry is given: her role, and whether on this laptop."""
    north, harbour = laptops.new("Nordstadt"), laptops.new("Hafen")
    petar = _advisor(laptops, north, "petar", "Petar Kolegov")
    accounts.add_user(north, "mila", "Mila Studentin", Role.HELPER, PASS)
    (mila,) = [u for u in accounts.list_users(north.store) if u.account == "mila"]
    pid = add_person(north, "Ioana", "Stan", "1990")
    access.open_case_to_helper(north.store, petar.user, pid, mila.id, "health")
    laptops.sync(north, harbour)
    for laptop, here in ((north, True), (harbour, False)):
        raw, pdf = data_rights.export_person(laptop.store, laptop.user, pid, lang="de")
        _named_nowhere(raw, _text(pdf))
        assert mila.id not in raw.decode() and "Mila" not in raw.decode()
        (opening,) = json.loads(raw)["case_openings"]
        assert opening["opened_to"] == {"role": "helper", "this_laptop": here}
        assert opening["recorded_by"] == {"role": "advisor", "this_laptop": here}

"""Who recorded an entry of the person's data copy: the role, never the staff member's name nor
the laptop's (the copy is a paper the person carries). A visit and a consent arriving from a
laptop whose accounts are not known here (as the sync client saves them), a visit of an account
removed since, a helper's draft and a section an advisor opened to them. Real stores, real use
cases, the PDF read back with pypdf."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest

from desktop_app.domain.hlc import Timestamp
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.sync.conflict_records import synced_state
from desktop_app.sync.merge import FieldState
from desktop_app.sync.records import ADAPTERS, ToSave
from desktop_app.usecases import access, accounts, data_rights, people, person_data_notice, visits
from desktop_app.usecases.accounts import Session
from tests.pdf_text import pdf_text as _text
from tests.unit.test_person_summary import nurse_skills
from tests.unit.test_visits import consent_answers, full_life_situation

PASS = "role pass 123"
ELSEWHERE = {
    "de": "Erfasst von Mitarbeiterin oder Mitarbeiter an einem anderen Laptop unseres Teams",
    "bg": "Записано от Служител на друг лаптоп от нашия екип",
}
#: the first account, as the session fixture makes it: a coordinator
HERE = {"de": "Erfasst von Koordination", "bg": "Записано от Координатор"}


def _named_nowhere(raw: bytes | str, pdf: bytes, *names: str) -> None:
    """None of ``names`` (staff, laptops, their ids) in the PDF's text nor in the JSON."""
    text, data = _text(pdf), raw.decode() if isinstance(raw, bytes) else raw
    for name in names:
        assert name not in text, name
        assert name not in data, name


def _from_laptop_b(session: Session, kind: str, record_id: str) -> None:
    """A copy of the record as arriving by sync from laptop B, by an account of B."""
    store = session.store
    with store.transaction() as db:
        own = synced_state(db, kind, record_id)
        assert own is not None
        clock = str(Timestamp(Timestamp.parse(own.newest_clock()).wall_ms + 1000, 0, "laptop-b"))
        fields = {name: FieldState(f.value, clock, "") for name, f in own.fields.items()}
        arriving = replace(own, id=str(uuid.uuid4()), fields=fields)
        ADAPTERS[kind].save_many(db, store, [ToSave(arriving, 1, "someone-on-b")])


def _account(session: Session, account: str, name: str, role: Role) -> Session:
    accounts.add_user(session, account, name, role, PASS)
    return accounts.log_in(session.store.paths.data_dir, account, PASS)


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_entries_from_another_laptop_say_so_and_those_made_here_the_role(
    session: Session, lang: str
) -> None:
    store = session.store
    draft = PersonDraft("Ion", "Popa", "01.02.1990", "male", "RO", ("ro",), "")
    pid = people.register_person(store, session.user, draft).id
    (consent, *_rest) = visits.record_consent(store, session.user, pid, consent_answers())
    visit = visits.finish_visit(store, session.user, pid, "life_situation", full_life_situation())
    _from_laptop_b(session, "visit", visit.id)
    _from_laptop_b(session, "consent", consent.id)
    raw, pdf = data_rights.export_person(store, session.user, pid, lang=lang)
    text = _text(pdf)
    assert text.count(ELSEWHERE[lang]) == 2  # the visit and the consent from B
    assert text.count(HERE[lang]) == 4  # the visit and the three consents recorded here
    _named_nowhere(raw, pdf, "Anna", "Schmidt", "someone-on-b", "laptop-b", session.user.id)
    data = json.loads(raw)
    elsewhere = {"role": None, "this_laptop": False}
    here = {"role": "coordinator", "this_laptop": True}
    assert sorted(json.dumps(v["recorded_by"]) for v in data["visits"]) == sorted(
        json.dumps(by) for by in (here, elsewhere)
    )
    assert [c["recorded_by"] for c in data["consents"]].count(elsewhere) == 1
    assert [c["recorded_by"] for c in data["consents"]].count(here) == 3


def test_a_visit_of_an_account_removed_since_gives_their_role_not_their_name(
    session: Session,
) -> None:
    store = session.store
    elena = _account(session, "elena", "Elena Beraterin", Role.ADVISOR)
    try:
        pid = people.register_person(store, elena.user, PersonDraft("Ion", "Popa")).id
        visits.finish_visit(store, elena.user, pid, "life_situation", full_life_situation())
    finally:
        elena.close()
    accounts.remove_user(session, elena.user.id)
    raw, pdf = data_rights.export_person(store, session.user, pid, lang="bg")
    assert "Записано от Консултант" in _text(pdf)
    _named_nowhere(raw, pdf, "Elena", "Beraterin", "elena")
    (visit,) = json.loads(raw)["visits"]
    assert visit["recorded_by"] == {"role": "advisor", "this_laptop": True}


def test_a_helpers_draft_and_a_section_an_advisor_opened_to_them_give_each_role(
    session: Session,
) -> None:
    store = session.store
    petar = _account(session, "petar", "Petar Kolegov", Role.ADVISOR)
    maria = _account(session, "maria", "Maria Studentin", Role.HELPER)
    try:
        pid = people.register_person(store, petar.user, PersonDraft("Ion", "Popa")).id
        access.open_case_to_helper(store, petar.user, pid, maria.user.id, "health")
        visits.save_draft(store, maria.user, pid, "skills_check", {"literacy": "yes"})
    finally:
        petar.close()
        maria.close()
    raw, pdf = data_rights.export_person(store, session.user, pid, lang="de")
    text = _text(pdf)
    assert "Erfasst von Integrationshelfer/in" in text  # the draft
    assert "Erfasst von Beratung" in text  # the section opened
    _named_nowhere(
        raw, pdf, "Petar", "Kolegov", "Maria", "Studentin", "petar", "maria", maria.user.id
    )
    data = json.loads(raw)
    assert [d["recorded_by"] for d in data["drafts"]] == [{"role": "helper", "this_laptop": True}]
    assert [o["recorded_by"] for o in data["case_openings"]] == [
        {"role": "advisor", "this_laptop": True}
    ]
    # To whom: the helper by role, as who recorded it (the JSON held her internal id).
    assert [o["opened_to"] for o in data["case_openings"]] == [
        {"role": "helper", "this_laptop": True}
    ]


def test_an_account_given_another_role_since_keeps_the_role_of_its_earlier_entries(
    session: Session,
) -> None:
    """Mila recorded a visit and a consent as an integration helper, and Petar opened a
    section to a helper as an advisor; both accounts were then added again in another role
    (the same account rows). The copy gave every entry the role the account has now ("Advisor"
    on the helper's visit), the log of consultations too: each gives the role the log's entry
    carries, the role then; the account's role only for an entry that carries none."""
    store = session.store
    mila = _account(session, "mila", "Mila Studentin", Role.HELPER)
    petar = _account(session, "petar", "Petar Kolegov", Role.ADVISOR)
    helper = _account(session, "ivo", "Ivo Helfer", Role.HELPER)
    try:
        pid = people.register_person(store, petar.user, PersonDraft("Ion", "Popa")).id
        people.get_person(store, mila.user, pid)  # a look, logged as the helper's
        visits.record_consent(store, mila.user, pid, consent_answers())
        visits.finish_visit(store, mila.user, pid, "skills_check", nurse_skills())
        access.open_case_to_helper(store, petar.user, pid, helper.user.id, "health")
    finally:
        for logged_in in (mila, petar, helper):
            logged_in.close()
    for user, account, name, role in (
        (mila.user, "mila", "Mila Studentin", Role.ADVISOR),
        (petar.user, "petar", "Petar Kolegov", Role.COORDINATOR),
    ):
        accounts.remove_user(session, user.id)
        assert accounts.add_user(session, account, name, role, PASS).id == user.id
    mila = accounts.log_in(store.paths.data_dir, "mila", PASS)
    try:
        visits.finish_visit(store, mila.user, pid, "life_situation", full_life_situation())
    finally:
        mila.close()
    raw, pdf = data_rights.export_person(store, session.user, pid, lang="de")
    data = json.loads(raw)
    by_form = {v["form"]: v["recorded_by"] for v in data["visits"]}
    assert by_form == {
        "skills_check": {"role": "helper", "this_laptop": True},
        "life_situation": {"role": "advisor", "this_laptop": True},
    }
    assert [c["recorded_by"]["role"] for c in data["consents"]] == ["helper"] * 3
    assert [o["recorded_by"]["role"] for o in data["case_openings"]] == ["advisor"]
    text = _text(pdf)
    assert text.count("Erfasst von Integrationshelfer/in") == 4  # the first visit, 3 consents
    assert text.count("Erfasst von Beratung") == 2  # the second visit, the section opened
    assert "Erfasst von Koordination" not in text  # Petar is a coordinator only since
    # The log of consultations: the helper's look and work as a helper's, the later visit an
    # advisor's.
    with store.reading() as db:
        said = person_data_notice.consultations(db, pid, "en", store.device_id)
    roles = {(c.role, c.purpose) for c in said}
    assert ("Integration helper", "Looked at your data for the advice") in roles
    assert ("Integration helper", "Recorded a visit") in roles
    assert ("Advisor", "Recorded a visit") in roles
    assert ("Advisor", "Gave an integration helper access to a part of your data") in roles
    assert not any(role == "Coordinator" and "access" in purpose for role, purpose in roles)


def test_a_helpers_referral_not_signed_off_gives_her_role_not_her_name(
    session: Session,
) -> None:
    """A referral a helper prepared waits for an advisor's sign-off: no letter went out with
    her name on it, so the copy says "recorded by an integration helper", in its history too,
    as for her draft of a form, and that it awaits sign-off (it said "issued"); once an
    advisor signed it off, the letter names its staff and so does the copy."""
    from desktop_app.usecases import referrals

    store = session.store
    petar = _account(session, "petar", "Petar Kolegov", Role.ADVISOR)
    maria = _account(session, "maria", "Maria Studentin", Role.HELPER)
    try:
        pid = people.register_person(store, petar.user, PersonDraft("Ion", "Popa")).id
        drafted = referrals.issue_referral(
            store, maria.user, pid, "vhs", "integration_course", client_lang="ro"
        )
        raw, pdf = data_rights.export_person(store, session.user, pid, lang="ro")
        text = _text(pdf)
        assert "Înregistrat de Asistent de integrare" in text
        _named_nowhere(raw, pdf, "Maria", "Studentin", maria.user.id)
        (referral,) = json.loads(raw)["referrals"]
        assert "advisor" not in referral
        assert referral["recorded_by"] == {"role": "helper", "this_laptop": True}
        assert [set(step) & {"by"} for step in referral["status_history"]] == [set()]
        # no letter was given: not "issued" alone
        assert referral["awaiting_sign_off"] is True
        assert "Stare Emisă – așteaptă aprobarea" in text, text
        # nor passed on to the service: its letter cannot be printed before sign-off
        assert "Nu am transmis datele dumneavoastră niciunui alt serviciu." in text
        referrals.sign_off(store, petar.user, drafted.id)
    finally:
        petar.close()
        maria.close()
    raw, pdf = data_rights.export_person(store, session.user, pid, lang="ro")
    (referral,) = json.loads(raw)["referrals"]
    assert (referral["advisor"], referral["signed_off_by"]) == ("Maria Studentin", "Petar Kolegov")
    assert "awaiting_sign_off" not in referral
    text = _text(pdf)
    assert "Stare Emisă Rezultat" in text
    assert "Am transmis date despre dumneavoastră doar acestor servicii" in text

"""Who recorded an entry of the person's data copy, where neither an account here nor the team's
list of laptops names its author: a visit and a consent arriving from a laptop that never said
its name (as the sync client saves them), a visit of an account removed since. Real stores,
real use cases, the PDF read back with pypdf."""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import replace

import pypdf
import pytest

from desktop_app.domain.hlc import Timestamp
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.sync.conflict_records import synced_state
from desktop_app.sync.merge import FieldState
from desktop_app.sync.records import ADAPTERS, ToSave
from desktop_app.usecases import accounts, data_rights, people, visits
from desktop_app.usecases.accounts import Session
from tests.unit.test_visits import consent_answers, full_life_situation

ELSEWHERE = {
    "de": "Erfasst von Mitarbeiterin oder Mitarbeiter an einem anderen Laptop unseres Teams",
    "bg": "Записано от Служител на друг лаптоп от нашия екип",
}
HERE = {"de": "Erfasst von Anna Schmidt", "bg": "Записано от Anna Schmidt"}


def _text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))


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


@pytest.mark.parametrize("lang", ["de", "bg"])
def test_entries_from_a_laptop_the_team_list_does_not_name_say_another_laptop(
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
    assert "someone-on-b" not in text and "laptop-b" not in text
    data = json.loads(raw)
    elsewhere = {"name": "", "this_laptop": False, "laptop": ""}
    here = {"name": "Anna Schmidt", "this_laptop": True}
    assert sorted(json.dumps(v["recorded_by"]) for v in data["visits"]) == sorted(
        json.dumps(by) for by in (here, elsewhere)
    )
    assert [c["recorded_by"] for c in data["consents"]].count(elsewhere) == 1


def test_a_visit_of_an_account_removed_since_still_names_them(session: Session) -> None:
    store = session.store
    accounts.add_user(session, "elena", "Elena Beraterin", Role.ADVISOR, "role pass 123")
    elena = accounts.log_in(store.paths.data_dir, "elena", "role pass 123")
    try:
        pid = people.register_person(store, elena.user, PersonDraft("Ion", "Popa")).id
        visits.finish_visit(store, elena.user, pid, "life_situation", full_life_situation())
    finally:
        elena.close()
    accounts.remove_user(session, elena.user.id)
    raw, pdf = data_rights.export_person(store, session.user, pid, lang="bg")
    assert "Записано от Elena Beraterin" in _text(pdf)
    (visit,) = json.loads(raw)["visits"]
    assert visit["recorded_by"] == {"name": "Elena Beraterin", "this_laptop": True}

"""Who recorded each entry of a person's data copy, on the laptop that recorded it and on one
that got it by sync (real server process on 127.0.0.1, real encrypted stores, the PDF read
back with pypdf): the role of who recorded it where their account is on the laptop making the
copy, else that it was a staff member on another laptop of the team (accounts do not sync).
Never a staff member's name nor a laptop's."""

from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from desktop_app.domain.users import Role
from desktop_app.usecases import accounts, data_rights, visits
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person
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


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))


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
    elsewhere = {"role": None, "this_laptop": False}
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
    # Made at the harbour: Petar's account is not known there: the visit, its version as he
    # recorded it and his consents say another laptop of the team; Elena's correction her role.
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(harbour.store, harbour.user, pid, lang=lang)
        text = _text(pdf)
        _named_nowhere(raw, text)
        assert f"{CHANGED[lang]} {ADVISOR[lang]}" in text
        assert text.count(f"{BY[lang]} {ELSEWHERE[lang]}") == 4  # the visit and 3 consents
        assert f"{BY[lang]}: {ELSEWHERE[lang]}" in text  # the visit's earlier version
        copy = json.loads(raw)
        (corrected,) = copy["visits"]
        assert (corrected["recorded_by"], corrected["last_changed_by"]) == (
            elsewhere,
            advisor_here,
        )
        assert [v["recorded_by"] for v in corrected["earlier_versions"]] == [elsewhere]
        assert [c["recorded_by"] for c in copy["consents"]] == [elsewhere] * 3

    # Back where Petar works, the correction came by sync (its earlier version is kept only
    # where it was made): still recorded by an advisor here, last changed on another laptop.
    laptops.sync(harbour, north)
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(north.store, north.user, pid, lang=lang)
        text = _text(pdf)
        _named_nowhere(raw, text)
        assert f"{BY[lang]} {ADVISOR[lang]} {CHANGED[lang]} {ELSEWHERE[lang]}" in text
        (corrected,) = json.loads(raw)["visits"]
        assert "earlier_versions" not in corrected
        assert corrected["recorded_by"] == advisor_here
        assert corrected["last_changed_by"] == elsewhere

"""Who recorded each entry of a person's data copy, on the laptop that recorded it and on one
that got it by sync (real server process on 127.0.0.1, real encrypted stores, the PDF read
back with pypdf): the account's name where it has one, else the name of the laptop the entry
was recorded on, as the team's list of its laptops names it (accounts do not sync)."""

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
#: an entry from the laptop "Nordstadt", as the copy made on "Hafen" names its author
ELSEWHERE = {
    "de": "Mitarbeiterin oder Mitarbeiter am Laptop „Nordstadt“ unseres Teams",
    "bg": "Служител на лаптопа „Nordstadt“ от нашия екип",
}
HARBOUR = {
    "de": "Mitarbeiterin oder Mitarbeiter am Laptop „Hafen“ unseres Teams",
    "bg": "Служител на лаптопа „Hafen“ от нашия екип",
}
BY = {"de": "Erfasst von", "bg": "Записано от"}
CHANGED = {"de": "Zuletzt geändert von", "bg": "Последно променено от"}


def _advisor(laptops: Laptops, laptop: Session, account: str, name: str) -> Session:
    accounts.add_user(laptop, account, name, Role.ADVISOR, PASS)
    logged_in = accounts.log_in(laptop.store.paths.data_dir, account, PASS)
    laptops.sessions.append(logged_in)  # closed with the laptops
    return logged_in


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))


def test_a_copy_names_who_recorded_each_entry_here_and_the_laptop_of_one_made_elsewhere(
    laptops: Laptops,
) -> None:
    north, harbour = laptops.new("Nordstadt"), laptops.new("Hafen")
    petar = _advisor(laptops, north, "petar", "Petar Kolegov")
    elena = _advisor(laptops, harbour, "elena", "Elena Beraterin")
    pid = add_person(north, "Ioana", "Stan", "1990")
    visits.record_consent(north.store, petar.user, pid, consent_answers())
    answers = full_life_situation()
    visit = visits.finish_visit(north.store, petar.user, pid, "life_situation", answers)
    # Made where Petar works: his name, on each entry he recorded.
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(north.store, north.user, pid, lang=lang)
        assert _text(pdf).count(f"{BY[lang]} Petar Kolegov") == 4  # the visit and 3 consents
        own = json.loads(raw)
        by = [e["recorded_by"] for e in (*own["visits"], *own["consents"])]
        assert by == [{"name": "Petar Kolegov", "this_laptop": True}] * 4

    laptops.sync(north, harbour)
    visits.edit_visit(harbour.store, elena.user, visit.id, dict(answers, housing_type="homeless"))
    # Made at the harbour: Petar's account is not known there: the visit, its version as he
    # recorded it and his consents name the laptop he worked on; Elena's correction her name.
    nordstadt = {"name": "", "this_laptop": False, "laptop": "Nordstadt"}
    elena_here = {"name": "Elena Beraterin", "this_laptop": True}
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(harbour.store, harbour.user, pid, lang=lang)
        text = _text(pdf)
        assert "Petar" not in text
        assert f"{CHANGED[lang]} Elena Beraterin" in text
        assert text.count(f"{BY[lang]} {ELSEWHERE[lang]}") == 4  # the visit and 3 consents
        assert text.count(ELSEWHERE[lang]) == 5  # and the visit's earlier version
        copy = json.loads(raw)
        (corrected,) = copy["visits"]
        assert (corrected["recorded_by"], corrected["last_changed_by"]) == (nordstadt, elena_here)
        assert [v["recorded_by"] for v in corrected["earlier_versions"]] == [nordstadt]
        assert [c["recorded_by"] for c in copy["consents"]] == [nordstadt] * 3

    # Back where Petar works, the correction came by sync (its earlier version is kept only
    # where it was made): still recorded by him, last changed at the harbour.
    laptops.sync(harbour, north)
    for lang in ("de", "bg"):
        raw, pdf = data_rights.export_person(north.store, north.user, pid, lang=lang)
        text = _text(pdf)
        assert f"{BY[lang]} Petar Kolegov {CHANGED[lang]} {HARBOUR[lang]}" in text
        (corrected,) = json.loads(raw)["visits"]
        assert "earlier_versions" not in corrected
        assert corrected["recorded_by"] == {"name": "Petar Kolegov", "this_laptop": True}
        assert corrected["last_changed_by"] == {
            "name": "",
            "this_laptop": False,
            "laptop": "Hafen",
        }

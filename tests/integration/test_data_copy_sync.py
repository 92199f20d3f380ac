"""The person's data copy on a laptop that got their records by sync: it names the other
laptop as a source, the services A referred them to as recipients, and A's work in the log of
consultations by role (real server process on 127.0.0.1, real encrypted stores)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from desktop_app.i18n.text import gettext_in
from desktop_app.letters import person_data_pdf as texts
from desktop_app.usecases import data_rights, people, referrals, visits
from tests.integration.sync_harness import Laptops, add_person
from tests.unit.test_visits import full_life_situation


def test_a_copy_made_on_another_laptop_names_the_first_as_source_and_its_work(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Ioana", "Stan", "1990")
    visits.finish_visit(a.store, a.user, pid, "life_situation", full_life_situation())
    referral = referrals.issue_referral(a.store, a.user, pid, "jobcenter", "buergergeld")
    laptops.sync(a, b)
    people.get_person(b.store, b.user, pid)  # B's coordinator opens the case
    _json, pdf = data_rights.export_person(b.store, b.user, pid, lang="ro")
    text = re.sub(
        r"\s+",
        " ",
        " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages),
    )

    def part(heading: str, until: str) -> str:
        start = text.index(gettext_in("ro", heading))
        return text[start : text.index(gettext_in("ro", until), start)]

    received = part(texts.RECIPIENTS_HEADING, texts.SOURCES_HEADING)
    assert "Jobcenter Dortmund" in received and referral.reference in received
    # The person, the visit and the referral: all three made on A.
    source = part(texts.SOURCES_HEADING, texts.LOG_HEADING)
    assert (
        "3 înregistrări au fost făcute sau modificate ultima dată de colegi pe alt laptop al "
        "echipei noastre."
    ) in source
    log = part(texts.LOG_HEADING, texts.RETENTION_HEADING)
    # A's work (its audit entries came with the sync) and B's view, each by its role.
    # (the visit filled in her nationality, sex and languages: "corrected or completed")
    for purpose in (
        "V-a înregistrat",
        "A înregistrat o vizită",
        "A corectat sau a completat date",
        "A făcut o trimitere",
    ):
        assert purpose in log
    assert "A văzut datele dumneavoastră pentru consiliere" in log
    # B's own coordinator by role; A's accounts do not sync, but A's entries carry the role
    # its coordinator worked with: by role too, not "on another laptop of our team".
    assert log.count("Coordonator") == 5, log
    assert "Angajat pe alt laptop al echipei noastre" not in log
    assert "anna" not in log

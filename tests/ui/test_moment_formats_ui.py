"""A date with its time reads the same on every screen and in the data copy, per language."""

from __future__ import annotations

import datetime as dt
import io
import os

import pypdf
import pytest
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui import referrals as referrals_ui
from desktop_app.usecases import data_rights, people
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases import visits as visits_uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.ui.conftest import shown_window
from tests.unit.test_visits import full_life_situation

# 2 August 2026, 09:50:07 on the laptop's clock
MOMENT = dt.datetime(2026, 8, 2, 9, 50, 7)


@pytest.mark.parametrize(
    ("lang", "expected"),
    # CLDR's medium date and short time as the language joins them; the visits list and the
    # status history wrote "2.08.2026 г. 09:50" / "2 aug. 2026 09:50" beside the data copy's
    # "2.08.2026 г., 9:50" / "2 aug. 2026, 09:50"
    [("bg", "2.08.2026\u202fг., 9:50"), ("ro", "2 aug. 2026, 09:50")],
)
def test_a_moment_reads_alike_in_the_visits_list_the_status_history_and_the_data_copy(
    qtbot: QtBot, session: Session, monkeypatch: pytest.MonkeyPatch, lang: str, expected: str
) -> None:
    # the same moment for the visit (stored in UTC) and the referral's first step (local)
    monkeypatch.setattr(
        visits_uc, "_now", lambda: MOMENT.astimezone(dt.UTC).isoformat(timespec="seconds")
    )
    monkeypatch.setattr(referrals_uc, "_now", lambda: MOMENT)
    set_language(lang)
    try:
        person = people.register_person(
            session.store,
            session.user,
            PersonDraft("Мария", "Петрова", "1991-04-02", languages=("bg", "ro")),
            confirm_duplicates=True,
        )
        record_sharing_consent(session, person.id, "given")
        visits_uc.finish_visit(
            session.store, session.user, person.id, "life_situation", full_life_situation()
        )
        referrals_uc.issue_referral(
            session.store, session.user, person.id, "vhs", "integration_course"
        )
        window = shown_window(qtbot, session)
        window.show_person(person.id)

        item = window.visits.tab.tree.topLevelItem(0)  # type: ignore[attr-defined]
        assert item is not None
        assert item.text(0) == expected

        feature: referrals_ui.ReferralsFeature = window.referrals  # type: ignore[attr-defined]
        feature.tab.table.selectRow(0)
        feature.tab.status_button.click()
        dialog = window.findChild(referrals_ui.StatusDialog)
        assert dialog is not None
        (first,) = dialog.history.text().splitlines()
        assert first.startswith(f"{expected}  "), first
        if shots := os.environ.get("WELCOME_DESK_SHOTS"):
            window.grab().save(f"{shots}/moment-{lang}-window.png")
            dialog.grab().save(f"{shots}/moment-{lang}-status.png")
        dialog.reject()

        _json, pdf = data_rights.export_person(session.store, session.user, person.id, lang=lang)
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        content = " ".join(page.extract_text() for page in reader.pages)
        # the PDF may break a line at the space after the comma
        flat = " ".join(content.replace("\u202f", " ").split())
        wanted = " ".join(expected.replace("\u202f", " ").split())
        # the visit's end and the referral's first step, both at that moment
        assert flat.count(wanted) >= 2, flat
    finally:
        set_language("en")

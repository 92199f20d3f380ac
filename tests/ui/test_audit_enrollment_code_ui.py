"""Asking the server for a new laptop's enrollment code writes an audit entry on the
coordinator's laptop: who, the name given and until when the code is valid, never the code
itself; the audit window says it in the reader's words. A real server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.i18n.formatting import format_moment
from desktop_app.i18n.text import set_language
from desktop_app.ui.audit import AuditWindow
from desktop_app.usecases import audit
from desktop_app.usecases import sync as sync_uc
from sync_server import models
from tests.integration.sync_harness import Laptops, ServerProcess, device_id

ACTION = {
    "de": "Anmeldecode für einen neuen Laptop ausgestellt",
    "bg": "издаден код за присъединяване на нов лаптоп",
    "ro": "cod de înrolare pentru un laptop nou emis",
    "en": "enrollment code for a new laptop issued",
}
DETAILS = {"de": "Name", "bg": "име", "ro": "nume", "en": "name"}
UNTIL = {"de": "gültig bis", "bg": "валиден до", "ro": "valabil până la", "en": "valid until"}
# The record column: the laptop that asked for the code, by its name in the team's records.
RECORD = {
    "de": "Anmeldecode von Laptop „Büro Nordstadt“",
    "bg": "код за присъединяване от лаптоп „Büro Nordstadt“",
    "ro": "cod de înrolare de la laptopul „Büro Nordstadt”",
    "en": "enrollment code from laptop “Büro Nordstadt”",
}


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_issuing_a_code_is_in_the_audit_log_without_the_code(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, shots: Path, lang: str
) -> None:
    a = laptops.new("Büro Nordstadt")
    issued = sync_uc.issue_enrollment_code(a.store, a.user, "  Laptop Ana  ")
    (entry,) = audit.list_entries(a.store, a.user, action="issue_enrollment_code")
    assert entry.user_id == a.user.id and entry.record_kind == "enrollment_code"
    # Its record id is the laptop's id on the server, which keeps it as the code's issuer
    # (``welcome-desk-server devices`` counts the unused codes by it): not a random id.
    assert entry.record_id == device_id(a)
    c = models.EnrollmentCode
    with server.engine.connect() as db:
        issuer = db.execute(select(c.issued_by).where(c.name == "Laptop Ana")).scalar_one()
    assert issuer == entry.record_id
    assert dict(entry.details) == {
        "name": "Laptop Ana",
        "valid_until": issued.expires_at.isoformat(timespec="seconds"),
    }
    # Never the code, in any form, in any entry of the log.
    code = issued.code
    for form in (code, code.replace("-", ""), code.lower()):
        for e in audit.list_entries(a.store, a.user):
            assert form not in repr(e), e
    set_language(lang)
    window = AuditWindow(a)
    qtbot.addWidget(window)
    window.refresh()
    model = window.model
    rows = [
        [model.item(r, c).text() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    (row,) = [row for row in rows if row[4] == entry.record_id]
    assert row[2] == ACTION[lang], row
    assert row[3] == RECORD[lang], row
    until = format_moment(issued.expires_at.replace(microsecond=0))
    assert row[5] == f"{DETAILS[lang]}: Laptop Ana · {UNTIL[lang]}: {until}", row
    assert dt.timedelta(hours=23) < issued.expires_at - dt.datetime.now(dt.UTC)
    window.resize(1200, 500)
    window.grab().save(str(shots / f"audit-enrollment-code-{lang}.png"))
    window.close()

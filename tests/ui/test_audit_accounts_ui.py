"""The audit log as a coordinator reads it after managing the accounts of the laptop."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.ui.audit import AuditWindow
from desktop_app.usecases import accounts
from desktop_app.usecases.accounts import Session

HELPER_PASSWORD = "pass word 1234 long"


def _rows(window: AuditWindow) -> list[list[str]]:
    model = window.model
    return [
        [model.item(r, c).text() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_the_log_names_the_account_added_or_removed_and_a_removed_accounts_work(
    qtbot: QtBot, session: Session, data_dir: Path
) -> None:
    """A helper's account added, used and removed: the log said "user added", "user removed"
    beside an id ("69de5ffe-…") and nothing else, and the helper's own entries by an id too,
    so the coordinator could not tell whose account it was, nor who had logged in."""
    accounts.add_user(
        session, "mihaela", "Mihaela Popescu", Role.HELPER, HELPER_PASSWORD, HELPER_PASSWORD
    )
    helper = accounts.log_in(data_dir, "mihaela", HELPER_PASSWORD)
    helper_id = helper.user.id
    helper.close()
    accounts.remove_user(session, helper_id)

    window = AuditWindow(session)
    qtbot.addWidget(window)
    window.refresh()
    rows = _rows(window)
    gone = "Mihaela Popescu (account removed)"
    about = {row[2]: row[5] for row in rows if row[4] == helper_id}
    assert about["user added"].startswith(f"Account: {gone} · "), about
    assert about["user removed"] == f"Account: {gone}", about
    logged_in = [row for row in rows if row[2] == "logged in" and row[4] == helper_id]
    assert [row[1] for row in logged_in] == [gone]
    assert [row[5] for row in logged_in] == [""]  # her own account: the "User" column's
    offered = [window.user.itemText(i) for i in range(window.user.count())]
    assert gone in offered and "Anna Schmidt" in offered

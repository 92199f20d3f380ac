"""Sync in the window: runs in the background while the user types, shows status, conflicts."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app import __version__
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_time_of_day
from desktop_app.i18n.messages import sync_message
from desktop_app.i18n.text import _, ngettext, set_language
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_status import DevicesDialog, JoinDialog, SyncController, last_sync_time
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import store_write_locked
from tests.integration.sync_harness import (
    PASSWORD,
    Backup,
    Laptops,
    ServerProcess,
    approve_and_confirm,
    as_before_roles,
    device_id,
    push_state,
    record_state,
)
from tests.ui.conftest import shown_window, tooltip_at, type_text

SHOTS = os.environ.get("WELCOME_DESK_SHOTS")


def _window(qtbot: QtBot, session: Session, width: int = 0) -> tuple[MainWindow, SyncController]:
    """The main window of ``session``, shown (``width`` × 700 if given), and its sync controller."""
    window = shown_window(qtbot, session, width)
    return window, window.sync  # type: ignore[attr-defined]


def _laptops_dialog(qtbot: QtBot, session: Session) -> tuple[MainWindow, DevicesDialog]:
    """The main window of ``session``, shown, and its laptops dialog (File → Laptops of the
    organisation), not shown: its first listing is under way."""
    window, controller = _window(qtbot, session)
    dialog = DevicesDialog(controller, window)
    qtbot.addWidget(dialog)
    return window, dialog


def _join_dialog(qtbot: QtBot, session: Session) -> tuple[MainWindow, JoinDialog]:
    """The main window of ``session``, shown, and its join dialog (File → Join an
    organisation), not shown."""
    window, controller = _window(qtbot, session)
    dialog = JoinDialog(controller, window)
    qtbot.addWidget(dialog)
    return window, dialog


def test_sync_runs_in_background_while_typing_and_resolves_conflicts(
    qtbot: QtBot, laptops: Laptops
) -> None:
    a = laptops.new("A")
    b = laptops.new("B")
    pid = people.register_person(
        a.store, a.user, PersonDraft("Elena", "Radu", phone="0176 1111111")
    ).id
    for i in range(300):  # enough records that the sync takes a while
        people.register_person(a.store, a.user, PersonDraft(f"Ion{i}", "Popescu"))
    sync_uc.sync_now(a.store)
    window, controller = _window(qtbot, b)
    qtbot.waitUntil(lambda: "to send" in controller.label.text(), timeout=30_000)
    shown: list[tuple[str, int, int, str]] = []  # as the status bar showed each report
    controller.progress.connect(
        lambda phase, done, total: shown.append(
            (phase, controller.bar.value(), controller.bar.maximum(), controller.label.text())
        )
    )
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        assert controller.start()
        assert controller.label.text() == "Syncing…"
        type_text(window.search, "Radu")  # the UI thread keeps working meanwhile
        assert window.search.text() == "Radu"
    report = done.args[0]
    assert not isinstance(report, Exception), report
    # More than a page to receive: the bar and the label say how far it has come.
    received = [(v, m, text) for phase, v, m, text in shown if phase == "pull"]
    assert len(received) >= 2 and all(0 < v <= m for v, m, _t in received)
    first_value, first_max, first_text = received[0]
    assert first_text == f"Receiving changes… {100 * first_value // first_max}%"
    assert received[-1][2] == "Receiving changes… 100%"
    # It ran in the window's sync process, not in the window's own interpreter.
    child = controller.process.pid
    assert child is not None and child != os.getpid()
    assert report.applied >= 301  # the people, and the audit entries of their registration
    assert people.count_people(b.store) == 301
    assert "last sync" in controller.label.text() and "0 changes to send" in controller.label.text()
    with qtbot.waitSignal(window.search_finished, timeout=30_000):
        window._on_search_timer_timeout()
    assert window.model.rowCount() == 1

    # A conflict: both laptops change the same phone number, then sync.
    for session, phone in ((a, "0176 2222222"), (b, "0176 3333333")):
        person = people.get_person(session.store, session.user, pid)
        assert person is not None
        values = people.person_values(person) | {"phone": phone}
        langs = tuple(c for c in values.pop("languages").split(",") if c)
        people.update_person(
            session.store, session.user, pid, PersonDraft(**values, languages=langs)
        )
    sync_uc.sync_now(a.store)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        controller.start()
    assert "1 conflict to decide" in controller.label.text()
    dialog = controller.open_conflicts()
    assert dialog.list.count() == 1 and "Elena Radu" in dialog.list.item(0).text()
    dialog.keep_second.click()  # stored on a worker thread
    qtbot.waitUntil(lambda: dialog.list.count() == 0, timeout=30_000)
    assert sync_uc.open_conflicts(b.store) == []
    assert controller.process.pid == child  # one sync process served every sync
    window.close()
    assert controller.process.pid is None  # closing the window ended it


def test_a_new_laptop_confirms_the_coordinators_fingerprint_in_a_dialog(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    a = laptops.new("A")
    b = laptops.account("B")
    sync_uc.join(b.store, server.base_url, server.enroll("B"), "Laptop B")
    people.register_person(a.store, a.user, PersonDraft("Elena", "Radu"))
    sync_uc.sync_now(a.store)
    sync_uc.approve_device(
        a.store, a.user, device_id(b), sync_uc.fingerprint(b.store), role=Role.COORDINATOR
    )
    window, controller = _window(qtbot, b)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        assert controller.start()
    assert isinstance(done.args[0], sync_uc.SyncSetupError)
    text = controller.label.text()
    assert "Waiting for confirmation" in text and "confirm “A” by its fingerprint" in text
    assert controller.confirm_action.isEnabled() and "&" in controller.confirm_action.text()

    dialog = controller.open_confirm_coordinator()
    assert "“A”" in dialog.intro.text()
    assert sync_uc.fingerprint(a.store) not in dialog.intro.text()  # to be compared, not read
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is dialog.fingerprint)
    assert "&" in label.text() and dialog.fingerprint.accessibleName()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    type_text(dialog.fingerprint, sync_uc.fingerprint(b.store))  # its own: wrong
    ok.click()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "not the fingerprint of the laptop that sent the team key" in dialog.error.text()
    assert dialog.fingerprint.hasFocus() or dialog.focusWidget() is dialog.fingerprint
    assert sync_uc.waiting_senders(b.store) and not sync_uc.status(b.store).approved

    dialog.fingerprint.clear()
    type_text(dialog.fingerprint, sync_uc.fingerprint(a.store))
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
        ok.click()
    assert not dialog.isVisible()
    assert not isinstance(done.args[0], Exception), done.args[0]
    assert "last sync" in controller.label.text() and "confirm" not in controller.label.text()
    assert not controller.confirm_action.isEnabled()
    assert people.count_people(b.store) == 1
    window.close()


def test_the_laptops_dialog_shows_this_laptops_own_fingerprint(
    qtbot: QtBot, laptops: Laptops
) -> None:
    a = laptops.new("A")
    window, dialog = _laptops_dialog(qtbot, a)
    own = sync_uc.fingerprint(a.store)
    assert own in dialog.own_fingerprint.text()  # from this laptop, before any answer
    assert dialog.own_fingerprint.accessibleName() == f"Fingerprint of this laptop: {own}"
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.list.count() == 1
    window.close()


def test_approving_a_laptop_in_the_laptops_dialog_says_what_comes_next(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """The coordinator types the fingerprint read off the new laptop (the list does not offer
    the server's for copying), approves, and is told it worked and what the new laptop does."""

    a = laptops.new("A")
    b = laptops.account("B")
    sync_uc.join(b.store, server.base_url, server.enroll("B"), "Laptop B")
    theirs = sync_uc.fingerprint(b.store)
    window, dialog = _laptops_dialog(qtbot, a)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    row = next(i for i, t in enumerate(texts) if t.startswith("Laptop B ·"))
    assert texts[row] == f"Laptop B · waiting for approval · Version {__version__}"
    assert not any(theirs in t for t in texts)
    dialog.list.setCurrentRow(row)
    type_text(dialog.fingerprint, sync_uc.fingerprint(a.store))  # A's own: wrong
    dialog.role_buttons[Role.ADVISOR].setChecked(True)
    dialog.approve.click()
    qtbot.waitUntil(lambda: not dialog.busy and bool(dialog.error.text()), timeout=10_000)
    assert dialog.renewed.isHidden()
    dialog.fingerprint.clear()
    type_text(dialog.fingerprint, theirs)
    dialog.approve.click()
    qtbot.waitUntil(lambda: not dialog.busy and not dialog.renewed.isHidden(), timeout=10_000)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)  # listed again
    assert dialog.renewed.text().startswith("“Laptop B” is approved and was sent the team key.")
    assert "Confirm the coordinator's laptop" in dialog.renewed.text()
    assert not dialog.error.text() and dialog.fingerprint.text() == ""
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    approved = f"Laptop B · approved · Advisors · Version {__version__}\n\u2003\u2003{theirs}"
    assert any(t.startswith(approved) for t in texts), texts
    window.close()


def test_renewing_the_key_in_the_laptops_dialog_names_the_laptops_left_out(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    from tests.integration.sync_harness import add_impostor, wrapped_key_ids

    a = laptops.new("A")
    b = laptops.new("B")
    impostor = add_impostor(server, "<b>Laptop C</b>")  # the operator's device
    window, dialog = _laptops_dialog(qtbot, a)
    assert "&" in dialog.renew.text() and dialog.renewed.isHidden()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    before = wrapped_key_ids(server, device_id(b))
    dialog.renew.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    text = dialog.renewed.text()
    assert not dialog.renewed.isHidden() and not dialog.error.text()
    assert text.startswith("A new team key is in use.")
    assert "1 laptop was not given the new team key:" in text
    assert f"<b>Laptop C</b> ({impostor.device_id}): the team has no record of it" in text
    assert device_id(b) not in text and "approve it again here" in text
    assert len(wrapped_key_ids(server, device_id(b)) - before) == 1
    assert wrapped_key_ids(server, impostor.device_id) == set()
    window.close()


def test_revoking_a_laptop_in_the_laptops_dialog_asks_then_renews_the_team_key(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.sync.http_client import Revoked
    from tests.integration.sync_harness import active_key_id, wrapped_key_ids

    a = laptops.new("A")
    b = laptops.new("B")
    c = laptops.new("C")
    for session in (a, b, c):
        sync_uc.sync_now(session.store)
    window, dialog = _laptops_dialog(qtbot, a)
    dialog.show()
    assert dialog.busy and dialog.calls.label.isVisible() and not dialog.renew.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert not dialog.calls.label.isVisible() and dialog.renew.isEnabled()
    rows = {dialog.list.item(i).text().split(" · ")[0]: i for i in range(dialog.list.count())}
    assert set(rows) == {"A", "B", "C"}
    assert dialog.list.item(rows["A"]).text().endswith(" · this laptop")
    assert not dialog.revoke.isEnabled()  # nothing selected yet
    dialog.list.setCurrentRow(rows["A"])
    assert not dialog.approve.isEnabled() and not dialog.revoke.isEnabled()  # not itself
    assert "&" in dialog.revoke.text()

    dialog.list.setCurrentRow(rows["B"])
    assert dialog.revoke.isEnabled()
    dialog.revoke.click()
    question = dialog.revoke_question
    assert question is not None and question.isVisible()
    assert "Revoke “B”?" in question.text() and "cannot be undone" in question.text()
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.Cancel)
    question.button(QMessageBox.StandardButton.Cancel).click()  # changed their mind
    qtbot.waitUntil(lambda: dialog.revoke_question is None, timeout=30_000)
    key_before = active_key_id(a)
    statuses = {d.name: d.status for d in sync_uc.list_devices(a.store, a.user)}
    assert statuses["B"] == "approved" and dialog.renewed.isHidden()

    dialog.revoke.click()
    question = dialog.revoke_question
    assert question is not None
    confirm = next(b for b in question.buttons() if b.text() == "Revoke and renew the team key")
    c_keys = wrapped_key_ids(server, device_id(c))
    b_keys = wrapped_key_ids(server, device_id(b))
    with qtbot.waitSignal(dialog.calls.idle, timeout=20_000):  # revoked, renewed, listed again
        confirm.click()
    text = dialog.renewed.text()
    assert text.startswith("“B” is revoked: it can no longer sync.\nWhat was recorded on “B” after")
    assert "\nA new team key is in use." in text
    assert not dialog.error.text()
    assert active_key_id(a) != key_before
    statuses = {d.name: d.status for d in sync_uc.list_devices(a.store, a.user)}
    assert statuses == {"A": "approved", "B": "revoked", "C": "approved"}
    # The list shows it revoked, and it cannot be revoked twice.
    row = next(
        i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith("B ·")
    )
    assert " · revoked · " in dialog.list.item(row).text()
    dialog.list.setCurrentRow(row)
    assert not dialog.revoke.isEnabled()
    # C got the new key, B did not, and the server refuses B from now on.
    assert wrapped_key_ids(server, device_id(c)) - c_keys == {active_key_id(a)}
    assert wrapped_key_ids(server, device_id(b)) == b_keys
    with pytest.raises(Revoked):
        sync_uc.sync_now(b.store)
    # B's window says what that means, in words, and keeps the code for whoever helps.
    b_window, b_sync = _window(qtbot, b)
    with qtbot.waitSignal(b_sync.sync_finished, timeout=30_000):
        assert b_sync.start()
    qtbot.waitUntil(lambda: "to send" in b_sync.label.text(), timeout=30_000)
    assert b_sync.label.text().startswith("This laptop is revoked · "), b_sync.label.text()
    assert "(revoked)" not in b_sync.label.text()
    # the code for whoever helps, not the server's English text behind it
    tip = b_sync.label.toolTip()
    assert "Code for whoever helps: 403 revoked" in tip and "has been revoked" not in tip
    b_window.close()
    people.register_person(a.store, a.user, PersonDraft("Elena", "Radu"))
    sync_uc.sync_now(a.store)
    sync_uc.sync_now(c.store)
    assert people.count_people(c.store) == 1 and active_key_id(c) == active_key_id(a)
    window.close()


def test_a_renewal_the_server_breaks_off_says_it_is_still_to_do(
    qtbot: QtBot, tmp_path: Path, server: ServerProcess
) -> None:
    from tests.integration.sync_harness import CuttingProxy, active_key_id, keyring_of

    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a, b = group.new("A"), group.new("B")
        window, dialog = _laptops_dialog(qtbot, a)
        controller = dialog.controller
        before = active_key_id(a)
        uploads: list[str] = []

        def second_key_upload(method: str, path: str) -> bool:
            if method == "POST" and path == "/v1/keys":
                uploads.append(path)
            return len(uploads) == 2  # A's own went through, B's did not

        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        proxy.cut_when = second_key_upload
        dialog.renew.click()
        assert not dialog.calls.label.isHidden() and not dialog.renew.isEnabled()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
        # The proxy took the upload and closed the connection: one made and broken off.
        said = "The connection to the sync server was made and then broke off. Nothing was lost."
        assert said in dialog.error.text()
        assert not dialog.renewed.isHidden()
        assert dialog.renewed.text() == (
            "The team key was not renewed yet: renew it here as soon as the server can be reached."
        )
        assert active_key_id(a) == before  # not used before every laptop has it

        # Reminded later too: in the status bar, and when the dialog is opened again.
        reminder = "team key renewal not finished (File → Laptops of the organisation)"
        assert sync_uc.status(a.store).renewal_unfinished
        qtbot.waitUntil(lambda: reminder in controller.label.text(), timeout=10_000)
        dialog.close()
        again = DevicesDialog(controller, window)
        qtbot.addWidget(again)
        assert not again.renewed.isHidden() and again.renewed.text() == (
            "The team key was not renewed yet: renew it here as soon as the server can be reached."
        )
        qtbot.waitUntil(lambda: not again.busy, timeout=10_000)
        dialog = again

        proxy.restore()
        dialog.renew.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
        assert dialog.renewed.text().startswith("A new team key is in use.")
        assert not dialog.error.text()
        assert not sync_uc.status(a.store).renewal_unfinished
        qtbot.waitUntil(lambda: reminder not in controller.label.text(), timeout=10_000)
        sync_uc.sync_now(a.store)
        sync_uc.sync_now(b.store)
        assert active_key_id(b) == active_key_id(a) != before
        assert set(keyring_of(b)) == set(keyring_of(a))  # the unfinished key as well
        window.close()
    finally:
        group.close()
        proxy.close()


def test_joining_in_the_dialog_waits_for_the_server_without_freezing_the_window(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    from tests.integration.sync_harness import PortReservation

    session = laptops.account("A")
    window, dialog = _join_dialog(qtbot, session)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    labels = [w for w in dialog.findChildren(QLabel) if w.buddy() is not None]
    assert len(labels) == 3 and all("&" in label.text() for label in labels)

    # Nothing listens there (a port held for this test): refused, said in words, nothing joined.
    nobody = PortReservation()
    type_text(dialog.server, f"http://127.0.0.1:{nobody.port}")
    type_text(dialog.code, server.enroll("A"))
    ok.click()
    assert dialog.calls.busy and not ok.isEnabled() and not dialog.server.isEnabled()
    qtbot.waitUntil(lambda: not dialog.calls.busy, timeout=60_000)
    assert dialog.error.text() == (
        "The sync server cannot be reached. Nothing was lost. This laptop has not joined yet. "
        "Press Try again when the connection is back: the same code still works."
    )
    assert ok.isEnabled() and dialog.server.isEnabled() and not sync_uc.is_joined(session.store)
    assert ok.text() == "&Try again"

    # A code the server never gave.
    dialog.server.clear()
    type_text(dialog.server, server.base_url)
    code = dialog.code.text()
    dialog.code.clear()
    type_text(dialog.code, "WRNG-CXDE-2345-6789")
    ok.click()
    qtbot.waitUntil(lambda: not dialog.calls.busy, timeout=30_000)
    assert dialog.error.text() == (
        "The server does not accept this enrollment code: it is mistyped, has expired or was "
        "used already. Check it, or ask your coordinator for a new one."
    )
    assert not sync_uc.is_joined(session.store)
    assert ok.text() == "&Join"  # the same code would not do: another one is joined with

    dialog.code.clear()
    type_text(dialog.code, code)
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        ok.click()
    assert not dialog.error.text()
    assert dialog.outcome.text() == "Joined. Fingerprint of this laptop:"
    assert dialog.joined_fingerprint.text() == sync_uc.fingerprint(session.store)
    # The organisation's first laptop: approved at once; it is told that it approves the others.
    assert dialog.next_steps.text().startswith("This is the organisation's first laptop")
    assert not ok.isEnabled() and sync_uc.is_joined(session.store)
    # Joined: what was sent is shown, not offered for editing or for joining again (the
    # fields stayed editable beside a greyed "Join", as if a change would do something).
    fields = (dialog.server, dialog.code, dialog.name)
    assert all(field.isReadOnly() for field in fields)
    assert [field.text() for field in fields] == [server.base_url, code, socket.gethostname()]
    shown = [b for b in dialog.buttons.buttons() if not b.isHidden()]
    assert shown == [dialog.buttons.button(QDialogButtonBox.StandardButton.Close)]
    assert isinstance(shown[0], QPushButton) and shown[0].isDefault()
    window.close()


def test_the_status_bar_says_when_records_need_a_newer_version(
    qtbot: QtBot, laptops: Laptops
) -> None:
    a = laptops.new("A")
    b = laptops.new("B")
    sync_uc.sync_now(b.store)
    # A colleague's laptop runs a newer version that syncs a kind this one does not know.
    push_state(a, record_state("walk_in", str(uuid.uuid4()), {"x": "y"}, device_id(a)))
    set_language("en")
    _shown, controller = _window(qtbot, b)
    with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
        controller.start()
    qtbot.waitUntil(
        lambda: (
            "1 record from colleagues needs a newer version of Welcome Desk"
            in controller.label.text()
        ),
        timeout=30_000,
    )


def test_the_status_bar_keeps_its_counts_in_view_and_dates_an_old_sync(
    qtbot: QtBot, session: Session
) -> None:
    _shown, controller = _window(qtbot, session)
    controller.last_error = sync_message("not_approved")  # two sentences
    yesterday = dt.datetime.now() - dt.timedelta(days=1)
    clock = f"{int(yesterday.timestamp() * 1000):013d}-00000-{'d' * 8}"
    controller.show_status(sync_uc.SyncStatus(True, "https://x", False, 1, clock, 2))
    text = controller.label.text()
    assert text.startswith("This laptop is waiting for a coordinator's approval. · 2 conflicts")
    assert "Compare the fingerprint" in controller.label.toolTip()
    when = text.split("last sync ")[1].split(" · ")[0]  # "2 Dec 23:15"
    assert str(yesterday.day) in when.split() and ":" in when, when
    assert "1 change to send" in text
    assert last_sync_time(dt.datetime.now().timestamp()).count(":") == 1  # today: the time


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_a_refused_enrollment_code_is_explained_in_the_users_language(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, lang: str
) -> None:
    from desktop_app.i18n.messages import refusal_message

    session = laptops.account("A")
    other = laptops.account("B")
    used = server.enroll("A")
    sync_uc.join(other.store, server.base_url, used, "B")  # the code is used up
    set_language(lang)
    window, dialog = _join_dialog(qtbot, session)
    type_text(dialog.server, server.base_url)
    type_text(dialog.code, used)
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    text = dialog.error.text()
    assert "enrollment_invalid" not in text and "{" not in text
    assert text == refusal_message("enrollment_invalid")
    set_language("en")
    assert text != refusal_message("enrollment_invalid")  # not the English words
    assert not sync_uc.is_joined(session.store)
    window.close()


def test_the_status_bar_tells_a_server_fault_and_a_bad_certificate_from_being_offline(
    qtbot: QtBot, tmp_path: Path, laptops: Laptops
) -> None:
    from tests.integration.sync_harness import AnsweringStub, move_laptop_to

    a = laptops.new("A")
    faulty = AnsweringStub(503, tmp_path)
    untrusted = AnsweringStub(200, tmp_path, tls=True)
    try:
        window, controller = _window(qtbot, a)
        # The server answers, with a fault: the laptop is not offline, and the user need not
        # look for a network.
        move_laptop_to(a, faulty.url)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            assert controller.start()
        qtbot.waitUntil(lambda: "to send" in controller.label.text(), timeout=30_000)
        text = controller.label.text()
        assert faulty.requests > 0
        assert text.startswith("The sync server has a fault. ·") and "Offline" not in text
        assert controller.label.toolTip().count("tried again") == 1  # with the time of the try
        assert "503" in controller.label.toolTip()

        # A certificate nobody trusts: no connection, and the user is told what to do.
        move_laptop_to(a, untrusted.url)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            assert controller.start()
        qtbot.waitUntil(lambda: "to send" in controller.label.text(), timeout=30_000)
        text = controller.label.text()
        assert text.startswith("The sync server's certificate is not valid. ·")
        assert "Offline" not in text
        assert "On a public Wi-Fi, log in to it first" in controller.label.toolTip()
        assert untrusted.requests == 0  # nothing was sent
        window.close()
    finally:
        faulty.close()
        untrusted.close()


def test_the_status_tooltip_says_why_a_sync_failed_never_an_exception_name(
    qtbot: QtBot, tmp_path: Path, laptops: Laptops, refused_url: str
) -> None:
    """The tooltip showed the exception's class name ("ProtocolError", or the one the sync
    process met: "OperationalError") or the server's English text, and said nothing of a
    server that cannot be reached: why, in the user's words."""
    from tests.integration.sync_harness import AnsweringStub, move_laptop_to

    a = laptops.new("A")
    set_language("de")
    window, controller = _window(qtbot, a)

    def tip_after_sync() -> str:
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            assert controller.start()
        counted = ("zu senden", "sicher auf diesem Laptop")  # offline: kept here
        qtbot.waitUntil(lambda: any(c in controller.label.text() for c in counted), timeout=30_000)
        assert controller.label.text().split(" · ")[0] in (
            "Offline",
            "Synchronisieren fehlgeschlagen.",
        )
        return controller.label.toolTip()

    def next_try() -> str:
        """When the next try comes, as the tooltip ends after a failure other than offline."""
        due = format_time_of_day(dt.datetime.fromtimestamp(controller.next_try_at or 0), "de")
        return f" Der nächste Versuch folgt von selbst gegen {due} Uhr."

    move_laptop_to(a, refused_url)
    # What happens to the changes counted beside it: it said only that nothing was lost.
    # And when the next try comes, as a time of day (it said "every minute"); that no sync
    # has got through yet (when this one was is on the line: "zuletzt versucht 13:16").
    tip = tip_after_sync()
    due = format_time_of_day(dt.datetime.fromtimestamp(controller.next_try_at or 0), "de")
    assert tip == (
        "Der Synchronisierungsserver ist nicht erreichbar. Es ging nichts verloren. Was Sie "
        "speichern, bleibt auf diesem Laptop und wird von selbst gesendet, sobald der Server "
        f"wieder erreichbar ist; der nächste Versuch folgt gegen {due} Uhr.\n"
        "Von diesem Laptop ist noch keine Synchronisierung beim Server angekommen."
    ), tip
    # Something answers that is not a sync server (or another version of it).
    stranger = AnsweringStub(200, tmp_path)
    try:
        move_laptop_to(a, stranger.url)
        assert tip_after_sync() == (
            "Die Antwort des Synchronisierungsservers wurde nicht verstanden: Die Adresse führt "
            "vielleicht zu einem anderen Server, oder auf dem Server läuft eine andere Version "
            "von Welcome Desk. Hält das an, sagen Sie Ihrer Koordination Bescheid." + next_try()
        )
        assert stranger.requests > 0
    finally:
        stranger.close()
    # The sync process meets the store busy: its cause, not its exception, reaches the window.
    move_laptop_to(a, laptops.server.base_url)
    with store_write_locked(a):
        tip = tip_after_sync()
    assert tip == (
        "Die Unterlagen sind gerade belegt: Eine Synchronisierung oder ein anderes "
        "Welcome-Desk-Fenster schreibt in sie. Warten Sie einen Moment, und versuchen Sie es "
        "dann erneut." + next_try()
    )
    window.close()


def test_joining_a_server_with_a_bad_certificate_or_a_fault_says_so(
    qtbot: QtBot, tmp_path: Path, session: Session
) -> None:
    from tests.integration.sync_harness import AnsweringStub

    untrusted = AnsweringStub(201, tmp_path, tls=True)
    faulty = AnsweringStub(500, tmp_path)
    try:
        window, dialog = _join_dialog(qtbot, session)
        type_text(dialog.server, untrusted.url)
        type_text(dialog.code, "7JM7-FX4J-A922-8BB2")
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.error.text().startswith("The sync server's certificate is not valid")
        assert untrusted.requests == 0

        dialog.server.clear()
        type_text(dialog.server, faulty.url)
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.error.text().startswith("The sync server has a fault.")
        assert faulty.requests > 0 and not sync_uc.is_joined(session.store)
        window.close()
    finally:
        untrusted.close()
        faulty.close()


def test_the_laptops_dialog_on_a_laptop_that_does_not_coordinate_says_so(
    qtbot: QtBot, laptops: Laptops
) -> None:
    laptops.new("A")
    # Approved before laptops had roles: its user may manage laptops; the laptop may not.
    b = laptops.new_member("B")
    window, dialog = _laptops_dialog(qtbot, b)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    # The server answered (403): it is not out of reach; and what a coordinator's laptop is.
    assert dialog.error.text() == (
        "The sync server lets only a coordinator's laptop do this: one that joined with a "
        "coordinator's code, or that a coordinator's laptop approved for coordinators. Do it "
        "on such a laptop."
    )
    window.close()


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_after_joining_the_dialog_shows_the_whole_fingerprint_and_what_comes_next(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, lang: str
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.sync_status import FINGERPRINT_STYLE

    laptops.new("A")  # the organisation's first laptop
    b = laptops.account("B")
    set_language(lang)
    window, dialog = _join_dialog(qtbot, b)
    dialog.show()
    type_text(dialog.server, server.base_url)
    type_text(dialog.code, server.enroll("B"))
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    QApplication.processEvents()
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / f"join-dialog-joined-{lang}.png"))
    # Nothing of it cut off: the label has the height its text needs at its width.
    label = dialog.next_steps
    assert label.isVisible() and label.height() >= label.heightForWidth(label.width())
    assert dialog.height() >= dialog.minimumSizeHint().height()
    fingerprint = sync_uc.fingerprint(b.store)
    # Large, on a line of its own, never broken across lines (it is read out and compared).
    shown = dialog.joined_fingerprint
    assert shown.isVisible() and shown.text() == fingerprint and not shown.wordWrap()
    assert shown.styleSheet() == FINGERPRINT_STYLE and fingerprint in shown.accessibleName()
    assert shown.focusPolicy() & Qt.FocusPolicy.TabFocus  # reached by Tab, to be copied
    said = dialog.next_steps.text()
    next_steps = (
        "Tell your coordinator this laptop's fingerprint. When it matches the one on "
        "the coordinator's screen, the coordinator approves this laptop. Then compare "
        "the other way round: after the next sync, File → Confirm the coordinator's "
        "laptop asks for the fingerprint shown on the coordinator's laptop."
    )
    assert _(next_steps) != next_steps and _(next_steps) in said  # translated
    window.close()


def test_the_status_bar_claims_online_only_after_reaching_the_server(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    a = laptops.new("A")
    people.register_person(a.store, a.user, PersonDraft("Elena", "Radu"))
    server.stop()  # the laptop opens where there is no network
    window, controller = _window(qtbot, a)
    qtbot.waitUntil(lambda: "to send" in controller.label.text(), timeout=30_000)
    # Nothing has tried the server yet: neither "Online" nor a sync that never was.
    text = controller.label.text()
    assert text.startswith("Not synced yet · ") and "Online" not in text

    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        assert controller.start()
    assert controller.label.text().startswith("Offline · ")

    server.start()
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        assert controller.start()
    text = controller.label.text()
    assert text.startswith("Online · last sync ") and "0 changes to send" in text

    # A window opened later, before its first sync: when the last one was, not "Online".
    window.close()
    server.stop()
    again, later = _window(qtbot, a)
    qtbot.waitUntil(lambda: "to send" in later.label.text(), timeout=30_000)
    assert later.label.text().startswith("Last sync ") and "Online" not in later.label.text()
    again.close()


def test_the_first_sync_comes_soon_after_the_window_opens_and_the_timer_restarts(
    qtbot: QtBot, laptops: Laptops
) -> None:
    """The program asks for its first sync right after opening (a laptop back from days
    offline), not only when the regular timer first fires a minute later."""
    a = laptops.new("A")
    people.register_person(a.store, a.user, PersonDraft("Elena", "Radu"))
    window, controller = _window(qtbot, a)
    assert controller.timer.remainingTime() > 30_000  # the regular one: far off
    with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
        controller.start_soon(10)
    assert sync_uc.status(a.store).pending_changes == 0  # Elena reached the server
    assert controller.label.text().startswith("Online · last sync ")
    # The next automatic sync is a whole interval after this one, not right after it.
    assert controller.timer.remainingTime() > 30_000
    window.close()


def test_in_romanian_the_user_is_not_called_connected_beside_offline(
    qtbot: QtBot, session: Session
) -> None:
    set_language("ro")
    window, controller = _window(qtbot, session)
    controller.last_error = _("Offline")
    controller.show_status(sync_uc.SyncStatus(True, "https://x", True, 0, "", 0))
    # "Conectat: Anna  Offline" read as "connected" and "offline" at once.
    assert window.status_user.text() == "Utilizator: Anna Schmidt"
    assert controller.label.text().startswith("Offline")


def _access_keys(texts: list[str]) -> list[str]:
    """The access key (the letter after a single "&") of each text that has one."""
    import re

    keys = []
    for text in texts:
        found = re.search(r"&([^&\s])", text.replace("&&", ""))
        if found:
            keys.append(found.group(1).lower())
    return keys


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_the_laptops_dialog_reaches_the_fingerprint_field_by_its_own_access_key(
    qtbot: QtBot, laptops: Laptops, lang: str
) -> None:
    from PySide6.QtWidgets import QPushButton

    a = laptops.new("A")
    set_language(lang)
    window, dialog = _laptops_dialog(qtbot, a)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    # Labelled where it stays visible while typing (a placeholder goes at the first key).
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is dialog.fingerprint)
    assert label.isVisibleTo(dialog) and "&" in label.text()
    texts = [label.text()] + [b.text() for b in dialog.findChildren(QPushButton)]
    keys = _access_keys(texts)
    assert len(keys) == len(set(keys)), texts
    window.close()


def test_a_member_laptop_says_why_it_cannot_publish_and_where_its_own_publication_went(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """A laptop the server lists as a team member's: the directory window says at once that it
    cannot publish, and whom to ask; a publication made before it joined is withdrawn at its
    first sync (the team's applies), and the status bar says so and where its copy is."""
    from desktop_app.ui.directory import DirectoryDialog, FormsDialog
    from desktop_app.usecases import reference

    a = laptops.new("A")
    b = laptops.account("B")
    try:
        reference.publish_directory(b.store, b.user, reference.shipped_directory_files(), "alt")
        sync_uc.join(b.store, server.base_url, server.enroll("B"), "B")
        # Every right on B, a member's laptop on the server (approved before roles).
        approve_and_confirm(a, b, role=Role.ADVISOR)
        as_before_roles(server, a, b)
        set_language("de")
        dialog = DirectoryDialog(b)
        qtbot.addWidget(dialog)
        dialog.show()
        reason = (
            "Bitten Sie Ihre Koordination, die Änderung von ihrem Laptop aus zu veröffentlichen."
        )
        assert not dialog.publish_button.isEnabled()
        assert reason in dialog.message.text() and reason in dialog.publish_button.toolTip()
        folder = tmp_path / "edited"
        assert dialog.export_to(folder)  # exporting to look at it is fine
        assert not dialog.publish_from(folder)
        assert reason in dialog.error.text() and dialog.error.isVisible()
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "directory-member.png"))
        forms = FormsDialog(b)
        qtbot.addWidget(forms)
        assert not forms.publish_button.isEnabled() and reason in forms.message.text()
        window, controller = _window(qtbot, b, 1366)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        qtbot.waitUntil(
            lambda: "1 eigene Veröffentlichung zurückgezogen" in controller.label.text(),
            timeout=30_000,
        )
        assert "bleibt auf diesem Laptop" not in controller.label.text()  # nothing held back
        tip = controller.label.toolTip()
        kept_in = controller.withdrawn[reference.SERVICES]
        assert "Verzeichnis der Stellen, das dieser Laptop selbst" in tip and kept_in in tip
        assert (Path(kept_in) / "jobcenter.yaml").is_file()
        assert reference.published_directory(b.store) is None  # the team's: none published
        if SHOTS:  # once the status bar has laid out the longer text
            qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
            window.grab().save(str(Path(SHOTS) / "status-member-publication.png"))
        # Said while the window is open, though the next sync withdraws nothing more.
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        # (sync_finished comes once the status bar shows the state after the sync)
        assert "1 eigene Veröffentlichung zurückgezogen" in controller.label.text()
        assert reference.published_directory(a.store) is None
        sync_uc.sync_now(a.store)
        assert reference.published_directory(a.store) is None
    finally:
        set_language("en")


def _access_key(text: str) -> str | None:
    at = text.replace("&&", "").find("&")
    return text.replace("&&", "")[at + 1].lower() if at >= 0 else None


def _hide_key_is_its_own(window: MainWindow) -> bool:
    """Whether the clock banner's "Hide" has an access key that no menu and no other button in
    sight has (two would make Alt+key pick one of them in turn)."""
    hide = window.sync.clock.banner.hide_button  # type: ignore[attr-defined]
    texts = [a.text() for a in window.menuBar().actions()]
    texts += [b.text() for b in window.findChildren(QPushButton) if b.isVisible()]
    keys = [_access_key(t) for t in texts if _access_key(t)]
    assert hide.isVisible() and _access_key(hide.text()) is not None, hide.text()
    return keys.count(_access_key(hide.text())) == 1


def test_a_wrong_clock_shows_a_banner_until_a_sync_finds_it_right(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """Offsets measured by real syncs (the server's Date header, shifted by a proxy): none
    under five minutes, a banner for three days ahead and for two hours behind; a sync that
    fails leaves it, one that finds the clock right takes it away."""
    from desktop_app.i18n.messages import clock_warning
    from tests.integration.sync_harness import CuttingProxy, move_laptop_to

    a = laptops.new("A")
    # The window syncs in a process of its own: its clock is ahead of the server's by as much
    # as the proxy puts the server's Date header back.
    proxy = CuttingProxy(server.base_url)
    proxy.date_shift_s = 2 * 60  # off, but by less than the five minutes warned of
    move_laptop_to(a, proxy.url)
    try:
        people.register_person(a.store, a.user, PersonDraft("Elena", "Radu"))
        set_language("en")
        window, controller = _window(qtbot, a, 1100)
        banner, indicator = controller.clock.banner, controller.clock.indicator

        def sync() -> object:
            with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
                assert controller.start()
            return done.args[0]

        assert banner.isHidden() and indicator.isHidden()
        report = sync()
        assert not isinstance(report, Exception), report
        assert report.pushed >= 1  # type: ignore[attr-defined]
        assert report.clock_offset_ms is None  # type: ignore[attr-defined]
        assert banner.isHidden() and indicator.isHidden()

        proxy.date_shift_s = 3 * 24 * 3600
        report = sync()
        offset = report.clock_offset_ms  # type: ignore[attr-defined]
        assert offset is not None
        qtbot.waitUntil(lambda: "0 changes to send" in controller.label.text(), timeout=30_000)
        assert controller.label.text().startswith("Online · ")  # the sync went on as always
        assert banner.isVisible() and indicator.isHidden()
        assert banner.plain_text() == clock_warning(offset)
        assert banner.plain_text().startswith(
            "This laptop's clock is 3 days ahead of the server. Set the date and time right"
        )
        assert "<b>This laptop's clock is 3 days ahead of the server.</b>" in banner.text.text()
        assert banner.accessibleName() == "Warning"
        assert banner.accessibleDescription() == banner.plain_text()
        assert banner.hide_button.accessibleDescription() == banner.plain_text()
        # Across the top of the content, above the list and the person's page.
        top = banner.mapTo(window, banner.rect().bottomLeft()).y()
        assert top < window.search.mapTo(window, window.search.rect().topLeft()).y()
        central = window.centralWidget()
        assert central is not None and banner.width() >= central.width() - 1

        # In the language chosen meanwhile.
        window.switch_language("de")
        assert banner.plain_text().startswith("Die Uhr dieses Laptops geht 3 Tage")
        window.switch_language("en")

        # A sync that does not get through says nothing about the clock: the banner stays.
        proxy.cut = True
        assert isinstance(sync(), Exception)
        assert banner.isVisible() and "3 days ahead" in banner.plain_text()

        # Two hours behind.
        proxy.restore()
        proxy.date_shift_s = -2 * 3600
        report = sync()
        assert report.clock_offset_ms is not None  # type: ignore[attr-defined]
        assert banner.isVisible()
        assert banner.plain_text().startswith("This laptop's clock is 2 hours behind the server.")

        # The clock put right: the next sync takes the banner away.
        proxy.date_shift_s = 0
        report = sync()
        assert report.clock_offset_ms is None  # type: ignore[attr-defined]
        assert banner.isHidden() and indicator.isHidden()
        window.close()
    finally:
        proxy.close()


def test_the_clock_banner_hides_to_the_status_bar_and_comes_back_by_keyboard(
    qtbot: QtBot, session: Session
) -> None:
    from desktop_app.domain.clock_check import DAY_MS, MINUTE_MS

    window, controller = _window(qtbot, session, 1100)
    window.activateWindow()  # access keys go to the active window
    qtbot.waitUntil(window.isActiveWindow)
    clock = controller.clock
    banner, indicator = clock.banner, clock.indicator
    clock.after_sync(3 * DAY_MS)
    assert banner.isVisible() and indicator.isHidden()
    assert banner.hide_button.text() == "Hide &warning"
    person = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu"))
    window.show_person(person.id)
    qtbot.waitUntil(window.person_page.more_button.isVisible, timeout=30_000)
    assert _hide_key_is_its_own(window)
    window.search.setFocus()

    # Alt+W from wherever the focus is: the short note in the status bar, focused.
    qtbot.keyClick(window.search, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(banner.isHidden)
    assert indicator.isVisible() and indicator.text() == "Clock 3 days ahead"
    assert window.statusBar().isAncestorOf(indicator)
    assert indicator.accessibleName() == "Clock 3 days ahead"
    assert indicator.accessibleDescription() == (
        "This laptop's clock is 3 days ahead of the server. Shows the clock warning again."
    )
    assert indicator.width() >= indicator.sizeHint().width()  # whole
    assert QApplication.focusWidget() is indicator

    # Still wrong at the next sync: it stays hidden for the session.
    clock.after_sync(3 * DAY_MS + 40 * MINUTE_MS)
    assert banner.isHidden() and indicator.isVisible()

    # Tab reaches the note from the search box (bounded: the window has some dozens of
    # stops); Space shows the banner again, its button focused (its description is read).
    window.search.setFocus()
    for _step in range(60):
        if QApplication.focusWidget() is indicator:
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is indicator
    qtbot.keyClick(indicator, Qt.Key.Key_Space)
    qtbot.waitUntil(banner.isVisible)
    assert indicator.isHidden()
    assert QApplication.focusWidget() is banner.hide_button

    # Hidden again, then the clock found right: nothing; wrong again later: the banner in
    # full, as a new problem.
    qtbot.keyClick(window.search, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(indicator.isVisible)
    clock.after_sync(None)
    assert banner.isHidden() and indicator.isHidden()
    clock.after_sync(4 * MINUTE_MS)  # under the threshold
    assert banner.isHidden() and indicator.isHidden()
    clock.after_sync(-2 * 60 * MINUTE_MS)
    assert banner.isVisible() and indicator.isHidden()
    assert banner.plain_text().startswith("This laptop's clock is 2 hours behind the server.")
    window.close()


@pytest.mark.parametrize(
    ("lang", "lead", "short"),
    [
        (
            "de",
            "Die Uhr dieses Laptops geht 3 Tage gegenüber dem Server vor.",
            "Uhr geht 3 Tage vor",
        ),
        (
            "bg",
            "Часовникът на този лаптоп избързва с 3 дни спрямо сървъра.",
            "Часът: 3 дни напред",
        ),
        (
            "ro",
            "Ceasul acestui laptop este cu 3 zile înaintea serverului.",
            "Ceasul este cu 3 zile înainte",
        ),
    ],
)
def test_the_clock_banner_reads_whole_in_each_language_at_1100_pixels(
    qtbot: QtBot, session: Session, program_font: None, lang: str, lead: str, short: str
) -> None:
    """The warning took four or five lines of the status bar in German and Bulgarian: now a
    banner above the content, every line of it shown, the status bar one line high; hidden,
    a short note in the status bar, whole beside the counts."""
    from desktop_app.domain.clock_check import DAY_MS, HOUR_MS, MINUTE_MS
    from desktop_app.i18n.messages import clock_indicator

    person = people.register_person(session.store, session.user, PersonDraft("Elena", "Radu"))
    set_language(lang)
    try:
        window, controller = _window(qtbot, session, 1100)
        status = controller.label
        # A joined laptop with the counts a busy day shows beside the note; after the
        # window's own reading of the status (not joined), which would replace it.
        qtbot.waitUntil(lambda: status.text() != "", timeout=30_000)
        clock = f"{int(dt.datetime.now().timestamp() * 1000):013d}-00000-{'d' * 8}"
        controller.reached = True
        controller.show_status(sync_uc.SyncStatus(True, "https://x", True, 2, clock, 14))
        banner, indicator = controller.clock.banner, controller.clock.indicator
        controller.clock.after_sync(3 * DAY_MS)
        text = banner.text
        qtbot.waitUntil(lambda: text.height() >= text.heightForWidth(text.width()), timeout=5000)
        qtbot.waitUntil(lambda: status.width() >= status.sizeHint().width(), timeout=5000)
        # Above the list and the page, which move down to make room for it.
        assert window.splitter.y() >= banner.geometry().bottom()
        advice = _("Set the date and time right: changes made here get wrong times.")
        assert advice != "Set the date and time right: changes made here get wrong times."
        assert banner.plain_text() == f"{lead} {advice}"
        assert banner.accessibleName() == _("Warning") != "Warning"
        assert f"<b>{lead}</b>" in text.text()
        hide = banner.hide_button.text()
        assert hide == _("Hide &warning") != "Hide &warning"
        assert text.height() >= text.heightForWidth(text.width())  # no line cut off
        assert banner.hide_button.width() >= banner.hide_button.sizeHint().width()
        bar = window.statusBar()
        line = bar.fontMetrics().lineSpacing()
        assert bar.height() < 3 * line, (bar.height(), line)  # one line, not four
        assert _hide_key_is_its_own(window), lang
        window.show_person(person.id)  # its buttons and their access keys beside the banner
        qtbot.waitUntil(window.person_page.more_button.isVisible, timeout=30_000)
        assert _hide_key_is_its_own(window), lang
        if SHOTS:
            window.grab().save(str(Path(SHOTS) / f"clock-banner-{lang}.png"))

        qtbot.mouseClick(banner.hide_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(indicator.isVisible)
        qtbot.waitUntil(lambda: window.splitter.y() == 0, timeout=5000)  # no gap left
        qtbot.waitUntil(lambda: status.width() >= status.sizeHint().width(), timeout=5000)
        assert status.text().startswith(_("Online"))
        assert indicator.text() == short
        assert indicator.width() >= indicator.sizeHint().width()
        assert indicator.geometry().right() < status.geometry().left()
        assert bar.height() < 3 * line
        if SHOTS:
            window.grab().save(str(Path(SHOTS) / f"clock-banner-hidden-{lang}.png"))
        # The widest notes a wrong clock gives (two-digit minutes and hours, three-digit
        # days) fit as well: the Bulgarian one for 59 minutes used to squeeze the counts.
        for offset in (-59 * MINUTE_MS, 23 * HOUR_MS, -365 * DAY_MS):
            controller.clock.after_sync(offset)  # hidden it stays: the note changes
            assert indicator.isVisible() and indicator.text() == clock_indicator(offset)
            qtbot.waitUntil(lambda: indicator.width() >= indicator.sizeHint().width(), timeout=5000)
            assert status.width() >= status.sizeHint().width(), (indicator.text(), lang)
            assert indicator.geometry().right() < status.geometry().left(), indicator.text()
        controller.clock.after_sync(3 * DAY_MS)
        qtbot.mouseClick(indicator, Qt.MouseButton.LeftButton)
        assert banner.isVisible() and indicator.isHidden()
        window.close()
    finally:
        set_language("en")


def test_the_status_bar_says_once_that_the_server_was_restored_from_a_backup(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """A sync that finds the server restored from an older backup (and sends back what it
    lost) says so in the status bar, in the user's language, for as long as the window is
    open; the syncs after it find nothing more to recover."""
    a = laptops.new("A")
    try:
        sync_uc.sync_now(a.store)
        backup = Backup(server, tmp_path)
        backup.take()
        people.register_person(a.store, a.user, PersonDraft("Elena", "Radu", phone="0176 1"))
        sync_uc.sync_now(a.store)
        backup.restore()
        set_language("de")
        window, controller = _window(qtbot, a, 1366)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        short = "Server aus einer Sicherung wiederhergestellt, Datensätze erneut gesendet"
        qtbot.waitUntil(lambda: short in controller.label.text(), timeout=30_000)
        assert "älteren Sicherung wiederhergestellt" in controller.label.toolTip()
        if SHOTS:
            qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
            window.grab().save(str(Path(SHOTS) / "status-server-restored.png"))
        # Still said after the next sync, which has nothing to recover.
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        assert short in controller.label.text()
        report = sync_uc.sync_now(a.store)
        assert not report.server_restored and report.pushed == 0
    finally:
        set_language("en")


def test_a_laptop_the_restored_server_forgot_joins_again_from_the_file_menu(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops, tmp_path: Path
) -> None:
    """A laptop enrolled after the server's backup is unknown to the restored server: the
    status bar says to join again, the File menu's join action turns into "Join again…" and
    opens the join dialog saying so, in the window opened after a restart as well, before any
    sync of its own; after the coordinator's approval the window's next sync puts what was
    recorded only on this laptop on the server."""

    a = laptops.new("A")
    backup = Backup(server, tmp_path)
    backup.take()
    c = laptops.new("C")
    try:
        only_here = people.register_person(
            c.store, c.user, PersonDraft("Elena", "Radu", phone="0176 1")
        ).id
        sync_uc.sync_now(c.store)
        backup.restore()
        # Recorded while the server no longer knows the laptop: it cannot send it yet.
        after_restore = people.register_person(
            c.store, c.user, PersonDraft("Ivan", "Petrov", phone="0176 2")
        ).id
        set_language("de")
        window, controller = _window(qtbot, c, 1366)
        # Joined, and the server knows it (as far as this laptop can tell)
        qtbot.waitUntil(lambda: not controller.join_action.isEnabled(), timeout=30_000)
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000):
            controller.start()
        qtbot.waitUntil(lambda: controller.join_action.isEnabled(), timeout=30_000)
        assert "kennt diesen Laptop nicht (mehr)." in controller.label.text()
        assert "erneut beitreten (Menü Datei)" in controller.label.text()
        assert "treten Sie erneut bei" in controller.label.toolTip()
        assert controller.join_action.text() == "Der &Organisation erneut beitreten…"
        # Its changes stay here until it has joined again: not "to send", and said after the
        # join hint, which comes first.
        text, n = controller.label.text(), sync_uc.status(c.store).pending_work
        kept = ngettext(
            "{count} change kept on this laptop, sent once it has joined again",
            "{count} changes kept on this laptop, sent once it has joined again",
            n,
        ).format(count=n)
        assert n >= 1 and "sicher auf diesem Laptop, Versand nach dem erneuten Beitritt" in text
        assert text.endswith(kept) and "zu senden" not in text, text
        assert text.index("erneut beitreten (Menü Datei)") < text.index(kept)
        if SHOTS:
            qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
            window.grab().save(str(Path(SHOTS) / "status-server-forgot-laptop.png"))
        # The program closed and opened again: the new window knows before it syncs.
        window.close()
        c.close()
        c = log_in(tmp_path / "C", "anna", PASSWORD)
        laptops.sessions.append(c)  # closed with the others
        window, controller = _window(qtbot, c, 1366)
        qtbot.waitUntil(
            lambda: controller.join_action.text() == "Der &Organisation erneut beitreten…",
            timeout=30_000,
        )
        assert controller.join_action.isEnabled()
        assert not controller.running and controller.last_error == ""
        assert "kennt diesen Laptop nicht (mehr)." in controller.label.text()
        assert "erneut beitreten (Menü Datei)" in controller.label.text()
        assert "treten Sie erneut bei" in controller.label.toolTip()
        if SHOTS:
            qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
            window.grab().save(str(Path(SHOTS) / "status-server-forgot-laptop-restarted.png"))
            window.file_menu.popup(window.mapToGlobal(window.rect().topLeft()))
            qtbot.waitExposed(window.file_menu)
            window.file_menu.grab().save(str(Path(SHOTS) / "file-menu-join-again.png"))
            window.file_menu.close()
        controller.join_action.trigger()
        (dialog,) = window.findChildren(JoinDialog)
        assert dialog.windowTitle() == "Der Organisation erneut beitreten"
        assert dialog.intro.isVisible() and dialog.server.text() == server.base_url
        type_text(dialog.code, server.enroll("C"))
        with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
            dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        QApplication.processEvents()
        assert dialog.joined_fingerprint.text() == sync_uc.fingerprint(c.store)
        assert "neuen Fingerabdruck" in dialog.next_steps.text()
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "join-again-dialog.png"))
        dialog.close()
        qtbot.waitUntil(lambda: not controller.join_action.isEnabled(), timeout=30_000)
        assert controller.join_action.text() == "Einer &Organisation beitreten…"
        sync_uc.approve_device(
            a.store, a.user, device_id(c), sync_uc.fingerprint(c.store), role=Role.COORDINATOR
        )
        with qtbot.waitSignal(controller.sync_finished, timeout=30_000) as done:
            controller.start()
        assert not isinstance(done.args[0], Exception), done.args[0]
        assert sync_uc.status(c.store).pending_changes == 0  # all of them sent
        sync_uc.sync_now(a.store)
        assert people.get_person(a.store, a.user, only_here, log_view=False) is not None
        assert people.get_person(a.store, a.user, after_restore, log_view=False) is not None
        window.close()
    finally:
        set_language("en")


def test_a_coordinators_status_bar_says_while_a_laptop_revoked_after_the_backup_can_sync(
    qtbot: QtBot, server: ServerProcess, tmp_path: Path
) -> None:
    """The coordinator's laptop finds the server restored, but cannot revoke B there again (the
    connection drops at it): the status bar says so, in the user's language, until a sync
    has revoked it."""
    from tests.integration.sync_harness import CuttingProxy

    proxy = CuttingProxy(server.base_url)
    group = Laptops(server, tmp_path, url=proxy.url)
    try:
        a, b = group.new("A"), group.new("B")
        sync_uc.sync_now(a.store)
        backup = Backup(server, tmp_path)
        backup.take()
        sync_uc.revoke_device(a.store, a.user, device_id(b))
        sync_uc.sync_now(a.store)
        backup.restore()
        proxy.cut_when = lambda method, path: method == "POST" and path.endswith("/revoke")
        set_language("de")
        window, controller = _window(qtbot, a, 1366)
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000) as done:
            controller.start()
        assert not isinstance(done.args[0], Exception), done.args[0]
        short = "Gesperrte Laptops auf dem Server noch nicht gesperrt"
        qtbot.waitUntil(lambda: short in controller.label.text(), timeout=30_000)
        assert "konnte sie dort noch nicht erneut sperren" in controller.label.toolTip()
        if SHOTS:
            qtbot.waitUntil(lambda: controller.label.width() >= controller.label.sizeHint().width())
            window.grab().save(str(Path(SHOTS) / "status-revoke-again-pending.png"))
        proxy.restore()
        with qtbot.waitSignal(controller.sync_finished, timeout=60_000):
            controller.start()
        qtbot.waitUntil(lambda: short not in controller.label.text(), timeout=30_000)
        assert server.device_status(device_id(b)) == "revoked"
        window.close()
    finally:
        set_language("en")
        group.close()
        proxy.close()


def _clock(days_ago: int = 0) -> str:
    when = dt.datetime.now() - dt.timedelta(days=days_ago)
    return f"{int(when.timestamp() * 1000):013d}-00000-{'d' * 8}"


@pytest.mark.parametrize("lang", ["de", "bg", "ro"])
def test_a_status_too_long_for_a_small_laptop_ends_in_an_ellipsis_and_says_what_to_do_first(
    qtbot: QtBot, session: Session, program_font: None, lang: str
) -> None:
    """At 1100 px the status bar cut the line off mid-word without a sign: in German and
    Bulgarian a laptop the server no longer knows lost "join again (File menu)", the one
    thing to do, behind the counts. Now the hint follows the refusal it answers, and a line
    still too long ends in "…" with the whole of it in the tooltip. What else is to be done
    (confirm the coordinator's laptop, finish renewing the team key) comes before the counts
    as well: the Bulgarian renewal note lost where to go."""
    from dataclasses import replace

    from PySide6.QtCore import QEvent, QPoint

    set_language(lang)
    try:
        window, controller = _window(qtbot, session, 1100)
        status = controller.label
        qtbot.waitUntil(lambda: status.text() != "", timeout=30_000)  # the window's own reading
        refusal = sync_uc.SyncStatus(True, "https://x", True, 5, _clock(3), 0)
        key_work = sync_uc.SyncStatus(True, "https://x", True, 5, _clock(3), 2)
        for name, state, hint in (
            ("unauthorized", replace(refusal, refused="unauthorized"), "join again (File menu)"),
            # Revoked, the changes' count says it: they wait on this laptop until it joins again.
            (
                "revoked",
                replace(refusal, refused="revoked"),
                "{count} changes kept on this laptop until it joins again (File menu)",
            ),
            (
                "renewal",
                replace(key_work, renewal_unfinished=True),
                "team key renewal not finished (File → Laptops of the organisation)",
            ),
            (
                "unconfirmed",
                replace(key_work, unconfirmed_senders=("Laptop Koordination Nordstadt",)),
                "confirm “{name}” by its fingerprint (File menu)",
            ),
        ):
            controller.show_status(state)
            named = {"name": "Laptop Koordination Nordstadt", "count": 5}
            if name == "revoked":
                english = hint.format(**named)
                hint = ngettext(hint.replace("changes", "change", 1), hint, 5).format(**named)
            else:
                english, hint = hint.format(**named), _(hint).format(**named)
            text = status.text()
            assert hint in text and hint != english
            if name == "revoked":
                assert text.startswith(_("This laptop is revoked") + " · "), text
            elif state.refused:
                assert text.startswith(sync_uc_refusal(state.refused)), text
            shown_up_to_hint = text[: text.index(hint) + len(hint)]
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)  # laid out anew
            width = status.contentsRect().width()
            assert status.fontMetrics().horizontalAdvance(shown_up_to_hint) <= width, (lang, text)
            if name == "unauthorized":
                # Its changes cannot go before it has joined again: kept here, and shown whole
                # after the hint (the refusal before it gives its room up first).
                kept = ngettext(
                    "{count} change kept on this laptop, sent once it has joined again",
                    "{count} changes kept on this laptop, sent once it has joined again",
                    5,
                ).format(count=5)
                assert kept != english and text.endswith(kept), text
                shown = status.shown_text(width)
                assert shown.endswith(kept) and f" · {hint} · " in shown, shown
            if SHOTS:
                window.grab().save(str(Path(SHOTS) / f"status-{name}-1100-{lang}.png"))

        # A busy day: every note at once is wider than any laptop's screen.
        controller.reached = True
        controller.server_restored = True
        controller.show_status(
            sync_uc.SyncStatus(True, "https://x", True, 4, _clock(), 1, held_back=1, need_update=2)
        )
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
        assert status.sizeHint().width() > status.width()
        assert status.elided()
        tip = tooltip_at(status, QPoint(5, status.height() // 2))
        assert tip.startswith(status.text() + "\n"), tip  # the whole line, then the notes
        assert _("Online") in tip and status.toolTip() in tip
        if SHOTS:
            window.grab().save(str(Path(SHOTS) / f"status-elided-1100-{lang}.png"))
        # Wide enough: no ellipsis, and the tooltip only explains.
        window.resize(4000, 700)
        qtbot.waitUntil(lambda: status.width() >= status.sizeHint().width(), timeout=5000)
        assert not status.elided() and status.tip() == status.toolTip()
        window.close()
    finally:
        set_language("en")


def sync_uc_refusal(code: str) -> str:
    """The first sentence the status bar shows for a refusal (``refused_message``)."""
    from desktop_app.ui.sync_status import refused_message

    return refused_message(code).partition(". ")[0]


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_file_menu_uses_each_access_key_once_also_when_it_offers_to_join_again(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """German "&Erneut beitreten…" shared E with "Jetzt sp&erren": Alt+D, E went to one of
    them in turn."""
    set_language(lang)
    try:
        window, controller = _window(qtbot, session)
        qtbot.waitUntil(lambda: controller.label.text() != "", timeout=30_000)
        for refused in ("", "unauthorized"):
            controller.show_status(
                sync_uc.SyncStatus(True, "https://x", True, 0, _clock(), 0, refused=refused)
            )
            assert controller.forgotten == bool(refused)
            texts = [a.text() for a in window.file_menu.actions() if a.text()]
            assert controller.join_action.text() in texts
            keys = _access_keys(texts)
            assert len(keys) == len(texts), texts  # every entry has one
            assert len(set(keys)) == len(keys), (lang, refused, texts)
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_join_dialog_names_its_button_and_uses_each_access_key_once(
    qtbot: QtBot, session: Session, lang: str
) -> None:
    """Its button said "OK" beside "Close", with no access key; it says what it does now."""
    from tests.ui.test_keyboard_ui import _keyed_texts

    set_language(lang)
    try:
        window, controller = _window(qtbot, session)
        for again in (False, True):
            dialog = JoinDialog(controller, window, again=again)
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            join = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
            assert join.text() == _("&Join") != "&Join" or lang == "en"
            assert join.width() >= join.sizeHint().width()
            texts = _keyed_texts(dialog)
            assert join.text() in texts and len(texts) == 4, texts  # the three fields' labels
            keys = _access_keys(texts)
            assert len(set(keys)) == len(keys), (lang, texts)
            dialog.close()
        window.close()
    finally:
        set_language("en")


def test_in_romanian_the_status_bar_says_what_to_do_in_the_words_of_the_file_menu(
    qtbot: QtBot, session: Session
) -> None:
    """Its hints said "alăturați-vă din nou", "confirmați …" (plural) for the File menu's
    "Alătură-te din nou…", "Confirmă laptopul coordonatorului…": commands are in the second
    person singular in Romanian, as in the menu they point to."""
    set_language("ro")
    try:
        window, controller = _window(qtbot, session)
        qtbot.waitUntil(lambda: controller.label.text() != "", timeout=30_000)
        controller.show_status(
            sync_uc.SyncStatus(
                True, "https://x", True, 0, _clock(), 0, ("A",), refused="unauthorized"
            )
        )
        parts = controller.label.text().split(" · ")

        def menu_words(text: str) -> str:
            return text.replace("&", "").rstrip("…").lower()

        join = menu_words(controller.join_action.text())
        assert join == "alătură-te din nou"
        assert any(p.lower().startswith(join + " (meniul fișier)") for p in parts), parts
        confirm = menu_words(controller.confirm_action.text()).split()[0]
        assert confirm == "confirmă"
        assert any(p.startswith(confirm + " „A”") for p in parts), parts
        window.close()
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "4 Dec, 09:30"),
        ("de", "4. Dez., 09:30"),
        ("bg", "4.12., 9:30"),
        ("ro", "4 dec., 09:30"),
    ],
)
def test_an_old_sync_is_dated_day_first(lang: str, shown: str) -> None:
    """English said "Dec 4 09:30"; the time is written as every table writes it (bg "9:30")."""
    set_language(lang)
    try:
        when = dt.datetime(2026, 12, 4, 9, 30)
        assert last_sync_time(when.timestamp(), now=dt.datetime(2026, 12, 6, 8, 0)) == shown
    finally:
        set_language("en")


def test_the_laptops_dialog_shows_each_laptops_line_whole(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """At a fixed 640 px a laptop's line with a longer name ran past the list's edge (its
    version, "dieser Laptop" cut off behind a sideways scroll bar). The dialog is as wide as
    its longest line (the screen allowing: the tests' offscreen screen is 800 px wide)."""
    set_language("de")
    a = laptops.new("Koordination Innenstadt")
    laptops.new("Laptop Beratungsbus Gesundheitsamt Dortmund-Nord", role=Role.HELPER)
    window, dialog = _laptops_dialog(qtbot, a)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any(t.endswith(" · dieser Laptop") for t in items)
    texts = [line for item in items for line in item.split("\n")]  # the last sync below
    metrics = dialog.list.fontMetrics()
    assert max(metrics.horizontalAdvance(t) for t in texts) > 600  # wider than it was
    qtbot.waitUntil(lambda: dialog.list.viewport().width() > 0)
    for text in texts:
        assert metrics.horizontalAdvance(text) <= dialog.list.viewport().width(), text
    assert dialog.list.horizontalScrollBar().maximum() == 0
    window.close()


def test_the_laptops_dialogs_lines_fit_an_800_px_screen_in_bulgarian(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """A laptop's line (name · status · role · fingerprint · version) was wider than the
    offscreen screen's 800 px in Bulgarian: cut off behind a sideways scroll bar. The
    fingerprint and version are on the line below, with the last sync."""
    set_language("bg")
    a = laptops.new("Координация Център")
    b = laptops.new("Лаптоп Мобилна консултация Север", role=Role.HELPER)
    laptops.sync(b)  # its last sync on the line below
    waiting = laptops.account("C")
    sync_uc.join(waiting.store, server.base_url, server.enroll("C"), "Лаптоп Социална служба")
    window, dialog = _laptops_dialog(qtbot, a)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 3, timeout=10_000)
    QApplication.processEvents()
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "laptops-800-bg.png"))
    screen = dialog.screen().availableGeometry()
    assert screen.width() == 800
    assert dialog.frameGeometry().width() <= screen.width()
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    metrics = dialog.list.fontMetrics()
    qtbot.waitUntil(lambda: dialog.list.viewport().width() > 0)
    for text in (line for item in items for line in item.split("\n")):
        assert metrics.horizontalAdvance(text) <= dialog.list.viewport().width(), text
    assert dialog.list.horizontalScrollBar().maximum() == 0
    # The fingerprint (compared before anything else) on the line below the name, whole.
    theirs = sync_uc.fingerprint(b.store)
    (line,) = [t for t in items if t.startswith("Лаптоп Мобилна консултация Север · ")]
    assert line.split("\n")[1].strip().startswith(theirs), line
    window.close()


def test_the_laptops_dialog_approves_only_another_laptop_and_only_with_a_fingerprint(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """The approve button was offered for the coordinator's own laptop: with its own
    fingerprint typed it said this laptop was approved and should now confirm the
    coordinator's laptop, itself.
    With no fingerprint typed it said the fingerprint did not match."""
    a = laptops.new("A")
    b = laptops.account("B")
    sync_uc.join(b.store, server.base_url, server.enroll("B"), "B")
    window, dialog = _laptops_dialog(qtbot, a)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.list.count() == 2, timeout=10_000)
    rows = {dialog.list.item(i).text().split(" · ")[0]: i for i in range(dialog.list.count())}
    dialog.list.setCurrentRow(rows["A"])
    type_text(dialog.fingerprint, sync_uc.fingerprint(a.store))
    assert not dialog.approve.isEnabled()
    dialog.list.setCurrentRow(rows["B"])
    assert not dialog.approve.isEnabled()  # who uses it is not chosen yet
    dialog.role_buttons[Role.HELPER].setChecked(True)
    assert dialog.approve.isEnabled()
    dialog.fingerprint.clear()
    assert not dialog.approve.isEnabled()
    type_text(dialog.fingerprint, sync_uc.fingerprint(b.store))
    assert dialog.approve.isEnabled()
    window.close()

"""A helper's laptop is stolen: what the coordinator's Laptops dialog and the guide tell about
the work that never reached the team, and about the team key, with a real server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.sync_status import DevicesDialog, last_sync_time
from desktop_app.usecases import people
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, ServerProcess
from tests.ui.conftest import shown_window

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def _open_laptops(qtbot: QtBot, window: MainWindow) -> DevicesDialog:
    """File → Laptops of the organisation, shown: its first listing is under way."""
    dialog = DevicesDialog(window.sync, window)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _listed(qtbot: QtBot, dialog: DevicesDialog) -> dict[str, str]:
    """The dialog's lines by laptop name, once listed."""
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    return {line.split(" · ")[0]: line for line in lines}


def _revoke(qtbot: QtBot, dialog: DevicesDialog, name: str) -> str:
    """Revoke ``name`` as the coordinator does: select it, press Revoke, confirm. What the
    question asked."""
    row = next(i for i in range(dialog.list.count()) if dialog.list.item(i).text().startswith(name))
    dialog.list.setCurrentRow(row)
    dialog.revoke.click()
    question = dialog.revoke_question
    assert question is not None
    asked = question.text()
    confirm = next(
        b for b in question.buttons() if question.buttonRole(b) != QMessageBox.ButtonRole.RejectRole
    )
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):  # revoked, renewed, listed
        confirm.click()
    return asked


def test_revoking_a_stolen_laptop_says_since_when_its_work_never_reached_the_team(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    coordinator, stolen = laptops.new("Koordination"), laptops.new("Laptop Ioana")
    laptops.sync(coordinator, stolen)
    # Recorded on the helper's laptop after its last sync: it never reaches the server.
    people.register_person(stolen.store, stolen.user, PersonDraft("Nicoleta", "Nesincronizat"))
    # When the server last saw it, as the server's own records say.
    (info,) = [d for d in server.service.list_devices().devices if d.name == "Laptop Ioana"]
    assert info.last_seen_at is not None
    when = last_sync_time(dt.datetime.fromisoformat(info.last_seen_at).timestamp())
    set_language("de")
    window = shown_window(qtbot, coordinator)
    dialog = _open_laptops(qtbot, window)
    lines = _listed(qtbot, dialog)
    # Each other laptop says when it last reached the server, on the line below, after its
    # fingerprint (this laptop's last sync is in the status bar).
    below = lines["Laptop Ioana"].split("\n")[1]
    assert below.endswith(f" · Zuletzt synchronisiert {when}"), lines
    assert "synchronisiert" not in lines["Koordination"]

    asked = _revoke(qtbot, dialog, "Laptop Ioana")
    # A broken laptop revoked after its backup was restored on the new one: the new one was
    # refused too, and nothing had said so before the revoke.
    assert asked.endswith(
        "\n\nEin Laptop, dessen Sicherung auf einem Ersatzgerät wiederhergestellt wurde, ist für "
        "den Server derselbe Laptop: Wird er gesperrt, ist auch das Ersatzgerät gesperrt; es "
        "tritt dann mit einem neuen Anmeldecode wieder bei."
    ), asked
    said = dialog.renewed.text()
    assert said.startswith("„Laptop Ioana“ ist gesperrt"), said
    assert f"nach seiner letzten Synchronisierung ({when}) erfasst wurde" in said, said
    assert "ebenso wenig die darauf nicht abgeschlossenen Formulare" in said  # drafts never sync
    assert "neuen Anmeldecode" in said and "Ein neuer Teamschlüssel ist in Gebrauch." in said
    assert not dialog.error.text()
    # The revoked line keeps its last sync: what was lost stays readable afterwards.
    assert f"Zuletzt synchronisiert {when}" in _listed(qtbot, dialog)["Laptop Ioana"]
    dialog.close()
    window.close()


def test_a_laptop_that_never_synced_is_revoked_with_nothing_of_it_on_the_server(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """Approved, and stolen before its first sync: the coordinator learns that nothing of it
    reached the server, in Romanian too."""
    from tests.integration.sync_harness import device_id

    coordinator = laptops.new("Koordination")
    sync_uc.sync_now(coordinator.store)
    fresh = laptops.account("Laptop nou")
    joined = sync_uc.join(fresh.store, server.base_url, server.enroll("Laptop nou"), "Laptop nou")
    assert joined.status == "pending"
    sync_uc.approve_device(
        coordinator.store,
        coordinator.user,
        device_id(fresh),
        sync_uc.fingerprint(fresh.store),
        role=Role.COORDINATOR,
    )
    set_language("ro")
    window = shown_window(qtbot, coordinator)
    dialog = _open_laptops(qtbot, window)
    lines = _listed(qtbot, dialog)
    assert "sincronizare" not in lines["Laptop nou"], lines
    _revoke(qtbot, dialog, "Laptop nou")
    said = dialog.renewed.text()
    assert "„Laptop nou” nu s-a sincronizat niciodată" in said, said
    dialog.close()
    window.close()


def test_a_laptop_the_operator_revoked_asks_the_coordinator_to_renew_the_team_key(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """The coordinator is away; the server's operator revokes the stolen laptop with
    ``welcome-desk-server revoke``, which renews no key. The Laptops dialog listed it as revoked
    and nothing said that it still held the key in use, so that nobody renewed it."""
    from tests.integration.sync_harness import active_key_id, device_id, keyring_of, run_cli

    coordinator, stolen = laptops.new("Koordination"), laptops.new("Laptop Ioana")
    other = laptops.new("Laptop Mihai")
    laptops.sync()
    done = run_cli(server.db_url, "revoke", device_id(stolen))
    assert done.stdout.startswith(f"revoked {device_id(stolen)} (Laptop Ioana)")
    assert "The team key is not renewed yet" in done.stdout and "Renew the team key" in done.stdout
    set_language("de")
    window = shown_window(qtbot, coordinator)
    dialog = _open_laptops(qtbot, window)
    assert "gesperrt" in _listed(qtbot, dialog)["Laptop Ioana"]
    assert dialog.key_still_held.isVisible()
    said = dialog.key_still_held.text()
    assert said.startswith("„Laptop Ioana“ ist gesperrt, aber der Teamschlüssel"), said
    assert "Laptop Mihai" not in said and "Koordination" not in said
    # The key the stolen laptop holds is the one in use until the coordinator renews it.
    assert active_key_id(coordinator) in keyring_of(stolen)
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.renew.click()
    assert dialog.key_still_held.isHidden() and not dialog.error.text()
    assert active_key_id(coordinator) not in keyring_of(stolen)
    laptops.sync(other)
    assert active_key_id(other) == active_key_id(coordinator)
    # Listed again (the dialog opened anew), nothing is left to do.
    dialog.close()
    again = _open_laptops(qtbot, window)
    _listed(qtbot, again)
    assert again.key_still_held.isHidden()
    again.close()
    window.close()


def test_the_guide_says_what_a_stolen_laptop_costs_and_how_its_user_goes_on(
    qtbot: QtBot, session: Session
) -> None:
    """Help → Guide, read by a helper (in Romanian) and by the coordinator (in German) after a
    theft: what was lost with the laptop, what protects the data on it, and the steps."""
    from desktop_app.domain.users import Role
    from desktop_app.ui.help import open_guide
    from desktop_app.usecases import accounts

    accounts.add_user(session, "ioana", "Ioana Popescu", Role.HELPER, "helper pass 77")
    helper = accounts.log_in(session.store.paths.data_dir, "ioana", "helper pass 77")
    set_language("ro")
    text = " ".join(open_guide(shown_window(qtbot, helper)).browser.toPlainText().split())
    assert "după ultima sa sincronizare nu a ajuns la echipă" in text, text
    assert "și nici formularele nefinalizate de pe el" in text
    assert "nimeni nu poate citi datele de pe el" in text
    helper.close()
    set_language("de")
    text = " ".join(open_guide(shown_window(qtbot, session)).browser.toPlainText().split())
    assert "Ein verlorener oder gestohlener Laptop:" in text
    assert "mit einem neuen Anmeldecode bei" in text
    assert "Verwaltung → Benutzer…" in text


def test_a_revoked_laptop_found_again_is_told_so_and_joins_again_under_its_name(
    qtbot: QtBot, server: ServerProcess, laptops: Laptops
) -> None:
    """The stolen laptop turns up again, with the helper's unsent work on it. Its join-again
    dialog said the server no longer knew it, and offered the computer's name, under which the
    coordinator was then asked to approve an unknown laptop."""
    from desktop_app.ui.sync_status import JoinDialog
    from tests.integration.sync_harness import device_id

    coordinator, found = laptops.new("Koordination"), laptops.new("Laptop Ioana")
    laptops.sync(coordinator, found)
    unsent = people.register_person(found.store, found.user, PersonDraft("Nicoleta", "Găsită"))
    sync_uc.revoke_device(coordinator.store, coordinator.user, device_id(found))
    set_language("ro")
    window = shown_window(qtbot, found)
    with qtbot.waitSignal(window.sync.sync_finished, timeout=30_000):  # type: ignore[attr-defined]
        assert window.sync.start()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: window.sync.forgotten, timeout=30_000)  # type: ignore[attr-defined]
    dialog = JoinDialog(window.sync, window, again=True)  # type: ignore[attr-defined]
    qtbot.addWidget(dialog)
    dialog.show()
    intro = dialog.intro.text()
    assert intro.startswith("Acest laptop a fost revocat"), intro
    assert "nu mai cunoaște" not in intro
    assert dialog.name.text() == "Laptop Ioana"
    dialog.code.setText(server.enroll("Laptop Ioana"))
    with qtbot.waitSignal(dialog.calls.idle, timeout=30_000):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert not dialog.error.text()
    pending = [d for d in server.service.list_devices().devices if d.status == "pending"]
    assert [d.name for d in pending] == ["Laptop Ioana"]
    dialog.close()
    window.close()
    # Approved again (it trusts the coordinator's laptop already), it sends what was recorded
    # on it while it was away.
    sync_uc.approve_device(
        coordinator.store,
        coordinator.user,
        device_id(found),
        sync_uc.fingerprint(found.store),
        role=Role.COORDINATOR,
    )
    laptops.sync(found, coordinator)
    assert people.get_person(coordinator.store, coordinator.user, unsent.id) is not None

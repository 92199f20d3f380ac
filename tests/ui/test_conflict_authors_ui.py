"""Who set each value of a conflict: on a laptop several people share, the dialog names the
account that made this laptop's change (from the audit log, which syncs with the records);
accounts stay on their laptop, so another laptop's change is named by its laptop, and its user
as the audit log names them: their id and the role the log's entry carries, never a name."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.domain.users import Role
from desktop_app.i18n.text import set_language
from desktop_app.ui.conflicts import ConflictsDialog
from desktop_app.usecases import accounts, visits
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import Laptops, add_person, edit_person
from tests.ui.conftest import shown_window
from tests.unit.test_visits import full_life_situation

PASSWORD = "student pass 7"


def test_the_dialog_says_who_on_this_laptop_changed_each_value(
    qtbot: QtBot, laptops: Laptops, shots: Path
) -> None:
    a, b = laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    accounts.add_user(b, "georgi", "Georgi Ivanov", Role.HELPER, PASSWORD)
    helper = accounts.log_in(b.store.paths.data_dir, "georgi", PASSWORD)
    laptops.sessions.append(helper)
    pid = add_person(a, "Elena", "Radu", phone="0176 1111111")
    answers = full_life_situation()
    visit = visits.finish_visit(a.store, a.user, pid, "life_situation", answers)
    laptops.sync(a, b)
    # Offline: A's advisor and, on B, the helper change the phone and the address registration.
    edit_person(a, pid, phone="0176 2222222")
    visits.edit_visit(a.store, a.user, visit.id, {**answers, "address_registration": "appointment"})
    edit_person(helper, pid, phone="0176 3333333")
    seen = visits.get_visit(helper.store, helper.user, visit.id)
    assert seen is not None
    visits.edit_visit(
        helper.store,
        helper.user,
        visit.id,
        {**seen.answers, "address_registration": "registered"},
    )
    # Right after, B's coordinator changes another field of hers: the phone stays Georgi's.
    edit_person(b, pid, notes="Termin beim Jobcenter")
    laptops.sync(a, b, a)

    on_b = {c.field: c for c in sync_uc.open_conflicts(b.store, helper.user)}
    assert set(on_b) == {"phone", "answers/address_registration"}
    for c in on_b.values():
        mine = 0 if c.kept_clock.endswith(b.store.device_id) else 1
        assert (c.kept_by, c.other_by)[mine] == "Georgi Ivanov"
        assert (c.kept_by, c.other_by)[1 - mine] == ""  # A's accounts are A's own
        # ... known here by the id and the role A's log entry carries
        elsewhere = (c.kept_by_elsewhere, c.other_by_elsewhere)
        assert elsewhere[1 - mine] == (a.user.id, "coordinator")
        assert elsewhere[mine] == ("", None)
        assert (c.kept_laptop, c.other_laptop)[1 - mine] == "Outreach Hbf"
    on_a = {c.field: c for c in sync_uc.open_conflicts(a.store, a.user)}
    for c in on_a.values():
        mine = 0 if c.kept_clock.endswith(a.store.device_id) else 1
        assert (c.kept_by, c.other_by)[mine] == a.user.display_name
        assert (c.kept_by, c.other_by)[1 - mine] == ""

    set_language("ro")
    try:
        window = shown_window(qtbot, helper, 1100)
        window.show_person(pid)
        window.conflict_notice.button.click()  # type: ignore[attr-defined]
        dialog = window.findChild(ConflictsDialog)
        assert dialog is not None
        for row in range(dialog.list.count()):
            dialog.list.setCurrentRow(row)
            said = {
                dialog.kept_changed.text().split(",")[0],
                dialog.other_changed.text().split(",")[0],
            }
            assert said == {
                "modificată de Georgi Ivanov pe acest laptop",
                f"modificată de {a.user.id[:8]} (Coordonator) pe laptopul „Outreach Hbf”",
            }
        dialog.grab().save(str(shots / "conflict-role-elsewhere-ro.png"))
        dialog.reject()
        window.close()
    finally:
        set_language("en")

"""A coordinator's laptop whose registered public key the server's operator swapped: the server
refuses every key it sends (403 ``sender_not_uploader``), so renewing the team key is refused.
The renewal command and ``welcome-desk sync`` say so in the user's language: the server does
not hold this laptop's key as registered, tell the team's administrator (the server may have
been tampered with). They said "The sync server refused the request. If it happens again, ask
your coordinator." (to the coordinator), and then "Renewing the team key was broken off: renew
it again", which the server refused again. Real server process on 127.0.0.1, real stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.domain.users import Role
from desktop_app.i18n.messages import refusal_message
from desktop_app.i18n.text import set_language
from desktop_app.sync import crypto
from desktop_app.sync.http_client import Forbidden
from desktop_app.usecases import audit
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    ServerProcess,
    active_key_id,
    device_id,
    logged_in_again,
    run_desk,
    wrapped_key_ids,
)
from tests.integration.test_laptop_role_change import _server_roles
from tests.integration.test_sync_rotation_trust import _swap_key

SAID = {
    "de": "Der Synchronisierungsserver hat den Schlüssel abgelehnt, den dieser Laptop gesendet "
    "hat: Auf dem Server ist für diesen Laptop nicht der Schlüssel hinterlegt, mit dem er "
    "registriert wurde. Es wurde nichts gespeichert. Informieren Sie die Administration Ihres "
    "Teams: Der Server könnte manipuliert worden sein.",
    "bg": "Сървърът за синхронизиране отказа ключа, изпратен от този лаптоп: на сървъра за този "
    "лаптоп не е записан ключът, с който той е регистриран. Нищо не е съхранено. Уведомете "
    "администратора на Вашия екип: възможно е сървърът да е бил манипулиран.",
    "ro": "Serverul de sincronizare a refuzat cheia trimisă de acest laptop: serverul nu deține "
    "cheia acestui laptop așa cum a fost înregistrată. Nu s-a salvat nimic. Informați "
    "administratorul echipei dumneavoastră: este posibil ca serverul să fi fost manipulat.",
    "en": "The sync server refused the key this laptop sent: it does not hold this laptop's key "
    "as it was registered. Nothing was stored. Tell your team's administrator: the server may "
    "have been tampered with.",
}


def test_a_renewal_refused_as_not_this_laptops_key_says_so_until_one_goes_through(
    laptops: Laptops, server: ServerProcess, tmp_path: Path
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync()
    in_use = active_key_id(a)
    own = sync_uc.device_keys(a.store)
    _swap_key(server, a, crypto.DeviceKeys.generate())
    a.close()  # the command line opens the laptop's store itself
    folder = str(tmp_path / "A")
    renewal = run_desk("keys", "rotate", "--data-dir", folder, lang="de", password=PASSWORD)
    assert renewal.returncode != 0
    assert renewal.stderr.strip() == SAID["de"], renewal.stderr
    # The next sync goes through, and says it again rather than "renew it again".
    synced = run_desk("sync", "--data-dir", folder, lang="bg", password=PASSWORD)
    assert synced.returncode == 0, synced.stderr
    assert SAID["bg"] in synced.stderr and "keys rotate" not in synced.stderr, synced.stderr
    again = logged_in_again(a)
    try:
        assert sync_uc.status(again.store).own_key_refused
        with pytest.raises(Forbidden) as refused:
            sync_uc.rotate_team_key(again.store, again.user)
        assert refused.value.code == sync_uc.SENDER_NOT_UPLOADER
        for lang in ("ro", "en"):
            set_language(lang)
            assert refusal_message(refused.value.code) == SAID[lang]
        set_language("en")
        assert active_key_id(again) == in_use
        # Whoever runs the server puts the laptop's own key back: the renewal goes through,
        # and nothing is said of the refusal any more.
        _swap_key(server, again, own)
        rotated = sync_uc.rotate_team_key(again.store, again.user)
        assert active_key_id(again) == rotated.key_id != in_use
        assert not sync_uc.status(again.store).own_key_refused
        laptops.sync(again, b)
        assert active_key_id(b) == rotated.key_id
    finally:
        set_language("en")
        again.close()


def test_approving_or_changing_a_laptops_role_refused_as_not_this_laptops_key_says_so(
    laptops: Laptops, server: ServerProcess, tmp_path: Path
) -> None:
    """Approving a laptop and changing a laptop's role send keys this laptop wrapped, as a
    renewal does: refused the same way, they say the same (``refusal_message``, which the
    Laptops dialog and the command line both take), and nothing is stored, here or there."""
    a = laptops.new("A")
    b = laptops.new("B", role=Role.ADVISOR)
    laptops.sync(a, b)
    n = laptops.new("N", approve=False)
    fingerprint = sync_uc.fingerprint(n.store)
    own = sync_uc.device_keys(a.store)
    _swap_key(server, a, crypto.DeviceKeys.generate())

    def nothing_stored() -> None:
        assert server.device_status(device_id(n)) == "pending"
        assert wrapped_key_ids(server, device_id(n)) == set()
        assert _server_roles(server, b) == ("advisor", {"advisor"})

    with pytest.raises(Forbidden) as approval:
        sync_uc.approve_device(a.store, a.user, device_id(n), fingerprint, role=Role.HELPER)
    # Kept, as a renewal's refusal is: the window and the sync say it from now on (they said
    # it only once a renewal had been refused).
    assert sync_uc.status(a.store).own_key_refused
    with a.store.transaction() as session:
        sync_uc.set_meta(session, sync_uc.OWN_KEY_REFUSED, "")
    with pytest.raises(Forbidden) as change:
        sync_uc.change_laptop_role(a.store, a.user, device_id(b), Role.HELPER)
    assert sync_uc.status(a.store).own_key_refused
    assert approval.value.code == change.value.code == sync_uc.SENDER_NOT_UPLOADER
    nothing_stored()
    # Not "broken off: change its role again", which the server refuses again.
    assert sync_uc.unfinished_role_changes(a.store) == []
    a.close()  # the command line opens the laptop's store itself
    folder = str(tmp_path / "A")
    for lang, command in (
        ("de", ["approve", device_id(n)[:8], "--fingerprint", fingerprint, "--role", "helper"]),
        ("bg", ["set-role", device_id(b)[:8], "--role", "helper"]),
    ):
        refused = run_desk("devices", *command, "--data-dir", folder, lang=lang, password=PASSWORD)
        assert refused.returncode != 0
        assert refused.stderr.strip() == SAID[lang], refused.stderr
    nothing_stored()
    again = logged_in_again(a)
    try:
        assert sync_uc.unfinished_role_changes(again.store) == []
        entries = audit.list_entries(again.store, again.user)
        assert [e.action for e in entries if e.record_id == device_id(n)] == []
        assert "change_laptop_role" not in {e.action for e in entries}
        assert sync_uc.status(again.store).own_key_refused
        # The laptop's own key put back: a role change that goes through clears it, as a
        # renewal's does, and so does an approval.
        _swap_key(server, again, own)
        sync_uc.change_laptop_role(again.store, again.user, device_id(b), Role.HELPER)
        assert not sync_uc.status(again.store).own_key_refused
        with again.store.transaction() as session:
            sync_uc.set_meta(session, sync_uc.OWN_KEY_REFUSED, "1")
        sync_uc.approve_device(again.store, again.user, device_id(n), fingerprint, role=Role.HELPER)
        assert not sync_uc.status(again.store).own_key_refused
        assert server.device_status(device_id(n)) == "approved"
    finally:
        again.close()

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

from desktop_app.i18n.messages import refusal_message
from desktop_app.i18n.text import set_language
from desktop_app.sync import crypto
from desktop_app.sync.http_client import Forbidden
from desktop_app.usecases import sync as sync_uc
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    ServerProcess,
    active_key_id,
    logged_in_again,
    run_desk,
)
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

"""Envelope and key-wrapping crypto: every alteration of an envelope or wrapped key is refused."""

from __future__ import annotations

import uuid

import pytest

from desktop_app.sync import crypto
from sync_server import wire

AUTHOR = str(uuid.uuid4())
RECORD = str(uuid.uuid4())
HLC = f"1764067200000-00001-{AUTHOR}"
SECRET = "Петров Ștefan Müller".encode()


@pytest.fixture
def team() -> crypto.TeamKey:
    return crypto.new_team_key()


def _seal(team: crypto.TeamKey, **changes: object) -> wire.Envelope:
    args: dict[str, object] = {
        "record_id": RECORD,
        "kind": "person",
        "revision": 3,
        "plaintext": SECRET,
    }
    args.update(changes)
    return crypto.seal(
        team.key,
        team.key_id,
        str(args["record_id"]),
        str(args["kind"]),
        int(args["revision"]),  # type: ignore[call-overload]
        bytes(args["plaintext"]),  # type: ignore[call-overload]
        author_device=AUTHOR,
        client_hlc=HLC,
    )


def test_round_trip(team: crypto.TeamKey) -> None:
    env = _seal(team)
    assert crypto.open_envelope({team.key_id: team.key}, env) == SECRET
    assert SECRET not in wire.b64decode(env.ciphertext)
    assert len(wire.b64decode(env.nonce)) == 12


def test_nonces_differ(team: crypto.TeamKey) -> None:
    assert _seal(team).nonce != _seal(team).nonce


def test_a_sealer_never_repeats_a_nonce_across_its_random_pools(team: crypto.TeamKey) -> None:
    """The sealer cuts nonces from random bytes fetched for many at once: across several
    refills every nonce is 12 bytes, none repeats, and each envelope opens."""
    sealer = crypto.EnvelopeSealer(team.key, team.key_id, AUTHOR)
    envelopes = [sealer.seal(RECORD, "person", n, SECRET, HLC) for n in range(1, 1001)]
    nonces = [wire.b64decode(e.nonce) for e in envelopes]
    assert {len(n) for n in nonces} == {12}
    assert len(set(nonces)) == len(nonces)
    opener = crypto.EnvelopeOpener({team.key_id: team.key})
    assert all(opener.open(e) == SECRET for e in envelopes)


def _flip(b64: str, index: int) -> str:
    raw = bytearray(wire.b64decode(b64))
    raw[index % len(raw)] ^= 0x01
    return wire.b64encode(bytes(raw))


@pytest.mark.parametrize("index", [0, 5, -1, -17])
def test_flipped_ciphertext_bit_refused(team: crypto.TeamKey, index: int) -> None:
    env = _seal(team)
    bad = env.model_copy(update={"ciphertext": _flip(env.ciphertext, index)})
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope({team.key_id: team.key}, bad)


def test_flipped_nonce_bit_refused(team: crypto.TeamKey) -> None:
    env = _seal(team)
    bad = env.model_copy(update={"nonce": _flip(env.nonce, 0)})
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope({team.key_id: team.key}, bad)


@pytest.mark.parametrize(
    "field, value",
    [
        ("record_id", str(uuid.uuid4())),
        ("kind", "visit"),
        ("revision", 2),
        ("revision", 4),
        ("author_device", str(uuid.uuid4())),
        ("client_hlc", f"1764067200001-00001-{AUTHOR}"),
    ],
    # Ids without the random values: every xdist worker must collect the same test names.
    ids=["record_id", "kind", "revision-2", "revision-4", "author_device", "client_hlc"],
)
def test_changed_metadata_refused(team: crypto.TeamKey, field: str, value: object) -> None:
    env = _seal(team)
    bad = env.model_copy(update={field: value})
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope({team.key_id: team.key}, bad)


def test_swapped_ciphertexts_between_records_refused(team: crypto.TeamKey) -> None:
    a = _seal(team)
    b = _seal(team, record_id=str(uuid.uuid4()), plaintext=b"other person")
    swapped = a.model_copy(update={"nonce": b.nonce, "ciphertext": b.ciphertext})
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope({team.key_id: team.key}, swapped)


def test_other_key_id_refused(team: crypto.TeamKey) -> None:
    """Relabelling an envelope with another key id that the device holds still fails."""
    other = crypto.new_team_key()
    env = _seal(team)
    relabelled = env.model_copy(update={"key_id": other.key_id})
    keyring = {team.key_id: team.key, other.key_id: other.key}
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope(keyring, relabelled)
    # and the same key bytes under a different id also fail (key id is in the AAD)
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope({other.key_id: team.key}, relabelled)


def test_wrong_key_refused(team: crypto.TeamKey) -> None:
    env = _seal(team)
    with pytest.raises(crypto.TamperedEnvelopeError):
        crypto.open_envelope({team.key_id: crypto.new_team_key().key}, env)


def test_unknown_key_id_refused(team: crypto.TeamKey) -> None:
    env = _seal(team)
    with pytest.raises(crypto.UnknownKeyError) as info:
        crypto.open_envelope({}, env)
    assert info.value.key_id == team.key_id
    assert isinstance(info.value, crypto.EnvelopeError)


def test_oversized_plaintext_refused(team: crypto.TeamKey) -> None:
    with pytest.raises(ValueError):
        _seal(team, plaintext=b"x" * wire.MAX_CIPHERTEXT_BYTES)


def test_team_key_repr_hides_key(team: crypto.TeamKey) -> None:
    assert team.key.hex() not in repr(team)
    assert len(team.key) == 32


def test_wrap_and_unwrap() -> None:
    team = crypto.new_team_key()
    coordinator, laptop = crypto.DeviceKeys.generate(), crypto.DeviceKeys.generate()
    wrapped = crypto.wrap_team_key(
        team.key, team.key_id, coordinator, laptop.public_key, laptop_role="helper"
    )
    assert team.key not in wrapped
    got = crypto.unwrap_team_key(
        wrapped, team.key_id, laptop, coordinator.public_key, laptop_role="helper"
    )
    assert got == team.key


def test_unwrap_refuses_alterations() -> None:
    team = crypto.new_team_key()
    coordinator, laptop, mallory = (crypto.DeviceKeys.generate() for _ in range(3))
    wrapped = crypto.wrap_team_key(
        team.key, team.key_id, coordinator, laptop.public_key, laptop_role="advisor"
    )
    flipped = bytes([wrapped[0]]) + bytes([wrapped[1] ^ 1]) + wrapped[2:]
    cases = [
        (flipped, team.key_id, laptop, coordinator.public_key),  # bit flipped
        (wrapped, "otherkey", laptop, coordinator.public_key),  # other key id
        (wrapped, team.key_id, mallory, coordinator.public_key),  # not meant for this device
        (wrapped, team.key_id, laptop, mallory.public_key),  # claimed sender substituted
        (wrapped[:20], team.key_id, laptop, coordinator.public_key),  # truncated
    ]
    for blob, key_id, recipient, sender in cases:
        with pytest.raises(crypto.KeyUnwrapError):
            crypto.unwrap_team_key(blob, key_id, recipient, sender, laptop_role="advisor")


def test_the_laptop_role_is_bound_into_the_wrapped_key() -> None:
    """The role the approving coordinator chose travels with the key, authenticated: a server
    that hands it over with another role (a higher one, none, or one that is no role) gets a
    key that does not open."""
    team = crypto.new_team_key()
    coordinator, laptop = crypto.DeviceKeys.generate(), crypto.DeviceKeys.generate()
    wrapped = crypto.wrap_team_key(
        team.key, team.key_id, coordinator, laptop.public_key, laptop_role="helper"
    )
    for claimed in ("advisor", "coordinator", None, "", "admin"):
        with pytest.raises(crypto.KeyUnwrapError):
            crypto.unwrap_team_key(
                wrapped, team.key_id, laptop, coordinator.public_key, laptop_role=claimed
            )
    assert (
        crypto.unwrap_team_key(
            wrapped, team.key_id, laptop, coordinator.public_key, laptop_role="helper"
        )
        == team.key
    )
    with pytest.raises(ValueError):  # no key is wrapped without a role it knows
        crypto.wrap_team_key(
            team.key, team.key_id, coordinator, laptop.public_key, laptop_role="admin"
        )


def test_device_keys_round_trip_and_fingerprint() -> None:
    keys = crypto.DeviceKeys.generate()
    again = crypto.DeviceKeys.from_private_bytes(keys.private_key)
    assert again.public_key == keys.public_key
    fp = keys.fingerprint
    groups = fp.split(" ")
    assert len(groups) == 6 and all(len(g) == 4 for g in groups)
    assert fp == crypto.fingerprint(keys.public_key)
    assert fp != crypto.DeviceKeys.generate().fingerprint
    assert keys.private_key.hex() not in repr(keys)


@pytest.mark.parametrize(
    "spelling",
    [RECORD.upper(), uuid.UUID(RECORD).hex, "{" + RECORD + "}", f"urn:uuid:{RECORD}"],
    ids=["upper", "hex", "braces", "urn"],  # RECORD is random: the same names on every worker
)
def test_associated_data_binds_the_canonical_ids_whatever_their_spelling(
    team: crypto.TeamKey, spelling: str
) -> None:
    canonical = crypto.envelope_aad(RECORD, "person", 3, team.key_id, AUTHOR, HLC)
    assert crypto.envelope_aad(spelling, "person", 3, team.key_id, AUTHOR, HLC) == canonical
    assert crypto.envelope_aad(RECORD, "person", 3, team.key_id, AUTHOR.upper(), HLC) == canonical
    # Exactly the length-prefixed fields, in order (the layout other laptops check against).
    assert canonical == b"".join(
        [
            len(b"welcome-desk/envelope/v1").to_bytes(4, "big") + b"welcome-desk/envelope/v1",
            (36).to_bytes(4, "big") + RECORD.encode(),
            (6).to_bytes(4, "big") + b"person",
            (3).to_bytes(8, "big"),
            len(team.key_id).to_bytes(4, "big") + team.key_id.encode(),
            (36).to_bytes(4, "big") + AUTHOR.encode(),
            len(HLC).to_bytes(4, "big") + HLC.encode(),
        ]
    )
    other = str(uuid.uuid4())
    assert crypto.envelope_aad(other, "person", 3, team.key_id, AUTHOR, HLC) != canonical
    with pytest.raises(ValueError):
        crypto.envelope_aad("not-a-uuid", "person", 3, team.key_id, AUTHOR, HLC)


def test_a_keyed_record_id_is_the_same_for_every_holder_of_the_key_and_no_one_else() -> None:
    key, other = crypto.new_team_key(), crypto.new_team_key()
    identity = "person/6f47e651-7fd5-4ce2-bcfa-0142c4116b4c/family_name/1796380907394-00000-x"
    first = crypto.keyed_record_id(key.key, identity)
    assert first == crypto.keyed_record_id(bytes(key.key), identity)
    assert uuid.UUID(first).version == 4  # looks like any random record id
    assert first != crypto.keyed_record_id(other.key, identity)
    assert first != crypto.keyed_record_id(key.key, identity.replace("family", "given"))
    with pytest.raises(ValueError):
        crypto.keyed_record_id(key.key[:16], identity)


def test_a_key_wrapped_before_roles_opens_only_without_a_role() -> None:
    """A laptop that joined before laptops were approved for a role may still fetch a key an
    older Welcome Desk wrapped for it (no role in its associated data): it opens without a
    role (and sets no ceiling), and naming a role for it fails like any other change."""
    import os

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    team = crypto.new_team_key()
    coordinator, laptop = crypto.DeviceKeys.generate(), crypto.DeviceKeys.generate()
    # As the version before roles wrapped it.
    context = crypto._wrap_context(coordinator.public_key, laptop.public_key, team.key_id, None)
    nonce = os.urandom(12)
    kek = crypto._kek(coordinator, laptop.public_key, context)
    older = nonce + AESGCM(kek).encrypt(nonce, team.key, context)
    assert (
        crypto.unwrap_team_key(older, team.key_id, laptop, coordinator.public_key, laptop_role=None)
        == team.key
    )
    for claimed in crypto.LAPTOP_ROLES:
        with pytest.raises(crypto.KeyUnwrapError):
            crypto.unwrap_team_key(
                older, team.key_id, laptop, coordinator.public_key, laptop_role=claimed
            )

"""Wire schema validation: strict fields, bounded sizes, canonical ids."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from sync_server import wire

DEVICE = str(uuid.uuid4())


def _env(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "record_id": str(uuid.uuid4()),
        "kind": "person",
        "revision": 1,
        "key_id": "k1",
        "nonce": wire.b64encode(b"\0" * 12),
        "ciphertext": wire.b64encode(b"\1" * 40),
        "author_device": DEVICE,
        "client_hlc": f"1764067200000-00000-{DEVICE}",
    }
    data.update(changes)
    return data


def test_valid_envelope_and_uuid_canonicalised() -> None:
    rid = uuid.uuid4()
    env = wire.Envelope.model_validate(_env(record_id=rid.hex.upper()))
    assert env.record_id == str(rid)


@pytest.mark.parametrize(
    "changes",
    [
        {"nonce": wire.b64encode(b"\0" * 11)},
        {"nonce": wire.b64encode(b"\0" * 16)},
        {"nonce": "not base64!"},
        {"ciphertext": "@@@@"},
        {"ciphertext": wire.b64encode(b"\1" * 8)},
        {"ciphertext": wire.b64encode(b"\1" * (wire.MAX_CIPHERTEXT_BYTES + 1))},
        {"revision": 0},
        {"revision": "one"},
        {"revision": 2**63},
        {"kind": "Person; DROP"},
        {"kind": ""},
        {"record_id": "not-a-uuid"},
        {"key_id": "a" * 65},
        {"client_hlc": "x\n"},
        {"extra": 1},
    ],
)
def test_invalid_envelopes_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        wire.Envelope.model_validate(_env(**changes))


def test_batch_bounds() -> None:
    with pytest.raises(ValidationError):
        wire.PushRequest.model_validate({"envelopes": []})
    with pytest.raises(ValidationError):
        wire.PushRequest.model_validate({"envelopes": [_env()] * (wire.MAX_BATCH + 1)})
    assert len(wire.PushRequest.model_validate({"envelopes": [_env()] * 3}).envelopes) == 3


def test_register_refuses_control_characters_and_bad_keys() -> None:
    good = {
        "code": "ABCD-EFGH-JKLM-NPQR",
        "device_name": "Laptop Ștefan",
        "public_key": wire.b64encode(b"\2" * 32),
    }
    wire.RegisterRequest.model_validate(good)
    for bad in (
        {"device_name": "a\x00b"},
        {"public_key": wire.b64encode(b"\2" * 31)},
        {"code": "short"},
    ):
        with pytest.raises(ValidationError):
            wire.RegisterRequest.model_validate({**good, **bad})


def test_fingerprint_shape() -> None:
    fp = wire.public_key_fingerprint(b"\3" * 32)
    assert len(fp) == 29 and fp.count(" ") == 5
    assert fp != wire.public_key_fingerprint(b"\4" * 32)
    with pytest.raises(ValueError):
        wire.public_key_fingerprint(b"\3" * 31)


def test_a_newer_servers_answers_with_fields_this_laptop_does_not_know_still_parse() -> None:
    """A laptop that was not updated yet keeps syncing with a server that says more."""
    stored = _env(seq=7, received_by="server 2")  # a field added in a later version
    page = wire.PullResponse.model_validate_json(
        json.dumps({"envelopes": [stored], "next_cursor": 7, "has_more": False, "page": 500})
    )
    assert page.envelopes[0].seq == 7 and page.next_cursor == 7
    keys = wire.WrappedKeyList.model_validate(
        {
            "keys": [
                {
                    "key_id": "k1",
                    "wrapped_key": "AAAA",
                    "sender_public_key": "AAAA",
                    "sender_device": DEVICE,
                    "created_at": "2026-12-02T10:00:00+00:00",
                    "sender_device_name": "A",
                    "sender_role": "coordinator",
                }
            ]
        }
    )
    assert keys.keys[0].sender_device_name == "A"
    assert wire.Health.model_validate({"status": "ok", "version": "9", "uptime": 3}).version == "9"


@pytest.mark.parametrize(
    "model, data",
    [
        (wire.Envelope, _env(seq=7)),  # a laptop cannot choose its sequence number
        (wire.PushRequest, {"envelopes": [_env()], "priority": 1}),
        (
            wire.RegisterRequest,
            {
                "code": "ABCD-EFGH",
                "device_name": "A",
                "public_key": wire.b64encode(b"\1" * 32),
                "coordinator": True,
            },
        ),
        (
            wire.WrappedKeyUpload,
            {
                "device_id": DEVICE,
                "key_id": "k1",
                "wrapped_key": wire.b64encode(b"\1" * 60),
                "sender_public_key": wire.b64encode(b"\1" * 32),
                "sender_device_name": "C",
            },
        ),
    ],
)
def test_what_a_laptop_sends_with_a_field_the_server_does_not_know_is_refused(
    model: type[BaseModel], data: dict[str, object]
) -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        model.model_validate(data)


@pytest.mark.parametrize(("erases", "through"), [(False, None), (True, None), (False, 41)])
def test_a_trusted_envelope_is_what_model_construct_and_validation_make(
    erases: bool, through: int | None
) -> None:
    """The sealer's shortcut builds the same model as pydantic does: equal, the same fields
    set, the same JSON a push sends (``erases`` and ``redacts_through`` only where set),
    copied and compared alike. A field added to ``Envelope`` without it fails here."""
    values: dict[str, Any] = {
        "record_id": str(uuid.uuid4()),
        "kind": "person",
        "revision": 3,
        "key_id": "k1",
        "nonce": "AAAAAAAAAAAAAAAA",
        "ciphertext": "AAAAAAAAAAAAAAAAAAAAAA==",
        "author_device": str(uuid.uuid4()),
        "client_hlc": f"1700000000000-00000-{uuid.uuid4()}",
        "erases": erases,
        "redacts_through": through,
    }
    trusted = wire.trusted_envelope(**values)
    constructed = wire.Envelope.model_construct(**values)
    validated = wire.Envelope.model_validate(values)
    assert set(values) == set(wire.Envelope.model_fields)
    for other in (constructed, validated):
        assert trusted == other
        assert trusted.model_fields_set == other.model_fields_set
        assert trusted.model_dump() == other.model_dump()
        assert trusted.model_dump_json(exclude_defaults=True) == other.model_dump_json(
            exclude_defaults=True
        )
    body = wire.PushRequest.model_construct(envelopes=[trusted]).model_dump_json(
        exclude_defaults=True
    )
    assert wire.PushRequest.model_validate_json(body).envelopes == [validated]
    assert ('"erases":true' in body) is erases
    assert ('"redacts_through":41' in body) is (through is not None)
    assert ("redacts_through" in body) is (through is not None)
    assert trusted.model_copy(update={"revision": 4}).revision == 4
    assert trusted.revision == 3
    with pytest.raises(ValidationError):  # frozen, as validated envelopes are
        trusted.revision = 5


def test_a_validated_nonce_and_ciphertext_carry_their_bytes_and_travel_as_text() -> None:
    """Validation decodes them once and the server stores those bytes (``wire.decoded``):
    they are the bytes the laptop encoded, and the envelope still reads, compares and
    serialises as the text it arrived as."""
    nonce, ciphertext = bytes(range(12)), bytes(range(256)) * 3
    data = _env(nonce=wire.b64encode(nonce), ciphertext=wire.b64encode(ciphertext))
    env = wire.PushRequest.model_validate_json(json.dumps({"envelopes": [data]})).envelopes[0]
    assert (wire.decoded(env.nonce), wire.decoded(env.ciphertext)) == (nonce, ciphertext)
    assert (env.nonce, env.ciphertext) == (data["nonce"], data["ciphertext"])
    assert json.loads(env.model_dump_json()) == {**data, "erases": False, "redacts_through": None}
    assert env == wire.Envelope.model_construct(None, **data, erases=False, redacts_through=None)
    # Text that was never validated (a laptop's own envelope) is decoded when asked.
    made = wire.Envelope.model_construct(None, **data)
    assert wire.decoded(made.ciphertext) == ciphertext
    with pytest.raises(ValueError):
        wire.decoded("not base64!")


def test_a_nonce_or_ciphertext_that_is_not_base64_or_of_the_wrong_size_is_refused() -> None:
    for changes in (
        {"nonce": wire.b64encode(b"\0" * 12)[:-1]},
        {"nonce": wire.b64encode(b"\0" * 11)},
        {"nonce": "A" * 15 + "="},
        {"ciphertext": wire.b64encode(b"\1" * 40) + "\n"},
        {"ciphertext": "=" + wire.b64encode(b"\1" * 40)[1:]},
        {"ciphertext": wire.b64encode(b"\1" * (wire.MIN_CIPHERTEXT_BYTES - 1))},
    ):
        with pytest.raises(ValidationError):
            wire.Envelope.model_validate(_env(**changes))

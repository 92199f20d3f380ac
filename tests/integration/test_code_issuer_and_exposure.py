"""Enrollment codes say which coordinator's laptop issued them, and the bound on unused codes
is counted per issuing laptop (with an overall one besides); a revoked laptop's row says what
it could hold: how many people's records it had been handed by its last pull. A real server
(SQLite, and PostgreSQL where the cluster runs), migration 0009 on a database of 0008 holding
codes made before it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, text, update

from desktop_app.domain.users import Role
from desktop_app.sync import crypto
from desktop_app.sync.http_client import BadRequest, Forbidden, SyncServerClient, wrapped_key
from desktop_app.usecases import sync as sync_uc
from sync_server import models, service, wire
from tests.integration.sync_harness import (
    Laptops,
    Organisation,
    ServerProcess,
    add_person,
    device_id,
)


def _issuers(org: Organisation) -> dict[str, str | None]:
    c = models.EnrollmentCode
    with org.server.engine.connect() as db:
        return {name: by for name, by in db.execute(select(c.name, c.issued_by))}


def _coordinator(org: Organisation, name: str) -> tuple[str, SyncServerClient]:
    """Another coordinator's laptop (a coordinator's code, approved as one)."""
    keys = crypto.DeviceKeys.generate()
    client = org.server.client()
    reg = client.register(org.server.enroll(name, coordinator=True), name, keys.public_key)
    blob = crypto.wrap_team_key(
        org.team.key,
        org.team.key_id,
        org.coordinator.keys,
        keys.public_key,
        laptop_role="coordinator",
    )
    org.coordinator.client.approve(
        reg.device_id,
        [
            wrapped_key(
                org.team.key_id, blob, org.coordinator.keys.public_key, laptop_role="coordinator"
            )
        ],
    )
    return reg.device_id, client


def test_a_code_names_its_issuer_and_each_laptop_has_its_own_bound(org: Organisation) -> None:
    first = org.coordinator.client
    second_id, second = _coordinator(org, "Zweites Büro")
    try:
        for i in range(service.MAX_OUTSTANDING_CODES):
            first.issue_enrollment_code(f"Nord {i}")
        with pytest.raises(BadRequest) as refused:
            first.issue_enrollment_code("Nord too many")
        assert refused.value.status == 429 and refused.value.code == "too_many_codes"
        # The other coordinator's laptop is not bound by the first one's codes.
        assert second.issue_enrollment_code("Süd 0").code
        issuers = _issuers(org)
        assert issuers["Nord 0"] == org.coordinator.device_id
        assert issuers["Süd 0"] == second_id
        # ``welcome-desk-server enroll``: no issuing laptop.
        assert issuers["Coordinator"] is None and issuers["Zweites Büro"] is None
        assert "Nord too many" not in issuers
    finally:
        second.close()


def test_unused_codes_of_all_laptops_together_are_bounded(org: Organisation) -> None:
    # Codes made on the command line count towards the overall bound (not towards a laptop's).
    for i in range(service.MAX_OUTSTANDING_CODES_ALL - 1):
        org.server.enroll(f"CLI {i}")
    assert org.coordinator.client.issue_enrollment_code("The last one").code
    with pytest.raises(BadRequest) as refused:
        org.coordinator.client.issue_enrollment_code("One too many")
    assert refused.value.status == 429 and refused.value.code == "too_many_codes_all"
    # Expired codes do not count.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    c = models.EnrollmentCode
    with org.server.engine.begin() as db:
        db.execute(update(c).where(c.name == "CLI 0").values(expires_at=past))
    assert org.coordinator.client.issue_enrollment_code("Now there is room").code


def test_migration_0009_keeps_the_codes_made_before_it(db_url: str) -> None:
    """A database of 0008 holding a used and an unused code: upgraded, both are kept, without
    an issuer; the unused one still joins a laptop, and codes issued after name their issuer."""
    from alembic import command

    from sync_server import db

    engine = db.create_db_engine(db.resolve_database_url(db_url))
    try:
        config = db.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0008")
        now = dt.datetime.now(dt.UTC)
        unused = service.new_enrollment_code()
        gone = str(uuid.uuid4())  # a device the used code joined (not kept: no row needed)
        with engine.begin() as connection:
            # As a server of 0008 wrote them (its model knew no ``issued_by``).
            connection.execute(
                text(
                    "INSERT INTO enrollment_codes (code_hash, name, coordinator, created_at, "
                    "expires_at, used_at, used_by) VALUES (:h, :n, :c, :at, :until, :u, :by)"
                ),
                [
                    {
                        "h": service.hash_secret("USEDCODE"),
                        "n": "Büro alt",
                        "c": False,
                        "at": now,
                        "until": now + dt.timedelta(hours=1),
                        "u": now,
                        "by": gone,
                    },
                    {
                        "h": service.hash_secret(service.normalize_code(unused)),
                        "n": "Büro",
                        "c": False,
                        "at": now,
                        "until": now + dt.timedelta(hours=1),
                        "u": None,
                        "by": None,
                    },
                ],
            )
        assert db.current_revision(engine) == "0008"
        db.migrate(engine)
        assert db.current_revision(engine) == db.HEAD_REVISION
        c = models.EnrollmentCode
        with engine.connect() as connection:
            rows = connection.execute(select(c.name, c.used_by, c.issued_by).order_by(c.id)).all()
        assert [tuple(r) for r in rows] == [("Büro alt", gone, None), ("Büro", None, None)]
        after = service.SyncService(engine)
        first = after.register(
            wire.RegisterRequest(
                code=unused,
                device_name="Büro",
                public_key=wire.b64encode(crypto.DeviceKeys.generate().public_key),
            )
        )
        assert first.status == "approved" and first.is_coordinator
        coordinator = after.authenticate(first.token)
        assert after.issue_code_for(coordinator, wire.EnrollmentCodeRequest(name="Neu")).code
        assert _issuers_of(engine)["Neu"] == first.device_id
        assert _issuers_of(engine)["Büro"] is None
    finally:
        engine.dispose()


def _issuers_of(engine: object) -> dict[str, str | None]:
    c = models.EnrollmentCode
    with engine.connect() as connection:  # type: ignore[attr-defined]
        return {name: by for name, by in connection.execute(select(c.name, c.issued_by))}


def test_a_revoked_laptop_says_how_many_people_it_had_been_sent(
    laptops: Laptops, server: ServerProcess
) -> None:
    a = laptops.new("Büro")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    people = 7
    for i in range(people):
        add_person(a, f"Ana {i}", "Popescu", "1990-01-0" + str(i + 1))
    laptops.sync(a, stolen)
    # Written after the stolen laptop's last sync: it never had these.
    add_person(a, "Ivan", "Petrov", "1985-05-05")
    add_person(a, "Maria", "Ivanova", "1987-07-07")
    laptops.sync(a)
    before = dt.datetime.now(dt.UTC)
    listed = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed["Outreach Hbf"].pulled_at is not None
    assert listed["Outreach Hbf"].people_at_revocation is None  # not revoked: not counted
    pulled_at = dt.datetime.fromisoformat(listed["Outreach Hbf"].pulled_at)
    assert pulled_at <= before
    revoked = sync_uc.revoke_device(a.store, a.user, device_id(stolen), note="gestohlen")
    assert revoked.people_at_revocation == people
    assert revoked.pulled_at == listed["Outreach Hbf"].pulled_at
    # Listed later, the figure stays (counted at the revocation).
    again = {d.name: d for d in sync_uc.list_devices(a.store, a.user)}
    assert again["Outreach Hbf"].people_at_revocation == people
    # A laptop that never synced had been sent nobody's records.
    idle = laptops.new("Ersatz", role=Role.HELPER)
    assert sync_uc.revoke_device(a.store, a.user, device_id(idle)).people_at_revocation == 0
    with server.engine.connect() as db:
        d = models.Device
        held = db.execute(select(d.people_at_revocation).where(d.id == device_id(stolen)))
        assert held.scalar_one() == people


def test_people_erased_after_a_revoked_laptops_last_sync_are_said_not_to_be_counted(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The stolen laptop was sent Ana and Ivan; Ivan was erased at his request after its last
    sync and before the revocation. The server holds only Ivan's tombstone (every earlier
    revision deleted with it), so nothing there says the laptop had been sent him: counted at
    the revocation, the figure is 1 while the laptop holds both. It cannot be counted without
    a server migration; the note says who is left out."""
    from desktop_app.i18n.messages import held_on_revoked_laptop
    from desktop_app.storage.models import PersonRow
    from desktop_app.usecases import data_rights

    a = laptops.new("Büro")
    stolen = laptops.new("Outreach Hbf", role=Role.ADVISOR)
    add_person(a, "Ana", "Popescu", "1990-01-01")
    ivan = add_person(a, "Ivan", "Petrov", "1985-05-05")
    laptops.sync(a, stolen)
    data_rights.erase_person(a.store, a.user, ivan)
    laptops.sync(a)
    with server.engine.connect() as db:
        e = models.StoredEnvelope
        assert db.execute(select(e.erases).where(e.record_id == ivan)).scalars().all() == [True]
    revoked = sync_uc.revoke_device(a.store, a.user, device_id(stolen))
    assert revoked.people_at_revocation == 1
    with stolen.store.reading() as db:
        held = db.execute(select(PersonRow.id).where(PersonRow.deleted.is_(False))).scalars()
        assert ivan in set(held)  # never received his erasure: still there
    note = held_on_revoked_laptop("Outreach Hbf", 1, synced=revoked.pulled_at is not None)
    assert note.startswith(
        "By its last sync, “Outreach Hbf” had been sent the records of at least 1 person. "
        "Not counted: people erased at their request after its last sync."
    ), note
    # Never handed anything (joined, never approved): nothing was left out, nothing said.
    idle = held_on_revoked_laptop("Ersatz", 0, synced=False)
    assert "Not counted" not in idle and idle.startswith("“Ersatz” had been sent nobody's")


def test_the_unused_codes_of_a_revoked_laptop_end_with_it(org: Organisation) -> None:
    """A stolen coordinator's laptop: the codes it asked for and nobody used joined a laptop
    after its revocation (listed for approval as any other); they end when it is revoked, the
    other coordinator's and the used ones stay as they were."""
    stolen_id, stolen = _coordinator(org, "Gestohlen")
    others = [org.server.client() for _ in range(3)]
    joined, stranger, new = others
    try:
        waiting = stolen.issue_enrollment_code("Von gestohlenem Laptop").code
        used = stolen.issue_enrollment_code("Schon beigetreten").code
        joined.register(used, "Schon beigetreten", crypto.DeviceKeys.generate().public_key)
        mine = org.coordinator.client.issue_enrollment_code("Vom Büro").code
        org.coordinator.client.revoke(stolen_id)
        with pytest.raises(Forbidden) as refused:
            stranger.register(waiting, "Fremder", crypto.DeviceKeys.generate().public_key)
        assert refused.value.status == 403 and refused.value.code == "enrollment_invalid"
        # the laptop that joined with one of its codes stays; the other's code still joins one
        statuses = {d.name: d.status for d in org.server.service.list_devices().devices}
        assert statuses["Schon beigetreten"] == "pending" and "Fremder" not in statuses
        assert new.register(mine, "Neu", crypto.DeviceKeys.generate().public_key).device_id
        assert org.server.service.unused_codes_by_issuer().get(stolen_id, 0) == 0
    finally:
        for client in (stolen, *others):
            client.close()

"""A coordinator's laptop asks the real sync server for a new laptop's enrollment code
(``usecases.sync.issue_enrollment_code``): the new laptop joins with it and is approved by its
fingerprint; who may not ask is refused here or by the server, a bad name before any request,
and an unreachable server is said as such. SQLite and (if configured) PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.users import Role
from desktop_app.sync.http_client import Forbidden, Offline
from desktop_app.usecases import accounts
from desktop_app.usecases import sync as sync_uc
from sync_server import models
from tests.integration.sync_harness import (
    Laptops,
    approve_and_confirm,
    device_id,
    logged_in_again,
)


def _codes(laptops: Laptops) -> int:
    with laptops.server.engine.connect() as db:
        return int(db.scalar(select(func.count()).select_from(models.EnrollmentCode)) or 0)


def test_a_new_laptop_joins_with_the_code_its_coordinator_asked_for(laptops: Laptops) -> None:
    a = laptops.new("Büro Nordstadt")
    before = dt.datetime.now(dt.UTC)
    issued = sync_uc.issue_enrollment_code(a.store, a.user, "  Laptop Ana  ")
    after = dt.datetime.now(dt.UTC)
    assert issued.name == "Laptop Ana" and len(issued.code) == 19  # XXXX-XXXX-XXXX-XXXX
    assert issued.expires_at.tzinfo is not None
    day = dt.timedelta(hours=24)
    assert before + day <= issued.expires_at <= after + day

    ana = laptops.account("Laptop Ana")
    joined = sync_uc.join(ana.store, laptops.url, issued.code, "Laptop Ana")
    assert joined.status == "pending" and not joined.is_coordinator
    listed = {d.device_id: d for d in sync_uc.list_devices(a.store, a.user)}
    assert listed[device_id(ana)].status == "pending"
    approve_and_confirm(a, ana, role=Role.ADVISOR)
    assert sync_uc.laptop_role(ana.store) is Role.ADVISOR
    (report,) = laptops.sync(ana)
    assert sync_uc.status(ana.store).approved, report


def test_who_may_not_ask_for_a_code_is_refused(laptops: Laptops) -> None:
    a = laptops.new("A")
    # approved before laptops had roles (every right on it), a member's laptop on the
    # server: the server says no (one approved for coordinators may: a coordinator's laptop)
    b = laptops.new_member("B")
    with pytest.raises(Forbidden) as refused:
        sync_uc.issue_enrollment_code(b.store, b.user, "Laptop C")
    assert refused.value.code == "not_coordinator"
    # an advisor's laptop: refused here, never asked
    c = laptops.new("C", role=Role.ADVISOR)
    assert accounts.refresh_user(c)
    advisor = logged_in_again(c)
    try:
        codes = _codes(laptops)
        with pytest.raises(PermissionDenied):
            sync_uc.issue_enrollment_code(advisor.store, advisor.user, "Laptop D")
        assert _codes(laptops) == codes
    finally:
        advisor.close()
    # a laptop that never joined
    with pytest.raises(sync_uc.SyncSetupError) as alone:
        z = laptops.account("Z")
        sync_uc.issue_enrollment_code(z.store, z.user, "Laptop E")
    assert alone.value.code == "not_joined"
    # a bad name, before any request
    codes = _codes(laptops)
    for name in ("", "   ", "x" * 101, "Tab\there"):
        with pytest.raises(sync_uc.SyncSetupError) as bad:
            sync_uc.issue_enrollment_code(a.store, a.user, name)
        assert bad.value.code == "bad_new_laptop_name", name
    assert _codes(laptops) == codes


def test_an_unreachable_server_gives_no_code(laptops: Laptops) -> None:
    a = laptops.new("A")
    laptops.server.stop()
    try:
        with pytest.raises(Offline):
            sync_uc.issue_enrollment_code(a.store, a.user, "Laptop B")
    finally:
        laptops.server.start()

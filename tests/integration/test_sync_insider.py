"""Red-team tests of properties 5 and 6 from the inside: what a team member's laptop (or a
modified client holding the team key) can send to the others through a real server.

Two gaps: reference data (the service directory printed on referral letters, the form
definitions) published from a laptop that is not a coordinator's, and a record id reused under
another kind with a huge revision, which made every laptop refuse the record's real changes as
replays.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.exits import EXIT_INVALID
from desktop_app.i18n.text import set_language
from desktop_app.paths import resource
from desktop_app.storage.models import MetaRow, OutboxRow
from desktop_app.storage.sync_models import SyncedRevisionRow
from desktop_app.storage.visits_models import ConsentRow
from desktop_app.sync import crypto
from desktop_app.sync.engine import COORDINATOR, active_key
from desktop_app.sync.http_client import Forbidden
from desktop_app.sync.records import ADAPTERS, LocalRecord, encode
from desktop_app.usecases import people, reference, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from sync_server import models, wire
from tests.conftest import with_version_raised
from tests.integration.sync_harness import (
    PASSWORD,
    Laptops,
    Organisation,
    ServerProcess,
    approve_and_confirm,
    as_before_roles,
    device_id,
    operator_inserts,
    run_desk,
)
from tests.unit.test_visits import consent_answers

NEW_PHONE = "0231 842-6666"


def _add(session: Session, given: str, family: str, phone: str = "") -> str:
    return people.register_person(
        session.store,
        session.user,
        PersonDraft(given, family, phone=phone),
        confirm_duplicates=True,
    ).id


def _edit_phone(session: Session, person_id: str, phone: str) -> None:
    person = people.get_person(session.store, session.user, person_id)
    assert person is not None
    values = people.person_values(person)
    values["phone"] = phone
    languages = tuple(c for c in values.pop("languages").split(",") if c)
    people.update_person(
        session.store, session.user, person_id, PersonDraft(**values, languages=languages)
    )


def _changed_directory() -> dict[str, str]:
    files = reference.shipped_directory_files()
    job = files["jobcenter.yaml"].replace("phone: 0231 842-0", f"phone: {NEW_PHONE}")
    assert job != files["jobcenter.yaml"]
    return {**files, "jobcenter.yaml": job}


def _jobcenter_phone(session: Session) -> str:
    return reference.service_directory(session.store).get("jobcenter").contact.phone


def _stored(server: ServerProcess) -> list[tuple[str, str, int, str]]:
    e = models.StoredEnvelope
    with DbSession(server.engine) as s:
        rows = s.execute(select(e.record_id, e.kind, e.revision, e.author_device).order_by(e.seq))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _set_role(session: Session, value: str | None) -> None:
    with session.store.transaction() as s:
        s.execute(delete(MetaRow).where(MetaRow.key == COORDINATOR))
        if value is not None:
            s.add(MetaRow(key=COORDINATOR, value=value))


def _role(session: Session) -> str | None:
    with session.store.reading() as s:
        row = s.get(MetaRow, COORDINATOR)
        return row.value if row else None


# --- the server --------------------------------------------------------------------------------


def test_the_server_refuses_a_members_reference_push_whole(org: Organisation) -> None:
    member = org.join("B")
    team = crypto.TeamKey(org.team.key_id, org.team.key)
    person = member.seal(team, "11111111-1111-4111-8111-111111111111", "person", 1, b"x" * 40)
    directory = reference.reference_id(reference.SERVICES)
    forged = member.seal(team, directory, "reference", 1, b'{"files": "made up"}')
    with pytest.raises(Forbidden) as refused:
        member.client.push([person, forged])
    assert refused.value.status == 403 and refused.value.code == "publisher_not_coordinator"
    assert _stored(org.server) == []  # not even the person of the same push
    # The rest of what a member sends is taken; a coordinator publishes.
    assert member.client.push([person]).accepted == 1
    published = org.coordinator.seal(team, directory, "reference", 1, b'{"files": "real"}')
    assert org.coordinator.client.push([published]).accepted == 1
    assert [(kind, author) for _id, kind, _rev, author in _stored(org.server)] == [
        ("person", member.device_id),
        ("reference", org.coordinator.device_id),
    ]
    log = org.server.log_text()
    assert f"push refused device={member.device_id}" in log
    assert forged.ciphertext not in log and forged.nonce not in log


def test_the_server_keeps_a_record_id_to_one_kind(org: Organisation) -> None:
    member = org.join("B")
    team = crypto.TeamKey(org.team.key_id, org.team.key)
    pid = "22222222-2222-4222-8222-222222222222"
    assert org.coordinator.client.push([org.coordinator.seal(team, pid, "person", 1, b"p" * 40)])
    huge = wire.MAX_SEQ - 1
    forged = member.seal(team, pid, "consent", huge, b"c" * 40)
    fresh = "33333333-3333-4333-8333-333333333333"
    first, other = (
        member.seal(team, fresh, "visit", 1, b"v" * 40),
        member.seal(team, fresh, "audit", 2, b"a" * 40),
    )
    update = member.seal(team, pid, "person", 2, b"q" * 40)
    answer = member.client.push([forged, first, other, update])
    assert [(r.status, r.code) for r in answer.results] == [
        ("refused", "kind_mismatch"),
        ("accepted", None),  # the id's first kind wins within a push as well
        ("refused", "kind_mismatch"),
        ("accepted", None),  # the record's own kind: an ordinary update
    ]
    assert (answer.accepted, answer.refused) == (2, 2)
    assert answer.results[0].reason == "this record id is already stored under another kind"
    assert sorted((r, k, v) for r, k, v, _a in _stored(org.server)) == [
        (pid, "person", 1),
        (pid, "person", 2),
        (fresh, "visit", 1),
    ]
    # Sent again (a laptop retrying): refused again, and a later push of the id's kind is not.
    again = member.client.push([forged, member.seal(team, fresh, "visit", 2, b"w" * 40)])
    assert [r.code for r in again.results] == ["kind_mismatch", None]
    log = org.server.log_text()
    assert f"record={pid} refused: stored under another kind than consent" in log
    assert forged.ciphertext not in log


# --- laptops ----------------------------------------------------------------------------------


def test_a_member_laptop_refuses_to_publish_and_says_why_in_each_language(
    laptops: Laptops, tmp_path: Path
) -> None:
    a, b = laptops.new("A"), laptops.new_member("B")  # A coordinates; B is a member's laptop
    assert (_role(a), _role(b)) == ("1", "0")
    assert reference.publish_refusal(a.store) is None
    assert reference.publish_refusal(b.store) == "not_coordinator_laptop"
    folder = tmp_path / "edited"
    reference.export_directory(b.store, b.user, folder)  # exporting to edit is fine
    attempts = [
        lambda: reference.publish_directory(b.store, b.user, _changed_directory()),
        lambda: reference.publish_directory_folder(b.store, b.user, folder),
        lambda: reference.publish_forms(b.store, b.user, {}),
        lambda: reference.publish_forms_folder(b.store, b.user, tmp_path / "missing"),
    ]
    for attempt in attempts:
        with pytest.raises(reference.PublishRefused) as refused:
            attempt()
        assert refused.value.code == "not_coordinator_laptop"  # before the folder is read
    expected = {
        "de": "Bitten Sie Ihre Koordination, die Änderung von ihrem Laptop aus",
        "bg": "Помолете координатора си да публикува промяната",
        "ro": "Rugați-l pe coordonator să publice modificarea",
        "en": "Please ask your coordinator to publish the change from their laptop.",
    }
    try:
        for language, words in expected.items():
            set_language(language)
            (message,) = reference.problem_messages(refused.value)
            assert words in message, (language, message)
    finally:
        set_language("en")
    assert reference.published_directory(b.store) is None
    assert reference.published_forms(b.store) is None
    with b.store.reading() as s:  # nothing waits to be sent either
        assert s.scalar(select(OutboxRow).where(OutboxRow.record_kind == "reference")) is None
    # The command line refuses the same way, in the user's language.
    b.close()
    answer = run_desk(
        *("directory", "publish", "--from", str(folder), "--data-dir", str(tmp_path / "B")),
        lang="ro",
        password=PASSWORD,
    )
    assert answer.returncode == EXIT_INVALID, answer.stderr
    assert "Rugați-l pe coordonator" in answer.stderr and "Traceback" not in answer.stderr


def test_a_client_ignoring_its_role_is_refused_and_the_rest_of_its_changes_still_travel(
    laptops: Laptops, server: ServerProcess
) -> None:
    """A modified (or confused) member's laptop that publishes anyway: the server refuses the
    push with the publication, the laptop learns its role at once, withdraws its publication
    (saved as a folder; the team's data applies there again) and the people changed in the
    same outbox still reach the others, in the same sync; the next syncs do not try again."""
    a, b = laptops.new("A"), laptops.new_member("B")
    _set_role(b, "1")
    reference.publish_directory(b.store, b.user, _changed_directory(), "made up")
    pid = _add(b, "Maria", "Popescu", "0176 1111111")
    report = laptops.sync(b)[0]
    assert _role(b) == "0"
    assert report.held_back == 0 and report.pushed >= 1
    assert list(report.withdrawn) == [reference.SERVICES]
    saved = Path(report.withdrawn[reference.SERVICES]) / "jobcenter.yaml"
    assert NEW_PHONE in saved.read_text(encoding="utf-8")
    assert f"push refused device={device_id(b)}" in server.log_text()
    assert not any(kind == "reference" for _r, kind, _v, _a in _stored(server))
    state = sync_uc.status(b.store)
    assert (state.held_back, state.pending_changes) == (0, 0)
    laptops.sync(a)
    assert people.get_person(a.store, a.user, pid) is not None
    assert _jobcenter_phone(a) == "0231 842-0" and reference.published_directory(a.store) is None
    before = server.log_text().count("push refused")
    again = laptops.sync(b)[0]
    assert again.held_back == 0 and again.rounds == 1 and again.withdrawn == {}
    assert server.log_text().count("push refused") == before  # not sent again
    # What the team uses (nothing published: the shipped directory) is in force there too.
    assert _jobcenter_phone(b) == "0231 842-0" and reference.published_directory(b.store) is None


def test_a_publication_made_before_joining_is_withdrawn_on_the_member_laptop(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Offline only, a laptop publishes for itself; joined later as a member's laptop, it
    withdraws that publication at its first sync (saved as a folder) and uses the team's data:
    the shipped directory, as long as the team published none."""
    a = laptops.new("A")
    c = laptops.account("C")
    assert reference.publish_refusal(c.store) is None
    reference.publish_directory(c.store, c.user, _changed_directory(), "offline")
    sync_uc.join(c.store, server.base_url, server.enroll("C"), "C")
    approve_and_confirm(a, c, role=Role.ADVISOR)
    as_before_roles(server, a, c)  # every right on it, a member's laptop on the server
    _set_role(c, None)  # as a laptop that joined before it kept its role
    assert reference.publish_refusal(c.store) == "role_unknown"
    report_c, _report_a = laptops.sync(c, a)
    assert _role(c) == "0"  # asked the server once
    assert reference.publish_refusal(c.store) == "not_coordinator_laptop"
    assert list(report_c.withdrawn) == [reference.SERVICES]
    assert sync_uc.status(c.store).held_back == 0
    assert _jobcenter_phone(c) == "0231 842-0" and reference.published_directory(c.store) is None
    assert [f.name.split("-")[0] for f in _withdrawn_folders(c)] == [reference.SERVICES]
    assert reference.published_directory(a.store) is None
    assert sync_uc.status(a.store).held_back == 0


# --- a record id reused under another kind --------------------------------------------------


def _forged_consent(session: Session, person_id: str, revision: int) -> wire.Envelope:
    """A valid consent record of ``session``'s laptop under ``person_id``, sealed with the team
    key by that laptop: what a member's laptop (or a client it modified) can make."""
    (consent, *_rest) = visits.record_consent(
        session.store, session.user, person_id, consent_answers()
    )
    with session.store.reading() as s:
        local = ADAPTERS["consent"].load_many(s, [consent.id])[consent.id]
        key = active_key(s)
        assert key is not None
    state = dataclasses.replace(local.state, id=person_id)
    sealer = crypto.EnvelopeSealer(key.key, key.key_id, device_id(session))
    clock = f"{'9' * 13}-00000-{device_id(session)}"
    return sealer.seal(
        person_id, "consent", revision, encode(LocalRecord(state, revision, "")), clock
    )


def test_a_member_cannot_pass_a_record_off_as_another_kind(
    laptops: Laptops, server: ServerProcess
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    pid = _add(a, "Ivan", "Petrov", "0176 1111111")
    laptops.sync(a, b)
    forged = _forged_consent(b, pid, 10**12)
    with sync_uc.client_for(b.store) as client:
        answer = client.push([forged])
    assert [(r.status, r.code) for r in answer.results] == [("refused", "kind_mismatch")]
    assert [k for r, k, _v, _a in _stored(server) if r == pid] == ["person"]
    _edit_phone(a, pid, NEW_PHONE)
    laptops.sync(a, b)
    person = people.get_person(b.store, b.user, pid)
    assert person is not None and person.phone == NEW_PHONE


def test_a_laptop_applies_nothing_of_a_record_id_it_knows_under_another_kind(
    laptops: Laptops, server: ServerProcess
) -> None:
    """What a server without the check above (an older one, or its operator) hands out: a
    laptop that knows the id as a person's refuses the envelope, applies none of it, and the
    person's real changes still arrive; a laptop that meets both in its first page, too."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = _add(a, "Elena", "Radu", "0176 1111111")
    laptops.sync(a, b)
    forged = _forged_consent(b, pid, 10**12)
    operator_inserts(
        server,
        record_id=forged.record_id,
        kind=forged.kind,
        revision=forged.revision,
        key_id=forged.key_id,
        nonce=wire.b64decode(forged.nonce),
        ciphertext=wire.b64decode(forged.ciphertext),
        author_device=forged.author_device,
        client_hlc=forged.client_hlc,
    )
    c = laptops.new("C")  # its first sync pulls the person and the forgery in one page
    report_a, report_c = laptops.sync(a, c)
    for session, report in ((a, report_a), (c, report_c)):
        assert report.refused_ids == [pid]
        with session.store.reading() as s:
            assert s.get(ConsentRow, pid) is None
            synced = s.get(SyncedRevisionRow, pid)
            assert synced is not None and (synced.kind, synced.revision) == ("person", 1)
    _edit_phone(a, pid, NEW_PHONE)
    laptops.sync(a, b, c)
    for session in (b, c):
        person = people.get_person(session.store, session.user, pid)
        assert person is not None and person.phone == NEW_PHONE
    # The numbers whole: a bare "0176" turns up by chance in the log's port numbers (a client
    # or the server on port 50176) and device ids, which made this test fail now and then.
    log = server.log_text()
    assert "0176 1111111" not in log and "1111111" not in log and NEW_PHONE not in log


# --- a laptop's own publications once it is a member's ---------------------------------------

TEAM_PHONE = "0231 842-5555"


def _directory_with_phone(phone: str) -> dict[str, str]:
    files = reference.shipped_directory_files()
    job = files["jobcenter.yaml"].replace("phone: 0231 842-0", f"phone: {phone}")
    assert job != files["jobcenter.yaml"]
    return {**files, "jobcenter.yaml": job}


def _forms_with_label(label: str) -> dict[str, str]:
    files = {p.name: p.read_text(encoding="utf-8") for p in resource("forms").glob("*.yaml")}
    text = files["life_situation.yaml"]
    assert 'de: "Krankenversicherung"' in text
    text = text.replace('de: "Krankenversicherung"', f'de: "{label}"', 1)
    files["life_situation.yaml"] = with_version_raised(text)
    return files


def _insurance_label(session: Session) -> str:
    form = reference.forms_in_force(session.store)["life_situation"]
    return str(form.field("insurance_status").label["de"])


def _withdrawn_folders(session: Session) -> list[Path]:
    root = session.store.paths.data_dir / reference.WITHDRAWN_FOLDER
    return sorted(root.iterdir()) if root.is_dir() else []


def test_a_laptop_that_joins_as_a_members_uses_the_teams_publications_not_its_own(
    laptops: Laptops, server: ServerProcess
) -> None:
    """Used on its own first, a laptop published its own directory and forms; the team's
    coordinator published others, earlier. Joined as a member's laptop, it used to keep its own
    in force (its clock is the later one, and the merge takes the later clock), held back for
    good: letters with addresses the team never published, forms the team does not use. Now
    its own are withdrawn at its first sync (a copy kept as folders it can hand to the
    coordinator) and the team's apply, as on every other laptop."""
    a = laptops.new("A")
    reference.publish_directory(a.store, a.user, _directory_with_phone(TEAM_PHONE), "team")
    reference.publish_forms(a.store, a.user, _forms_with_label("Krankenkasse (Team)"), "team")
    laptops.sync(a)
    c = laptops.account("C")
    reference.publish_directory(c.store, c.user, _changed_directory(), "own")
    reference.publish_forms(c.store, c.user, _forms_with_label("Krankenkasse (eigene)"), "own")
    assert _jobcenter_phone(c) == NEW_PHONE
    sync_uc.join(c.store, server.base_url, server.enroll("C"), "C")
    approve_and_confirm(a, c, role=Role.ADVISOR)
    as_before_roles(server, a, c)  # every right on it, a member's laptop on the server
    (report,) = laptops.sync(c)
    assert _jobcenter_phone(c) == TEAM_PHONE
    assert _insurance_label(c) == "Krankenkasse (Team)"
    published = reference.published_directory(c.store)
    assert published is not None and published.note == "team"
    state = sync_uc.status(c.store)
    assert (state.held_back, state.pending_changes) == (0, 0)
    assert report.held_back == 0 and set(report.withdrawn) == {reference.SERVICES, reference.FORMS}
    # Nothing of its own is lost: each withdrawn publication is a folder that publishes as is.
    folders = _withdrawn_folders(c)
    assert sorted(Path(f).parent for f in report.withdrawn.values()) == [f.parent for f in folders]
    directory = Path(report.withdrawn[reference.SERVICES])
    assert f"phone: {NEW_PHONE}" in (directory / "jobcenter.yaml").read_text(encoding="utf-8")
    assert reference.check_files(reference.read_directory_files(directory))
    forms = Path(report.withdrawn[reference.FORMS])
    assert "Krankenkasse (eigene)" in (forms / "life_situation.yaml").read_text(encoding="utf-8")
    # Told once: the next sync withdraws nothing more, and the team's stay in force.
    (again,) = laptops.sync(c)
    assert again.withdrawn == {} and _jobcenter_phone(c) == TEAM_PHONE
    assert len(_withdrawn_folders(c)) == 2
    # The server got nothing of the laptop's own, and the coordinator's stay as published.
    assert {author for _r, kind, _v, author in _stored(server) if kind == "reference"} == {
        device_id(a)
    }
    laptops.sync(a)
    assert _jobcenter_phone(a) == TEAM_PHONE
    # The reverse order: with the team's data here, publishing is refused before anything.
    with pytest.raises(reference.PublishRefused) as refused:
        reference.publish_directory(c.store, c.user, _changed_directory())
    assert refused.value.code == "not_coordinator_laptop"
    with pytest.raises(reference.PublishRefused):
        reference.publish_forms(c.store, c.user, _forms_with_label("Noch eine"))
    assert _jobcenter_phone(c) == TEAM_PHONE and _insurance_label(c) == "Krankenkasse (Team)"


def test_a_team_publication_made_after_a_members_own_one_arrives_there_too(
    laptops: Laptops, server: ServerProcess
) -> None:
    """The other order of clocks: the laptop's own publication is the older one. The team's
    applies (as before), and now the held-back state ends as well: nothing waits to be sent."""
    a = laptops.new("A")
    c = laptops.account("C")
    reference.publish_directory(c.store, c.user, _changed_directory(), "own")
    reference.publish_directory(a.store, a.user, _directory_with_phone(TEAM_PHONE), "team")
    laptops.sync(a)
    sync_uc.join(c.store, server.base_url, server.enroll("C"), "C")
    approve_and_confirm(a, c, role=Role.ADVISOR)
    as_before_roles(server, a, c)  # every right on it, a member's laptop on the server
    (report,) = laptops.sync(c)
    assert _jobcenter_phone(c) == TEAM_PHONE
    assert sync_uc.status(c.store).held_back == 0
    assert list(report.withdrawn) == [reference.SERVICES]

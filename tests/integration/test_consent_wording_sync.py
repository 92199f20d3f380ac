"""A consent given on one laptop under a coordinator's text reads with that wording in the data
copy made on another laptop, after the publication holding the text was replaced there. Real
encrypted stores and a real server process on 127.0.0.1."""

from __future__ import annotations

import pytest
import yaml

from desktop_app.domain.users import Role
from desktop_app.usecases import reference
from tests.integration.sync_harness import Laptops
from tests.unit.security.test_consent_wording import (
    OWN_SHARING,
    OWN_VERSION,
    consent_data,
    later_release,
    later_shipped,
    new_text,
    publish_own_text,
    record_sharing,
    sharing_of,
    shipped_files,
)


def test_a_text_received_by_sync_stays_readable_after_the_next_publication(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    publish_own_text(a)
    person = record_sharing(a, read_in="bg")
    laptops.sync(a, b)
    assert reference.forms_in_force(b.store)["consent"].text_version == OWN_VERSION
    # An update ships consent form 5; the coordinator's next form (6) is made from it and
    # lacks the text of 2026-12-3. B has only that publication now.
    later_release(monkeypatch)
    files = shipped_files()
    data = yaml.safe_load(new_text(consent_data(), 6, "2027-01-1", {}))
    data["purposes"] = later_shipped().model_dump(mode="json")["purposes"]
    files["consent.yaml"] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    reference.publish_forms(a.store, a.user, files)
    laptops.sync(a, b)
    in_force = reference.forms_in_force(b.store)["consent"]
    assert in_force.version == 6 and in_force.consent_text(OWN_VERSION, "referral_sharing") is None

    sharing, content = sharing_of(b, person, "bg")
    assert (sharing["text"], sharing["text_language"]) == (OWN_SHARING["bg"], "bg")
    assert OWN_SHARING["bg"] in content


# The team's own wording under the same version name as the laptop's (text version 2026-12-3).
TEAM_SHARING = {
    "de": "Die Zentrale gibt meine Angaben an die unten genannte Stelle weiter (Text des Teams).",
    "bg": "Централата предава данните ми на службата, посочена по-долу (текст на екипа).",
    "ro": "Centrala transmite datele mele serviciului numit mai jos (textul echipei).",
    "en": "The central office passes my details to the service named below (the team's text).",
}


def test_two_wordings_under_one_version_each_consent_reads_with_its_own(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offline, laptop C publishes its own sharing text as 2026-12-3; the team publishes a
    different one under the same name. C keeps both. A consent recorded on C since this
    version names its wording exactly (a digest kept on C); one recorded before cannot tell,
    and its copy shows both wordings, numbered, and says so. Both while the team's form is in
    force and after an update outranked it (the texts then come from C's archive only)."""
    from desktop_app.usecases import sync as sync_uc
    from desktop_app.usecases.accounts import log_in
    from tests.conftest import downgrade_store
    from tests.integration.sync_harness import PASSWORD, approve_and_confirm, as_before_roles

    a = laptops.new("A")
    c = laptops.account("C")
    publish_own_text(c)
    before_update = record_sharing(c)
    # As if recorded by the version before this one: its store taken back, then opened again.
    downgrade_store(c.store, "consent_texts")
    c.close()
    c = log_in(laptops.tmp_path / "C", "anna", PASSWORD)
    laptops.sessions.append(c)
    own_text = record_sharing(c)

    files = shipped_files()
    files["consent.yaml"] = new_text(consent_data(), 4, OWN_VERSION, TEAM_SHARING)
    reference.publish_forms(a.store, a.user, files)
    laptops.sync(a)
    sync_uc.join(c.store, laptops.server.base_url, laptops.server.enroll("C"), "C")
    # Every right on C, a member's laptop on the server: its own publication is withdrawn.
    approve_and_confirm(a, c, role=Role.ADVISOR)
    as_before_roles(laptops.server, a, c)
    [report] = laptops.sync(c)
    assert list(report.withdrawn) == [reference.FORMS]
    in_force = reference.forms_in_force(c.store)["consent"]
    assert in_force.consent_text(OWN_VERSION, "referral_sharing") == TEAM_SHARING
    team_text = record_sharing(c)

    def check() -> None:
        for person, wording in ((own_text, OWN_SHARING), (team_text, TEAM_SHARING)):
            sharing, content = sharing_of(c, person, "ro")
            assert (sharing["text"], sharing["text_language"]) == (wording["ro"], "ro")
            assert not {"text_ambiguous", "texts", "text_digest"} & set(sharing)
            assert wording["ro"] in content
        sharing, content = sharing_of(c, before_update, "de")
        assert sharing["text_ambiguous"] is True and sharing["text_language"] == "de"
        assert sharing["text"].startswith("Unter dieser Fassung waren verschiedene Wortlaute")
        shown = sorted(
            (t["text"], t["text_language"], t["text_translation"]) for t in sharing["texts"]
        )
        assert shown == sorted((w["ro"], "ro", w["de"]) for w in (OWN_SHARING, TEAM_SHARING))
        assert "Unter dieser Fassung waren verschiedene Wortlaute" in content
        for number in (1, 2):
            assert f"Wortlaut {number} Auf Rumänisch:" in content
            assert f"Übersetzung {number}" in content
        for wording in (OWN_SHARING, TEAM_SHARING):
            assert wording["ro"] in content and wording["de"] in content

    check()
    # An update ships consent form 5: the team's publication (4) is no longer in force.
    later_release(monkeypatch)
    assert reference.forms_in_force(c.store)["consent"].consent_text(OWN_VERSION, "advice") is None
    check()

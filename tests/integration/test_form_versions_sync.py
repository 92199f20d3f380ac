"""Every published form definition is kept on a laptop, also those it received by sync and
that are no longer in force: a skills check recorded under an intermediate version (3, while 4
is in force) is told in version 3's words. Real encrypted stores and a real server process on
127.0.0.1; the shipped skills check is version 2, the coordinator publishes 3 and then 4."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from desktop_app.usecases import data_rights, form_definitions, reference, referrals
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases import visits as visits_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops
from tests.unit.forms.test_forms_evaluator import full_skills_check
from tests.unit.security.test_data_rights import _person
from tests.unit.test_form_definitions import SHIPPED, V3, V4, _partly, skills_files
from tests.unit.test_reference_forms import _edit, _shipped


def record_v3_check(laptops: Laptops) -> tuple[Session, Session, str, str]:
    """A coordinator's laptop A publishes version 3; B receives it and records a check with
    "partly" under it; A then publishes version 4, which B receives. Returns A, B, the person
    and the visit."""
    a, b = laptops.new("A"), laptops.new("B")
    assert reference.shipped_forms()["skills_check"].version == 2
    reference.publish_forms(a.store, a.user, skills_files(3), "Lesen: genauer")
    laptops.sync(a, b)
    assert reference.forms_in_force(b.store)["skills_check"].version == 3
    person = _person(b)
    partly = full_skills_check() | {"latin_literacy": "partly"}
    visit = visits_uc.finish_visit(b.store, b.user, person, "skills_check", partly)
    assert visit.form_version == 3
    reference.publish_forms(a.store, a.user, skills_files(4), "Lesebrille")
    laptops.sync(a, b)
    assert reference.forms_in_force(b.store)["skills_check"].version == 4
    return a, b, person, visit.id


def test_a_check_of_an_intermediate_version_reads_in_its_words_after_the_next_arrives(
    laptops: Laptops,
) -> None:
    _a, b, person, visit_id = record_v3_check(laptops)
    # B keeps both publications it received; version 3 is no longer in force anywhere.
    kept = {(f.id, f.version) for f in form_definitions.kept_forms(b.store)}
    assert {("skills_check", 3), ("skills_check", 4)} <= kept
    v3 = reference.form_of_version(b.store, "skills_check", 3)
    assert v3 is not None and _partly(v3, "de") == V3["de"]
    visit = visits_uc.get_visit(b.store, b.user, visit_id)
    assert visit is not None
    told = visits_uc.form_recorded_in(b.store, "skills_check", 3, visit.answers)
    assert told.version == 3
    # what letters and the person's page tell
    facts = referrals.skills_facts(b.store, b.user, person)
    assert facts is not None and facts.latin_literacy.get("de") == V3["de"]
    # the data copy, in the person's language and in German
    for lang in ("de", "ro"):
        _raw, pdf = data_rights.export_person(b.store, b.user, person, lang=lang)
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            content = " ".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)
        assert V3[lang] in content, lang
        assert V4[lang] not in content and SHIPPED[lang] not in content, lang
    # A check recorded now is version 4's, and told in its words.
    partly = full_skills_check() | {"latin_literacy": "partly"}
    visits_uc.finish_visit(b.store, b.user, person, "skills_check", partly)
    facts = referrals.skills_facts(b.store, b.user, person)
    assert facts is not None and facts.latin_literacy.get("de") == V4["de"]


def test_a_laptop_that_joins_later_keeps_only_what_it_received(laptops: Laptops) -> None:
    """A laptop that first syncs after version 4 was published receives only the record in
    force (a publication replaces the one before): it knows 2 and 4, and tells a check of
    version 3 synced to it in version 4's words, as before (nothing better is known)."""
    _a, b, person, visit_id = record_v3_check(laptops)
    c = laptops.new("C")
    laptops.sync(b, c)
    kept = {(f.id, f.version) for f in form_definitions.kept_forms(c.store)}
    assert ("skills_check", 4) in kept and ("skills_check", 3) not in kept
    assert reference.form_of_version(c.store, "skills_check", 3) is None
    visit = visits_uc.get_visit(c.store, c.user, visit_id)
    assert visit is not None and visit.form_version == 3
    assert visits_uc.form_recorded_in(c.store, "skills_check", 3, visit.answers).version == 4
    facts = referrals.skills_facts(c.store, c.user, person)
    assert facts is not None and facts.latin_literacy.get("de") == V4["de"]


def test_the_forms_publication_is_parsed_once_per_content(laptops: Laptops) -> None:
    """The forms window and the notice of publications read the publication after every sync
    (``published_forms``): its YAML was parsed at each call. Parsed once per content now, and a
    new publication that a sync brings is seen at once."""
    a, b = laptops.new("A"), laptops.new("B")
    reference.publish_forms(a.store, a.user, skills_files(3), "Lesen: genauer")
    laptops.sync(a, b)
    before = reference.forms_parsed()
    first = reference.published_forms(b.store)
    assert first is not None and first.count == 3 and first.note == "Lesen: genauer"
    # at most once (A's own check may have parsed the same files in this process)
    assert reference.forms_parsed() - before <= 1
    parsed = reference.forms_parsed()
    for _ in range(3):
        laptops.sync(b)  # nothing new
        again = reference.published_forms(b.store)
        assert again == first
        assert reference.forms_in_force(b.store)["skills_check"].version == 3
    assert reference.forms_parsed() == parsed
    # A new publication arrives: seen at the next call, parsed once.
    reference.publish_forms(a.store, a.user, skills_files(4), "Lesebrille")
    laptops.sync(a, b)
    newer = reference.published_forms(b.store)
    assert newer is not None and newer.revision > first.revision and newer.note == "Lesebrille"
    assert reference.forms_in_force(b.store)["skills_check"].version == 4
    parsed = reference.forms_parsed()
    assert reference.published_forms(b.store) == newer
    assert reference.forms_parsed() == parsed


# Laptop C's own words for "partly", published offline as version 3 of the skills check.
OWN = {"de": "teilweise: eigene Worte", "ro": "parțial: cuvinte proprii"}


def _own_v3() -> dict[str, str]:
    files = _shipped()
    for lang in ("de", "ro"):
        _edit(
            files,
            "skills_check.yaml",
            f'{lang}: "{SHIPPED[lang]}"',
            f'{lang}: "{OWN[lang]}"',
            bump=lang == "de",
        )
    return files


@pytest.mark.parametrize("team_at", [3, 4])
def test_a_version_a_laptop_also_published_itself_is_told_in_the_teams_words(
    laptops: Laptops, team_at: int
) -> None:
    """Offline, laptop C publishes its own version 3 of the skills check and records a check
    under it; the team publishes another version 3 and A records a check under it. C joins as
    a member's laptop: its own publication is withdrawn, and a check of version 3 is told on C
    as on every other laptop. Where the team's version 3 reaches C, in its words (the first
    kept, C's own, stayed: A's check read in C's words); where the team is at version 4 by
    then (C receives only that), in version 4's, as a laptop that never knew version 3."""
    from desktop_app.domain.users import Role
    from tests.integration.sync_harness import approve_and_confirm, as_before_roles

    a = laptops.new("A")
    c = laptops.account("C")
    reference.publish_forms(c.store, c.user, _own_v3())
    own = reference.form_of_version(c.store, "skills_check", 3)
    assert own is not None and _partly(own, "de") == OWN["de"]  # read once: cached
    partly = full_skills_check() | {"latin_literacy": "partly"}
    on_c = visits_uc.finish_visit(c.store, c.user, _person(c), "skills_check", partly)
    reference.publish_forms(a.store, a.user, skills_files(3))
    on_a = visits_uc.finish_visit(a.store, a.user, _person(a), "skills_check", partly)
    assert on_c.form_version == on_a.form_version == 3
    if team_at == 4:
        reference.publish_forms(a.store, a.user, skills_files(4))
    laptops.sync(a)
    sync_uc.join(c.store, laptops.server.base_url, laptops.server.enroll("C"), "C")
    approve_and_confirm(a, c, role=Role.ADVISOR)
    as_before_roles(laptops.server, a, c)
    [report] = laptops.sync(c)
    assert list(report.withdrawn) == [reference.FORMS]
    assert reference.forms_in_force(c.store)["skills_check"].version == team_at
    words = V3 if team_at == 3 else V4
    v3 = reference.form_of_version(c.store, "skills_check", 3)
    if team_at == 3:
        assert v3 is not None and _partly(v3, "de") == V3["de"]
    else:
        assert v3 is None
    for visit_id in (on_a.id, on_c.id):
        visit = visits_uc.get_visit(c.store, c.user, visit_id)
        assert visit is not None and visit.form_version == 3
        told = visits_uc.form_recorded_in(c.store, "skills_check", 3, visit.answers)
        assert _partly(told, "de") == words["de"], visit_id
        shown = visits_uc.form_worded_as_recorded(c.store, "skills_check", 3)
        assert _partly(shown, "ro") == words["ro"]
    # A, which never knew C's words, tells C's check in the team's version 3's (C does too
    # where it received them; where it did not, it knows no version 3 at all)
    laptops.sync(c, a)
    visit = visits_uc.get_visit(a.store, a.user, on_c.id)
    assert visit is not None
    told = visits_uc.form_recorded_in(a.store, "skills_check", 3, visit.answers)
    assert _partly(told, "de") == V3["de"]


def test_the_upgrade_keeps_a_publication_received_by_sync_as_the_teams(laptops: Laptops) -> None:
    """Migration 0042 on a laptop that received the team's publication: its definitions are
    the team's (a laptop's own publication of the same version later never replaces them)."""
    from sqlalchemy import text

    from desktop_app.usecases.accounts import log_in
    from tests.conftest import downgrade_store
    from tests.integration.sync_harness import PASSWORD

    a, b = laptops.new("A"), laptops.new("B")
    reference.publish_forms(a.store, a.user, skills_files(3))
    laptops.sync(a, b)
    downgrade_store(b.store, "draft_form_version")
    b.close()
    again = log_in(laptops.tmp_path / "B", "anna", PASSWORD)
    laptops.sessions.append(again)
    with again.store.reading() as db:
        sources = db.execute(text("SELECT DISTINCT source FROM form_definitions")).all()
    assert sources == [("team",)]
    v3 = reference.form_of_version(again.store, "skills_check", 3)
    assert v3 is not None and _partly(v3, "de") == V3["de"]

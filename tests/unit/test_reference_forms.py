"""Publishing form definitions: what an edit may change, what is in force, who may publish."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.forms import FormDefinitionError
from desktop_app.forms.definition import form_from_mapping
from desktop_app.i18n.text import set_language
from desktop_app.paths import resource
from desktop_app.usecases import accounts, people, reference
from desktop_app.usecases.accounts import Session
from tests.conftest import shipped_version, with_version_raised

PASSWORD = "correct horse 42"
# A new yes/no question placed before the insurance status (a compatible addition).
ADDED_FIELD = (
    "      - id: insurance_number_known\n"
    "        type: yes_no_unknown\n"
    '        label: {de: "Versichertennummer bekannt?", bg: "Известен ли е осигурителният '
    'номер?", ro: "Numărul de asigurat este cunoscut?", en: "Insurance number known?"}\n'
    "      - id: insurance_status\n"
)


def _shipped() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in resource("forms").glob("*.yaml")}


def raised_version(text: str) -> str:
    """A form definition's text with its ``version`` one higher (an edit to publish)."""
    return re.sub(
        r"^version: (\d+)$", lambda m: f"version: {int(m[1]) + 1}", text, count=1, flags=re.M
    )


def _edit(files: dict[str, str], name: str, old: str, new: str, *, bump: bool = True) -> None:
    text = files[name]
    assert old in text, old
    text = text.replace(old, new, 1)
    if bump:
        text = raised_version(text)
    files[name] = text


def _refused(session: Session, files: dict[str, str]) -> reference.IncompatibleForms:
    with pytest.raises(reference.IncompatibleForms) as caught:
        reference.check_forms(session.store, files)
    return caught.value


def _codes(session: Session, files: dict[str, str]) -> set[str]:
    return {p.code for _f, p in _refused(session, files).problems}


def test_a_reworded_form_with_a_new_version_is_in_force_after_publishing(
    session: Session,
) -> None:
    files = _shipped()
    _edit(files, "life_situation.yaml", 'de: "Krankenversicherung"', 'de: "Krankenkasse heute"')
    assert reference.forms_in_force(session.store) == reference.shipped_forms()
    done = reference.publish_forms(session.store, session.user, files, "Wording")
    assert (done.count, done.note) == (3, "Wording")
    life = reference.forms_in_force(session.store)["life_situation"]
    assert life.version == shipped_version("life_situation") + 1
    assert life.field("insurance_status").label["de"] == "Krankenkasse heute"
    # The unchanged forms are the shipped ones still; the stored answers' fields all remain.
    assert (
        reference.forms_in_force(session.store)["consent"] is reference.shipped_forms()["consent"]
    )


def test_a_changed_form_needs_a_new_version(session: Session) -> None:
    files = _shipped()
    _edit(files, "life_situation.yaml", 'de: "Krankenversicherung"', 'de: "KV"', bump=False)
    assert _codes(session, files) == {"version_not_raised"}


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("      - id: insurance_status\n", "      - id: insurance_now\n", "field_removed"),
        (
            "      - id: family_name\n        type: text",
            "      - id: family_name\n        type: multiline",
            "field_retyped",
        ),
        (
            "    restricted: health\n    requires_consent: advice\n",
            "    requires_consent: advice\n",
            "restriction_lifted",
        ),
        (
            "        restricted: exploitation\n        requires_consent: advice\n        label: "
            '{de: "Hinweise auf ausbeuterische Vermietung"',
            "        restricted: exploitation\n        label: "
            '{de: "Hinweise auf ausbeuterische Vermietung"',
            "consent_requirement_lifted",
        ),
    ],
)
def test_edits_that_would_break_stored_answers_are_refused(
    session: Session, old: str, new: str, code: str
) -> None:
    files = _shipped()
    _edit(files, "life_situation.yaml", old, new)
    try:
        codes = _codes(session, files)
    except FormDefinitionError:  # renaming may also break a rule that names the field
        assert code == "field_removed"
        return
    assert code in codes


def test_a_removed_option_is_refused_and_named(session: Session) -> None:
    files = _shipped()
    text = files["life_situation.yaml"]
    line = next(x for x in text.splitlines() if "{id: freedom_restricted," in x)
    files["life_situation.yaml"] = with_version_raised(text.replace(line + "\n", ""))
    refused = _refused(session, files)
    [(form_id, problem)] = refused.problems
    assert (form_id, problem.code) == ("life_situation", "option_removed")
    assert "freedom_restricted" in problem.where
    set_language("ro")
    try:
        [message] = reference.problem_messages(refused)
    finally:
        set_language("en")
    assert message.startswith("life_situation.yaml:") and "Varianta de răspuns" in message


# A choice's id renamed to reword it: the refusal said which ids "must stay", not that only the
# label may change, nor how. Said, with the id to keep, in each language.
RENAMED_ID_SAYS = {
    "en": "Only a choice's label may change: keep “id: freedom_restricted” as it was",
    "de": "Ändern darf sich nur die Beschriftung (label): Lassen Sie „id: freedom_restricted“",
    "bg": "Може да се променя само надписът (label): оставете „id: freedom_restricted“",
    "ro": "Se poate schimba doar eticheta (label): păstrați „id: freedom_restricted”",
}


@pytest.mark.parametrize("lang", sorted(RENAMED_ID_SAYS))
def test_a_choice_id_renamed_is_refused_saying_only_its_label_may_change(
    session: Session, lang: str
) -> None:
    files = _shipped()
    text = files["life_situation.yaml"]
    line = next(x for x in text.splitlines() if "{id: freedom_restricted," in x)
    renamed = line.replace("{id: freedom_restricted,", "{id: freedom_limited,")
    files["life_situation.yaml"] = with_version_raised(text.replace(line, renamed))
    refused = _refused(session, files)
    set_language(lang)
    try:
        [message] = reference.problem_messages(refused)
    finally:
        set_language("en")
    assert RENAMED_ID_SAYS[lang] in message, message
    assert "freedom_restricted" in message.split(":", 1)[1]


# The texts of 2026-12-2, as an earlier text a form with a newer text_version must keep.
def _current_as_earlier(version: str = "2026-12-2") -> str:
    consent = reference.shipped_forms()["consent"]
    lines = [f'  - text_version: "{version}"', "    purposes:"]
    for purpose in consent.purposes:
        lines.append(f"      {purpose.id}:")
        lines += [f'        {lang}: "{text}"' for lang, text in purpose.text.items()]
    return "\n".join(lines) + "\n"


EARLIER = "earlier_texts:\n"


def test_consent_text_changes_need_a_new_text_version(session: Session) -> None:
    """A new wording needs a new text_version, and the wording it replaces stays among the
    earlier texts word for word: consents given under it still show what they agreed to."""
    files = _shipped()
    _edit(files, "consent.yaml", "Ich bin damit einverstanden", "Ich willige ein")
    assert _codes(session, files) == {"consent_text_without_version"}
    _edit(files, "consent.yaml", 'text_version: "2026-12-2"', 'text_version: "2026-12-3"')
    refused = _refused(session, files)
    assert [(p.code, p.where) for _f, p in refused.problems] == [
        ("earlier_text_removed", "2026-12-2")
    ]
    set_language("de")
    assert reference.problem_messages(refused) == [
        "consent.yaml: Der Einwilligungstext „2026-12-2“ muss unter earlier_texts im Formular "
        "bleiben: Einwilligungen, die mit ihm erteilt wurden, verweisen auf ihn."
    ]
    # Kept, but not as it was (the new wording instead of the old): refused, per purpose.
    reworded = _current_as_earlier().replace("Ich bin damit einverstanden", "Ich willige ein")
    keeping = files["consent.yaml"].replace(EARLIER, f"{EARLIER}{reworded}", 1)
    assert _codes(session, {**files, "consent.yaml": keeping}) == {"earlier_text_changed"}
    files["consent.yaml"] = files["consent.yaml"].replace(
        EARLIER, f"{EARLIER}{_current_as_earlier()}", 1
    )
    assert set(reference.check_forms(session.store, files)) == {
        "consent",
        "life_situation",
        "skills_check",
    }
    reference.publish_forms(session.store, session.user, files)
    consent = reference.forms_in_force(session.store)["consent"]
    assert consent.text_version == "2026-12-3"
    assert [e.text_version for e in consent.earlier_texts] == [
        "2026-12-2",
        "2026-12-1",
        "2026-11-1",
    ]
    advice = consent.consent_text("2026-12-2", "advice")
    assert advice is not None and advice["de"].startswith("Ich bin damit einverstanden")


def test_an_earlier_consent_text_may_not_be_dropped_or_changed(session: Session) -> None:
    files = _shipped()
    text = files["consent.yaml"]
    start, end = text.index("earlier_texts:\n"), text.index("\nsections:\n")
    _edit(files, "consent.yaml", text[start:end], "")
    refused = _refused(session, files)
    assert [(p.code, p.where) for _f, p in refused.problems] == [
        ("earlier_text_removed", "2026-12-1"),
        ("earlier_text_removed", "2026-11-1"),
    ]
    set_language("bg")
    message = reference.problem_messages(refused)[1]
    assert message.startswith("consent.yaml: Текстът за съгласие „2026-11-1“ трябва да остане")
    files = _shipped()
    _edit(files, "consent.yaml", "einem Überweisungsschreiben", "einem Vermittlungsschreiben")
    refused = _refused(session, files)
    assert [(p.code, p.where) for _f, p in refused.problems] == [
        ("earlier_text_changed", "2026-11-1: referral_sharing")
    ]
    set_language("ro")
    [message] = reference.problem_messages(refused)
    assert message == (
        "consent.yaml: Textul de consimțământ anterior „2026-11-1: referral_sharing” trebuie să "
        "rămână exact așa cum a fost: consimțămintele acordate pe baza lui fac trimitere la el."
    )


def test_additions_are_allowed_and_a_later_edit_must_keep_them(session: Session) -> None:
    files = _shipped()
    _edit(files, "life_situation.yaml", "      - id: insurance_status\n", ADDED_FIELD)
    reference.publish_forms(session.store, session.user, files)
    assert reference.forms_in_force(session.store)["life_situation"].field("insurance_number_known")
    # Going back to the shipped form would drop a field answers may now be stored in.
    assert _codes(session, _shipped()) == {"field_removed", "version_lower"}


def test_a_published_consent_form_without_the_service_suggestion_still_loads(
    session: Session,
) -> None:
    """A coordinator's copy exported before the shipped form suggested service names: it
    publishes, is in force, and its field just completes nothing; putting it back is fine too."""
    suggest = "        suggest: services\n"
    files = _shipped()
    _edit(files, "consent.yaml", suggest, "")
    _edit(files, "consent.yaml", 'en: "Name of the service"', 'en: "Service named"', bump=False)
    reference.publish_forms(session.store, session.user, files)
    consent = reference.forms_in_force(session.store)["consent"]
    shipped = reference.shipped_forms()["consent"].version
    assert consent.version == shipped + 1 and consent.field("shared_with_service").suggest is None
    assert consent.suggestion_lists() == frozenset()
    _edit(files, "consent.yaml", "        max_length: 300\n", "        max_length: 300\n" + suggest)
    files["consent.yaml"] = raised_version(files["consent.yaml"])
    assert set(reference.check_forms(session.store, files)) >= {"consent"}


def test_unknown_missing_and_misnamed_forms_are_refused(session: Session) -> None:
    files = _shipped()
    with pytest.raises(reference.PublishRefused) as caught:
        reference.check_forms(session.store, {**files, "extra.yaml": files["consent.yaml"]})
    assert caught.value.code in ("unknown_form", "form_id_not_file_name")
    del files["consent.yaml"]
    with pytest.raises(reference.PublishRefused) as caught:
        reference.check_forms(session.store, files)
    assert (caught.value.code, caught.value.file) == ("form_missing", "consent.yaml")


def test_a_newer_shipped_version_wins_over_an_older_publication(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _shipped()
    _edit(files, "skills_check.yaml", "\ntitle:", "\ntitle:", bump=True)
    reference.publish_forms(session.store, session.user, files)
    published = shipped_version("skills_check") + 1
    assert reference.forms_in_force(session.store)["skills_check"].version == published
    shipped = dict(reference.shipped_forms())
    newer = shipped["skills_check"].model_copy(update={"version": published + 1})
    monkeypatch.setattr(reference, "shipped_forms", lambda: {**shipped, "skills_check": newer})
    assert reference.forms_in_force(session.store)["skills_check"] is newer


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.HELPER])
def test_only_coordinators_publish_or_export_forms(
    session: Session, tmp_path: Path, role: Role
) -> None:
    accounts.add_user(session, "bea", "Bea", role, PASSWORD)
    other = accounts.log_in(session.store.paths.data_dir, "bea", PASSWORD)
    try:
        with pytest.raises(PermissionDenied):
            reference.publish_forms(other.store, other.user, _shipped())
        with pytest.raises(PermissionDenied):
            reference.export_forms(other.store, other.user, tmp_path / "x")
    finally:
        other.close()
    assert reference.published_forms(session.store) is None


def test_export_writes_what_is_in_force(session: Session, tmp_path: Path) -> None:
    files = _shipped()
    _edit(files, "life_situation.yaml", 'de: "Krankenversicherung"', 'de: "Krankenkasse heute"')
    reference.publish_forms(session.store, session.user, files)
    assert reference.export_forms(session.store, session.user, tmp_path / "out") == 3
    exported = (tmp_path / "out" / "life_situation.yaml").read_text(encoding="utf-8")
    assert "Krankenkasse heute" in exported
    assert (tmp_path / "out" / "consent.yaml").read_text(encoding="utf-8") == _shipped()[
        "consent.yaml"
    ]


def test_visits_use_the_published_form(session: Session) -> None:
    from desktop_app.usecases import visits
    from tests.unit.test_visits import PERSON, TODAY, consent_answers, full_life_situation

    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    answers = {**full_life_situation(), "insurance_number_known": "yes"}
    before = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    shipped = shipped_version("life_situation")
    assert "insurance_number_known" not in before.answers and before.form_version == shipped
    files = _shipped()
    _edit(files, "life_situation.yaml", "      - id: insurance_status\n", ADDED_FIELD)
    reference.publish_forms(store, user, files)
    after = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    assert after.answers["insurance_number_known"] == "yes" and after.form_version == shipped + 1
    # The visit stored under the shipped version still reads with the published form.
    history = visits.visit_history(store, user, PERSON)
    assert {v.form_version for v in history} == {shipped, shipped + 1}


def test_a_visit_of_the_earlier_version_is_corrected_without_the_question_added_since(
    session: Session,
) -> None:
    """A required question published after a visit was recorded: a correction of that visit
    (another answer) is stored without it, and the visit stays the earlier version's, so the
    next correction needs no answer either; answered, the visit is the new version's. The
    correction was refused until someone answered, for the person, a question never put to
    them."""
    from desktop_app.forms import InvalidAnswers
    from desktop_app.usecases import visits
    from tests.unit.test_visits import PERSON, TODAY, consent_answers, full_life_situation

    store, user = session.store, session.user
    visits.record_consent(store, user, PERSON, consent_answers(), today=TODAY)
    answers = full_life_situation()
    visit = visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    shipped = shipped_version("life_situation")
    files = _shipped()
    required = ADDED_FIELD.replace(
        "type: yes_no_unknown\n", "type: yes_no_unknown\n        required: true\n"
    )
    _edit(files, "life_situation.yaml", "      - id: insurance_status\n", required)
    reference.publish_forms(store, user, files)
    definition = visits.form("life_situation", store)
    assert visits.not_asked(definition, visit.answers, visit.form_version) >= {
        "insurance_number_known"
    }
    with pytest.raises(InvalidAnswers):  # a new visit is asked it
        visits.finish_visit(store, user, PERSON, "life_situation", answers, today=TODAY)
    for household in (5, 6):  # corrected twice
        edited = visits.edit_visit(store, user, visit.id, {**answers, "household_size": household})
        assert edited.answers["household_size"] == household
        assert "insurance_number_known" not in edited.answers
        assert edited.form_version == shipped
    answered = {**answers, "household_size": 6, "insurance_number_known": "no"}
    edited = visits.edit_visit(store, user, visit.id, answered)
    assert edited.answers["insurance_number_known"] == "no"
    assert edited.form_version == shipped + 1


def test_the_shipped_consent_form_raised_its_version_with_each_text() -> None:
    """The README's rule: a new consent text raises ``text_version`` and ``version``. The
    form began at version 1 with no earlier texts; each new text adds one."""
    consent = reference.shipped_forms()["consent"]
    assert consent.version >= 1 + len(consent.earlier_texts)


def _consent_form_of(text_version: str, version: int) -> str:
    """The shipped consent form as it was while ``text_version`` was its text (that text in
    force, the texts before it earlier), at ``version``."""
    data = yaml.safe_load(_shipped()["consent.yaml"])
    earlier = data["earlier_texts"]
    kept = next(i for i, e in enumerate(earlier) if e["text_version"] == text_version)
    for purpose in data["purposes"]:
        purpose["text"] = earlier[kept]["purposes"][purpose["id"]]
    data.update(version=version, text_version=text_version, earlier_texts=earlier[kept + 1 :])
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_a_new_shipped_consent_text_outranks_a_form_published_under_the_old_one(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped consent form kept version 1 through two new texts: a coordinator's form
    published under an older text (version 2, the least they could publish) stayed in force
    after the update, and consents went on being recorded under the old wording. Raised, the
    shipped text is in force; consents recorded before keep their text in the data copy."""
    from desktop_app.usecases import data_rights, visits
    from tests.unit.test_visits import consent_answers

    store, user = session.store, session.user
    person = people.register_person(
        store, user, PersonDraft("Ioana", "Popa", "1990"), confirm_duplicates=True
    ).id
    answers = {**consent_answers(), "consent_language": "ro"}
    answers.update(consent_referral_sharing="given", shared_with_service="Jobcenter Dortmund")
    shipped = reference.shipped_forms()
    # The Welcome Desk before the text of 2026-12-2: its consent form at version 1.
    before = form_from_mapping(yaml.safe_load(_consent_form_of("2026-12-1", 1)))
    with monkeypatch.context() as older:
        older.setattr(reference, "shipped_forms", lambda: {**shipped, "consent": before})
        files = _shipped()
        files["consent.yaml"] = _consent_form_of("2026-12-1", 2).replace(
            "Name der Stelle", "Name der Stelle (wie im Schreiben)"
        )
        reference.publish_forms(store, user, files)
        assert reference.forms_in_force(store)["consent"].version == 2
        [recorded] = {c.text_version for c in visits.record_consent(store, user, person, answers)}
        assert recorded == "2026-12-1"
    # Updated: the shipped text is in force, not the publication under the old one.
    in_force = reference.forms_in_force(store)["consent"]
    assert in_force is shipped["consent"] and in_force.text_version == "2026-12-2"
    [recorded] = {c.text_version for c in visits.record_consent(store, user, person, answers)}
    assert recorded == "2026-12-2"
    raw, _pdf = data_rights.export_person(store, user, person, lang="ro")
    sharing = {
        c["text_version"]: c["text"]
        for c in json.loads(raw)["consents"]
        if c["purpose"] == "referral_sharing"
    }
    assert "scrisoare de recomandare" in sharing["2026-12-1"]
    assert "scrisoare de trimitere" in sharing["2026-12-2"]
    # A coordinator's next edit starts from the shipped form; a laptop not yet updated (its
    # form still at version 1) uses it too, with the new text.
    files = _shipped()
    _edit(files, "consent.yaml", "Name der Stelle", "Name der Stelle (wie im Schreiben)")
    reference.publish_forms(store, user, files)
    published = reference.forms_in_force(store)["consent"]
    assert published.version == shipped["consent"].version + 1
    with monkeypatch.context() as older:
        older.setattr(reference, "shipped_forms", lambda: {**shipped, "consent": before})
        on_older = reference.forms_in_force(store)["consent"]
        assert on_older.version == published.version and on_older.text_version == "2026-12-2"

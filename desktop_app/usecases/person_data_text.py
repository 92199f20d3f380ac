"""A person's data as they can read it: the entries of the access export's PDF with forms,
questions, answers, consent purposes and services named in the document's language.

The JSON copy keeps the stored codes (machine-readable, Art. 20); the PDF (Art. 15) says what
they mean. Both hold each consent's wording as it read under the text version it was given
under (``with_consent_texts``). Codes that no longer have a label (a question taken out of a
later form) stay as they are, so nothing held is left out.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from desktop_app.forms.consent_texts import wording_digest
from desktop_app.forms.definition import CEFR_LEVELS, FieldDef, FieldType, FormDefinition
from desktop_app.forms.labels import label as pick
from desktop_app.forms.newer import recorded_in
from desktop_app.i18n.formatting import (
    date_locale,
    format_appointment,
    format_moment,
    format_partial_date,
    language_name,
)
from desktop_app.i18n.messages import (
    APPOINTMENT_CHANGE,
    CEFR_ASSESSMENT_TEXT,
    CEFR_LEVEL_TEXT,
    REFERRAL_STATUS,
    SEX_NAMES,
    STEP_DECISIONS,
    removed_service_name,
)
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.letters.person_data_pdf import KEY_LABELS
from desktop_app.letters.texts import default_letter_texts
from desktop_app.usecases.person_data import AWAITING_SIGN_OFF
from desktop_app.usecases.person_data_authors import KEY as RECORDED_BY
from desktop_app.usecases.person_data_authors import KEYS as RECORDED_BY_KEYS
from desktop_app.usecases.person_data_authors import recorded_by_text

Row = Mapping[str, object]

#: keys whose values are moments or days, written as the document's language writes them
MOMENTS = frozenset(
    {"finished_at", "created_at", "given_on", "appointment", "since", "started_at", "updated_at"}
)

YES_NO_UNKNOWN = {"yes": N_("yes"), "no": N_("no"), "unknown": N_("don't know")}


def _answer(fdef: FieldDef | None, value: Any, lang: str) -> object:
    if fdef is None:
        return value
    if isinstance(value, list):
        if fdef.type == FieldType.GROUP:
            return [_group_item(fdef, item, lang) for item in value]
        return [_answer(fdef, v, lang) for v in value]
    if fdef.type == FieldType.CEFR and isinstance(value, Mapping):
        return _language_level(value, lang)
    if not isinstance(value, str):
        return value
    if fdef.type == FieldType.DATE:
        try:
            return format_partial_date(value, lang)  # 2. Apr. 1991, not 1991-04-02
        except ValueError:
            return value
    if fdef.type == FieldType.YES_NO_UNKNOWN and value in YES_NO_UNKNOWN:
        return gettext_in(lang, YES_NO_UNKNOWN[value])
    if fdef.type == FieldType.CEFR and value in CEFR_LEVELS:
        return gettext_in(lang, CEFR_LEVEL_TEXT[value])
    option = fdef.option(value)
    return pick(option.label, lang) if option is not None else value


def _language_level(value: Mapping[str, Any], lang: str) -> object:
    """A language level as stored ({"level": "A2", "assessed": "self"}) as the person reads
    it, "A2 – elementary (self-assessed)"; a value of another shape stays as it is."""
    level, how = value.get("level"), value.get("assessed")
    if level not in CEFR_LEVEL_TEXT or (how is not None and how not in CEFR_ASSESSMENT_TEXT):
        return dict(value)
    text = gettext_in(lang, CEFR_LEVEL_TEXT[level])
    return f"{text} ({gettext_in(lang, CEFR_ASSESSMENT_TEXT[how])})" if how else text


def _group_item(fdef: FieldDef, item: Any, lang: str) -> object:
    if not isinstance(item, Mapping):
        return item
    out: dict[str, object] = {}
    for key, value in item.items():
        sub = fdef.subfield(str(key))
        out[pick(sub.label, lang) if sub else str(key)] = _answer(sub, value, lang)
    return out


def _answers(form: FormDefinition | None, answers: object, lang: str) -> object:
    if form is None or not isinstance(answers, Mapping):
        return answers
    out: dict[str, object] = {}
    # In the form's order (answers are stored sorted by their internal keys), then any the
    # form no longer asks.
    order = {f.id: i for i, f in enumerate(form.fields())}
    for field_id, value in sorted(
        answers.items(), key=lambda kv: order.get(str(kv[0]), len(order))
    ):
        try:
            fdef: FieldDef | None = form.field(str(field_id))
        except KeyError:
            fdef = None
        out[pick(fdef.label, lang) if fdef else str(field_id)] = _answer(fdef, value, lang)
    return out


def _next_steps(form: FormDefinition | None, steps: object, lang: str) -> object:
    if form is None or not isinstance(steps, Mapping):
        return steps
    rules = {rule.id: rule for rule in form.next_steps}
    return {
        pick(rules[s].label, lang) if s in rules else str(s): (
            gettext_in(lang, STEP_DECISIONS[d]) if d in STEP_DECISIONS else d
        )
        for s, d in steps.items()
    }


def _moment(value: object, lang: str) -> object:
    """An ISO date or date-time, or a record's clock stamp, as ``lang`` writes it (the time in
    the laptop's zone, to the minute); anything else (an empty value) as it is."""
    if not isinstance(value, str) or len(value) < 10:
        return value
    from babel.dates import format_date

    if _CLOCK.match(value):  # "1796339381527-00000-<device>": its wall time
        moment = dt.datetime.fromtimestamp(int(value[:13]) / 1000, dt.UTC)
    elif value[4:5] == "-":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if len(value) == 10:
            return format_date(moment.date(), "medium", locale=date_locale(lang))
    else:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return format_moment(moment, lang)


_CLOCK = re.compile(r"[0-9]{13}-[0-9]{5}-")
# The sections an advisor can open to a helper (``access``), as the person reads them.
_SECTIONS = {"health": N_("Health details"), "exploitation": N_("Notes on exploitation")}


def _purposes(forms: Mapping[str, FormDefinition]) -> dict[str, Mapping[str, str]]:
    return {p.id: p.label for form in forms.values() for p in form.purposes}


#: a consent whose text version was never in force here (given on another laptop under a
#: publication this one never received) nor is in a form here
TEXT_UNKNOWN = N_(
    "The wording of this version is not available in this copy. Please ask the advice service "
    "for it."
)
#: a consent whose text version names texts that differ (a laptop's own publication that
#: picked the team's version name), recorded where or when its exact wording was not noted
TEXT_AMBIGUOUS = N_(
    "Under this version, different wordings were in use, and the record does not say which "
    "one you read. Each of them follows."
)
#: the numbered wordings and translations that follow ``TEXT_AMBIGUOUS``
TEXT_NUMBERED = N_("Wording {number}")
TRANSLATION_NUMBERED = N_("Translation {number}")
#: the language the wording falls back to when the document's language lacks it
TEXT_FALLBACK = "de"


def with_consent_texts(
    rows: Sequence[Row],
    lang: str,
    consent_forms: Sequence[FormDefinition],
    kept: Mapping[tuple[str, str], Mapping[str, Mapping[str, str]]] | None = None,
) -> list[dict[str, object]]:
    """Each consent with the wording it was given under (``text``, after ``text_version``):
    in the language the person read it in (the consent's ``language``), else in ``lang``,
    else German (``text_language`` says which). When that is not ``lang``, the same text in
    ``lang`` follows as ``text_translation`` for the reader of this copy.

    The wordings of the version are looked up in ``consent_forms`` (the one in force first),
    current or earlier texts, and among the texts ``kept`` on this laptop, by (text version,
    purpose) and digest. A consent's ``text_digest`` (noted when it was recorded here) picks
    one of them. Without it (or with one that names none), wordings that read differently in
    this copy are all given: ``text`` says so in ``lang``, ``text_ambiguous`` is true, and
    ``texts`` holds each wording (``text``, ``text_language``, ``text_translation``). Where
    none is found (given on another laptop under a text never in force here), ``text`` says
    so in ``lang`` and ``text_missing`` is true. ``text_digest`` itself is not given."""
    out: list[dict[str, object]] = []
    for row in rows:
        version, purpose = str(row.get("text_version")), str(row.get("purpose"))
        found: dict[str, Mapping[str, str]] = {}
        for form in consent_forms:
            if wording := form.consent_text(version, purpose):
                found.setdefault(wording_digest(wording), wording)
        for digest, wording in ((kept or {}).get((version, purpose)) or {}).items():
            found.setdefault(digest, wording)
        noted = row.get("text_digest")
        if isinstance(noted, str) and noted in found:
            # Known: that wording is the one read. (One that names none of them is not
            # expected, the text being kept with the consent; it counts as not known.)
            found = {noted: found[noted]}
        read_in = str(row.get("language") or "")
        # The same text to this copy's reader counts once (texts differing only in a
        # language neither read nor written here).
        shown = list(
            {
                json.dumps(text, sort_keys=True): text
                for wording in found.values()
                if (text := _shown_text(wording, read_in, lang)) is not None
            }.values()
        )
        added: dict[str, object] = _text_missing(lang)
        if len(shown) == 1:
            added = shown[0]
        elif shown:
            added = {
                "text": gettext_in(lang, TEXT_AMBIGUOUS),
                "text_language": lang,
                "text_ambiguous": True,
                "texts": shown,
            }
        named: dict[str, object] = {}
        for key, value in row.items():
            if key == "text_digest":
                continue
            named[key] = value
            if key == "text_version":
                named.update(added)
        out.append(named)
    return out


def _shown_text(wording: Mapping[str, str], read_in: str, lang: str) -> dict[str, object] | None:
    """A wording as the copy gives it: in the language read, else ``lang``, else German, with
    ``lang``'s text as a translation where that differs; None when it has none of them."""
    text_lang = next((code for code in (read_in, lang) if wording.get(code)), TEXT_FALLBACK)
    if not wording.get(text_lang):
        return None
    shown: dict[str, object] = {"text": wording[text_lang], "text_language": text_lang}
    if text_lang != lang and wording.get(lang):
        shown["text_translation"] = wording[lang]
    return shown


def _text_missing(lang: str) -> dict[str, object]:
    return {"text": gettext_in(lang, TEXT_UNKNOWN), "text_language": lang, "text_missing": True}


def readable(
    kind: str,
    rows: Sequence[Row],
    lang: str,
    forms: Mapping[str, FormDefinition],
    directory: ServiceDirectory,
    known: Sequence[FormDefinition] = (),
) -> list[Row]:
    """``rows`` of the source ``kind`` with their codes named and moments written in ``lang``;
    a visit's answers in the words of the version of its form it was recorded with where
    that is among ``known`` (the shipped forms, say), else in those of ``forms``."""
    return _with_moments(_named(kind, rows, lang, forms, directory, known), lang)


def _named(
    kind: str,
    rows: Sequence[Row],
    lang: str,
    forms: Mapping[str, FormDefinition],
    directory: ServiceDirectory,
    known: Sequence[FormDefinition] = (),
) -> list[Row]:
    """``rows`` of the source ``kind`` with their codes named in ``lang``."""
    out: list[Row] = []
    if kind in ("visits", "drafts"):
        for row in rows:
            form = forms.get(str(row.get("form")))
            # The words the person was asked in: a choice a coordinator reworded since read in
            # the new words.
            own = recorded_in(known, form, row.get("form_version"), row.get("answers"))
            named = dict(row)
            if form is not None:
                named["form"] = pick(form.title, lang)
            if "form_version" in row:
                named["form_version"] = form_version_label(row["form_version"], lang, form)
            named["answers"] = _answers(own, row.get("answers"), lang)
            named["next_steps"] = _next_steps(own, row.get("next_steps"), lang)
            if "earlier_versions" in row:
                earlier: Sequence[Mapping[str, Any]] = row["earlier_versions"]  # type: ignore[assignment]
                named["earlier_versions"] = [
                    _earlier_version(own, version, number, lang)
                    for number, version in enumerate(earlier, start=1)
                ]
            out.append(named)
        return out
    if kind == "consents":
        purposes = _purposes(forms)
        consent_form = next((f for f in forms.values() if f.text_version), None)
        for row in rows:
            named = dict(row)
            if (p := str(row.get("purpose"))) in purposes:
                named["purpose"] = pick(purposes[p], lang)
            if "text_version" in row:
                named["text_version"] = text_version_label(
                    str(row["text_version"]), lang, consent_form
                )
            if "text" in row:
                named["text"] = _wording(row, lang)
                named.pop("text_language", None)
                named.pop("text_missing", None)
                named.pop("text_ambiguous", None)
            if isinstance(texts := row.get("texts"), list):
                named = _numbered_texts(named, texts, lang)
            if "how" in row and consent_form is not None:  # "signed", as the form names it
                with contextlib.suppress(KeyError):
                    options = consent_form.field("consent_form").options or []
                    by_id = {o.id: o.label for o in options}
                    if (how := str(row["how"])) in by_id:
                        named["how"] = pick(by_id[how], lang)
            out.append(named)
        return out
    if kind == "referrals":
        reasons = default_letter_texts().reasons
        for row in rows:
            named = dict(row)
            if service := directory.find(str(row.get("service"))):
                named["service"] = service.name.get(lang)
            elif row.get("service"):
                named["service"] = removed_service_name(str(row["service"]), lang)
            if reason := reasons.get(str(row.get("reason"))):
                named["reason"] = reason.label.get(lang)
            if (status := str(row.get("status"))) in REFERRAL_STATUS:
                named["status"] = gettext_in(lang, REFERRAL_STATUS[status])
            if named.pop(AWAITING_SIGN_OFF, False):  # said with the status, as the app does
                named["status"] = gettext_in(lang, N_("{status} – awaiting sign-off")).format(
                    status=named.get("status", status)
                )
            if isinstance(documents := row.get("documents"), list):
                named["documents"] = [directory.document_label(str(d), lang) for d in documents]
            if follow_up := row.get("follow_up"):
                named["follow_up"] = _partial(str(follow_up), lang)
            if isinstance(history := row.get("status_history"), list):
                named["status_history"] = [_status_step(step, lang) for step in history]
            out.append(named)
        return out
    if kind == "conflicts":
        return [_named_conflict(row, lang, forms, directory) for row in rows]
    if kind == "case_openings":
        # Which section, since when, who opened it; the helper it is opened to is what the
        # section's title says (the JSON keeps their role and laptop).
        return [
            {
                "kind": gettext_in(lang, _SECTIONS[k])
                if (k := str(row.get("kind"))) in _SECTIONS
                else k,
                "since": row.get("since"),
                **({RECORDED_BY: row[RECORDED_BY]} if RECORDED_BY in row else {}),
            }
            for row in rows
        ]
    return [dict(row) for row in rows]


def _numbered_texts(row: dict[str, object], texts: list[Any], lang: str) -> dict[str, object]:
    """``row`` with its ``texts`` (the wordings a consent may have been given under) in their
    place, each as a numbered wording and translation, labelled in ``lang`` (the PDF shows a
    label it does not know as it is)."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if key != "texts":
            out[key] = value
            continue
        for number, text in enumerate(t for t in texts if isinstance(t, Mapping)):
            label = gettext_in(lang, TEXT_NUMBERED).format(number=number + 1)
            out[label] = _wording(text, lang)
            if translation := text.get("text_translation"):
                label = gettext_in(lang, TRANSLATION_NUMBERED).format(number=number + 1)
                out[label] = translation
    return out


def _wording(row: Row, lang: str) -> str:
    """A consent's wording as the PDF shows it: said so when it is in another language, said
    plainly when it is not known."""
    text, text_lang = row.get("text"), row.get("text_language")
    if not isinstance(text, str) or row.get("text_missing"):
        return gettext_in(lang, TEXT_UNKNOWN)
    if isinstance(text_lang, str) and text_lang != lang:
        return gettext_in(lang, N_("In {language}: {text}")).format(
            language=language_name(text_lang, lang), text=text
        )
    return text


_TEXT_VERSION = re.compile(r"([0-9]{4})-([0-9]{1,2})(?:-([0-9]+))?")


def text_version_label(version: str, lang: str, form: FormDefinition | None = None) -> str:
    """The consent text a person read, as they can tell it: the form's title and the month the
    text was written ("2026-11-1": the first text of November 2026), not the stored code."""
    from babel.dates import format_skeleton

    title = pick(form.title, lang) if form is not None else ""
    found = _TEXT_VERSION.fullmatch(version)
    if found and 1 <= int(found[2]) <= 12:
        month = format_skeleton(
            "yMMMM", dt.date(int(found[1]), int(found[2]), 1), locale=date_locale(lang)
        )
        number = int(found[3] or 1)
        text = (
            gettext_in(lang, N_("text of {month}")).format(month=month)
            if number == 1
            else gettext_in(lang, N_("text {number} of {month}")).format(number=number, month=month)
        )
    else:
        text = gettext_in(lang, N_("text version {version}")).format(version=version)
    return f"{title}, {text}" if title else text


def form_version_label(version: object, lang: str, form: FormDefinition | None) -> object:
    """Which version of its form a visit was recorded with, and whether the form still reads
    so: the person cannot tell anything from a bare version number."""
    if not isinstance(version, int):
        return version
    if form is not None and version == form.version:
        return gettext_in(lang, N_("version {number}, still in use")).format(number=version)
    if form is not None and version < form.version:
        return gettext_in(lang, N_("version {number}, since replaced by version {current}")).format(
            number=version, current=form.version
        )
    return gettext_in(lang, N_("version {number}")).format(number=version)


def _earlier_version(
    form: FormDefinition | None, version: Mapping[str, Any], number: int, lang: str
) -> Row:
    """A visit as it was before an edit (``number``: the how-manieth save of it, oldest
    first): when it was saved, by whom, and its answers then. Counted by saves, not by the record's
    revision (a merge or a sync counts that up too), and named apart from the version of the
    form, which the visit's own row states."""
    by = (
        {gettext_in(lang, KEY_LABELS[RECORDED_BY]): recorded_by_text(version[RECORDED_BY], lang)}
        if RECORDED_BY in version
        else {}
    )
    return {
        gettext_in(lang, N_("Version of the entry")): number,
        gettext_in(lang, N_("Saved")): _moment(version.get("saved_at"), lang),
        **by,
        gettext_in(lang, N_("Answers")): _answers(form, version.get("answers"), lang),
        gettext_in(lang, N_("Next steps")): _next_steps(form, version.get("next_steps"), lang),
    }


def _status_step(step: object, lang: str) -> object:
    """One step of a referral's status history: "12 Mar 2026, 10:00: Appointment made (by)"."""
    if not isinstance(step, Mapping):
        return step
    status = str(step.get("status"))
    text = f"{_moment(step.get('at'), lang)}: "
    text += gettext_in(lang, REFERRAL_STATUS[status]) if status in REFERRAL_STATUS else status
    if step.get("by"):
        text += f" ({step['by']})"
    if step.get("outcome"):
        text += f" – {step['outcome']}"
    change = step.get("appointment_change")
    if isinstance(change, str) and change in APPOINTMENT_CHANGE:
        when = step.get("appointment")
        try:
            moment = dt.datetime.fromisoformat(when) if isinstance(when, str) and when else None
        except ValueError:
            moment = None
        shown = format_appointment(moment, lang) if moment is not None else ""
        text += " · " + gettext_in(lang, APPOINTMENT_CHANGE[change]).format(when=shown)
    return text


def _partial(value: str, lang: str) -> str:
    try:
        return format_partial_date(value, lang)
    except ValueError:
        return value


def _named_conflict(
    row: Row, lang: str, forms: Mapping[str, FormDefinition], directory: ServiceDirectory
) -> Row:
    """Both values of a conflict as the record's own entry names them."""
    record, field = str(row.get("record")), str(row.get("field"))
    form = forms.get(str(row.get("form")))
    named = dict(row)
    if form is not None:
        named["form"] = pick(form.title, lang)
    column, _sep, entry = field.partition("/")
    if record == "visit" and entry and column in ("answers", "next_steps"):
        # One answer (or next step): under the visit's field, by the question's label.
        named["field"] = column
        read = _answers if column == "answers" else _next_steps
        for key in ("kept_value", "other_value"):
            named[key] = read(form, {entry: row.get(key)}, lang)
        return named
    for key in ("kept_value", "other_value"):
        named[key] = conflict_value(record, field, row.get(key), form, lang, directory)
    return named


def conflict_value(
    record: str,
    field: str,
    value: object,
    form: FormDefinition | None,
    lang: str,
    directory: ServiceDirectory | None,
) -> object:
    """One value of a conflict over ``record``'s ``field`` as a reader understands it, in
    ``lang``: names of codes, dates as the language writes them, a list of documents as a
    list. The conflicts dialog shows values so too."""
    from babel import Locale

    if not isinstance(value, str) or not value:
        return value
    if record == "visit" and field in ("answers", "next_steps"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return (_answers if field == "answers" else _next_steps)(form, parsed, lang)
    if field == "sex":
        return gettext_in(lang, SEX_NAMES[value]) if value in SEX_NAMES else value
    if field == "nationality":
        return Locale.parse(lang).territories.get(value.upper(), value)
    if field == "languages":
        return ", ".join(language_name(code, lang) for code in value.split(",") if code)
    if field in ("date_of_birth", "follow_up"):
        try:
            return format_partial_date(value, lang)
        except ValueError:
            return value
    if record == "referral":
        if field == "status" and value in REFERRAL_STATUS:
            return gettext_in(lang, REFERRAL_STATUS[value])
        if field == "service_id" and directory:
            service = directory.find(value)
            return service.name.get(lang) if service else removed_service_name(value, lang)
        if field == "reason" and (reason := default_letter_texts().reasons.get(value)):
            return reason.label.get(lang)
        if field == "documents":
            try:
                items = json.loads(value)
            except ValueError:
                return value
            return [str(item) for item in items] if isinstance(items, list) else value
    if record == "consent" and field == "text_version":
        return text_version_label(value, lang)
    if field in MOMENTS:
        return _moment(value, lang)
    return value


def _with_moments(rows: list[Row], lang: str) -> list[Row]:
    def shown(key: str, value: object) -> object:
        if key in MOMENTS:
            return _moment(value, lang)
        if key in RECORDED_BY_KEYS:
            return recorded_by_text(value, lang)
        if key == "language" and isinstance(value, str):
            return language_name(value, lang)
        return value

    return [{k: shown(k, v) for k, v in row.items()} for row in rows]

"""Answers checked against a form definition: relevance, validation, cleaning, progress, next steps.

Answers are plain JSON-able dicts keyed by field id: text as ``str``, integers as ``int``, dates
as ISO strings (``"1985"``, ``"1985-03"``, ``"1985-03-14"``), choices as option ids (a list for
multiple choice), yes/no/unknown as ``"yes"``/``"no"``/``"unknown"``, CEFR as
``{"level": "B1", "assessed": "self"}`` and repeatable groups as lists of such dicts.
Nothing here raises on bad answers except :func:`clean`, which raises :class:`InvalidAnswers`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from desktop_app.domain.dates import PartialDate, PartialDateError
from desktop_app.domain.life_facts import following_entries
from desktop_app.forms.definition import (
    CEFR_ASSESSMENT,
    CEFR_LEVELS,
    YES_NO_UNKNOWN,
    Computed,
    FieldDef,
    FieldType,
    FormDefinition,
    Section,
    _check_labels,
)
from desktop_app.forms.expressions import Expression, Scope, is_empty
from desktop_app.paths import resource

EARLIEST_YEAR = 1900
#: A date a field allows in the future (an EHIC's "valid until", a due date) lies at most this
#: many years ahead of the day the form is checked for: 2207 for 2027 is a slip of the keys.
LATEST_YEARS_AHEAD = 15

# ASCII digits only (\d would take Arabic-Indic digits) and no trailing newline ($ would)
_ISO_DATE = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
# Unicode category Cc is exactly U+0000–U+001F and U+007F–U+009F.
_CONTROL_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class FieldError:
    """A problem at one answer (or, among a state's ``notices``, a doubt that stops nothing).
    ``field_path`` is ``"rent"`` or ``"children[1].school"``; ``code`` is stable for
    programs, ``message`` maps language → text for people."""

    field_path: str
    code: str
    message: dict[str, str]


class InvalidAnswers(ValueError):
    """Raised by :func:`clean` when an answer to a relevant field is not acceptable."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field_path or '<answers>'}: {e.code}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    relevant: bool
    fields: int
    answered: int
    required: int
    required_answered: int

    @property
    def complete(self) -> bool:
        return self.required_answered == self.required


@dataclass(frozen=True)
class NextStep:
    id: str
    label: dict[str, str]
    reason: dict[str, str] | None
    service: str | None


@dataclass
class FormState:
    """Everything a renderer or the store needs to know about one set of answers."""

    answers: dict[str, Any]
    """The cleaned answers: relevant, known, well-formed values only."""
    relevant_sections: list[str]
    relevant_fields: frozenset[str]
    computed: dict[str, Any]
    errors: list[FieldError]
    dropped: list[str]
    """Paths of answers that were removed: unknown, not relevant, or empty."""
    progress: dict[str, SectionProgress]
    next_steps: list[NextStep] = field(default_factory=list)
    notices: list[FieldError] = field(default_factory=list)
    """What the user is asked to look at again without being stopped (never in ``errors``,
    never refused by :func:`clean`): constraints of ``severity: notice`` that do not hold, and
    a group of fewer entries than its ``counted_by`` answer says (children stated, not all
    entered: no next step can be suggested for the others)."""

    def is_relevant(self, path: str) -> bool:
        return path in self.relevant_fields

    def errors_at(self, path: str) -> list[FieldError]:
        return [e for e in self.errors if e.field_path == path]


# ---------------------------------------------------------------------------------------------
# messages


@lru_cache(maxsize=1)
def _messages() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(resource("forms", "messages", "validation.yaml").read_text("utf-8"))
    return {code: _check_labels(dict(labels)) for code, labels in data.items()}


def message(code: str, **params: Any) -> dict[str, str]:
    """The built-in message for ``code`` in every language, with ``params`` filled in."""
    texts = _messages()[code]
    values = {k: str(v) for k, v in params.items()}
    return {lang: text.format(**values) for lang, text in texts.items()}


def _error(path: str, code: str, **params: Any) -> FieldError:
    return FieldError(path, code, message(code, **params))


def _fewer_than_counted(group: FieldDef, counted: int, entered: int) -> FieldError:
    """The notice at a group with fewer entries than its ``counted_by`` answer, headed by the
    group's label in each language ("Kinder – angegeben: 3, eingetragen: 1.")."""
    code = "fewer_items_than_counted"
    texts = {
        lang: text.format(
            label=group.label.get(lang, group.label["en"]), counted=counted, entered=entered
        )
        for lang, text in _messages()[code].items()
    }
    return FieldError(group.id, code, texts)


# ---------------------------------------------------------------------------------------------
# per-value checks


class _Bad(Exception):
    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _check_text(f: FieldDef, raw: Any) -> str | None:
    if not isinstance(raw, str):
        raise _Bad("wrong_type")
    if len(raw) > f.text_limit:
        raise _Bad("too_long", max=f.text_limit)
    pattern = _CONTROL_MULTILINE if f.type == FieldType.MULTILINE else _CONTROL_TEXT
    if pattern.search(raw):
        raise _Bad("control_chars")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates cannot be stored
        raise _Bad("control_chars") from None
    text = raw.strip()
    return text or None


def _check_date(f: FieldDef, raw: Any, today: dt.date) -> str:
    if not isinstance(raw, str):
        raise _Bad("wrong_type")
    if not _ISO_DATE.fullmatch(raw):
        raise _Bad("date_format")
    try:
        date = PartialDate.parse(raw)
    except PartialDateError:
        raise _Bad("date_impossible") from None
    if f.date_precision == "day" and date.day is None:
        raise _Bad("date_needs_day")
    if f.date_precision == "month" and date.month is None:
        raise _Bad("date_needs_month")
    if date.year < EARLIEST_YEAR:
        raise _Bad("date_too_early")
    if not f.allow_future and date.earliest() > today:
        raise _Bad("date_future")
    if date.year > today.year + LATEST_YEARS_AHEAD:
        raise _Bad("date_too_late")
    return date.iso()


def _check_choice(f: FieldDef, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _Bad("wrong_type")
    if raw not in f.option_ids():
        raise _Bad("unknown_option")
    return raw


def _check_multi(f: FieldDef, raw: Any) -> list[str] | None:
    if not isinstance(raw, list):
        raise _Bad("wrong_type")
    if not raw:
        return None
    allowed = f.option_ids()
    if len(raw) > len(allowed) * 2 or not all(isinstance(v, str) for v in raw):
        raise _Bad("wrong_type")
    if any(v not in allowed for v in raw):
        raise _Bad("unknown_option")
    if len(set(raw)) != len(raw):
        raise _Bad("duplicate_option")
    return list(raw)


def _check_cefr(raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        raise _Bad("wrong_type")
    if not raw or all(v is None or v == "" for v in raw.values()):
        return None
    if set(raw) - {"level", "assessed"}:
        raise _Bad("wrong_type")
    level, assessed = raw.get("level"), raw.get("assessed")
    if not isinstance(level, str) or (assessed is not None and not isinstance(assessed, str)):
        raise _Bad("wrong_type")
    if level not in CEFR_LEVELS:
        raise _Bad("unknown_option")
    if assessed is None or assessed == "":
        raise _Bad("assessment_missing")
    if assessed not in CEFR_ASSESSMENT:
        raise _Bad("unknown_option")
    return {"level": level, "assessed": assessed}


def _check_scalar(f: FieldDef, raw: Any, today: dt.date) -> Any:
    """The stored form of ``raw``, ``None`` when unanswered; raises :class:`_Bad`."""
    if raw is None:
        return None
    kind = f.type
    if kind in (FieldType.TEXT, FieldType.MULTILINE):
        return _check_text(f, raw)
    if raw == "":
        return None
    if kind == FieldType.INTEGER:
        if type(raw) is not int:
            raise _Bad("wrong_type")
        if f.min is not None and raw < f.min:
            raise _Bad("below_min", min=f.min)
        if f.max is not None and raw > f.max:
            raise _Bad("above_max", max=f.max)
        return raw
    if kind == FieldType.DATE:
        return _check_date(f, raw, today)
    if kind == FieldType.SINGLE_CHOICE:
        return _check_choice(f, raw)
    if kind == FieldType.YES_NO_UNKNOWN:
        if not isinstance(raw, str):
            raise _Bad("wrong_type")
        if raw not in YES_NO_UNKNOWN:
            raise _Bad("unknown_option")
        return raw
    if kind == FieldType.MULTI_CHOICE:
        return _check_multi(f, raw)
    if kind == FieldType.CEFR:
        return _check_cefr(raw)
    raise _Bad("wrong_type")  # pragma: no cover - groups are handled by the caller


def _expression_value(f: FieldDef, value: Any) -> Any:
    """How an answer looks inside expressions: a CEFR answer is its level (``'B1'``)."""
    if f.type == FieldType.CEFR and isinstance(value, dict):
        return value.get("level")
    return value


# ---------------------------------------------------------------------------------------------
# the evaluation


class _Run:
    def __init__(
        self,
        form: FormDefinition,
        answers: Any,
        today: dt.date,
        require_complete: bool,
        consents: Collection[str] | None,
        withheld: Collection[str] = (),
    ) -> None:
        self.form = form
        self.exprs = form._expressions
        self.consents = consents
        self.withheld = frozenset(withheld)
        self.today = today
        self.require_complete = require_complete
        self.errors: list[FieldError] = []
        self.notices: list[FieldError] = []
        self.dropped: list[str] = []
        self.typed: dict[str, Any] = {}
        self.bad: dict[str, FieldError] = {}  # path -> type error, reported only if relevant
        self.visible: dict[str, Any] = {}
        self.optional: set[int] = set()  # ids of the FieldDefs ``evaluate`` made optional
        self.answers: dict[str, Any] = {}
        self.relevant: set[str] = set()
        self.item_scopes: dict[str, list[Scope]] = {}
        self.group_items: dict[str, list[dict[str, Any]]] = {}
        self.computed: dict[str, Any] = {}
        self.scope = Scope(self.visible, today)
        if not isinstance(answers, Mapping):
            self.errors.append(_error("", "not_answers"))
            answers = {}
        self.raw = answers

    # typing ------------------------------------------------------------------------------------
    def type_all(self) -> None:
        known = self.form._fields
        for key, raw in self.raw.items():
            if not isinstance(key, str) or key not in known:
                self.dropped.append(key if isinstance(key, str) else repr(key))
                continue
            f = known[key]
            if f.type == FieldType.GROUP:
                self._type_group(f, raw)
                continue
            try:
                value = _check_scalar(f, raw, self.today)
            except _Bad as bad:
                self.bad[key] = _error(key, bad.code, **bad.params)
                continue
            if value is None:
                if raw is not None:
                    self.dropped.append(key)
            else:
                self.typed[key] = value

    def _type_group(self, f: FieldDef, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, list):
            self.bad[f.id] = _error(f.id, "wrong_type")
            return
        if len(raw) > f.max_items:
            self.bad[f.id] = _error(f.id, "too_many_items", max=f.max_items)
            return
        items: list[dict[str, Any]] = []
        for index, raw_item in enumerate(raw):
            base = f"{f.id}[{index}]"
            if not isinstance(raw_item, Mapping):
                self.bad[f"{f.id}[{index}]"] = _error(f"{f.id}[{index}]", "wrong_type")
                items.append({})
                continue
            item: dict[str, Any] = {}
            for key, sub_raw in raw_item.items():
                sub = f.subfield(key) if isinstance(key, str) else None
                path = f"{base}.{key}"
                if sub is None:
                    self.dropped.append(path)
                    continue
                try:
                    value = _check_scalar(sub, sub_raw, self.today)
                except _Bad as bad:
                    self.bad[path] = _error(path, bad.code, **bad.params)
                    continue
                if value is not None:
                    item[key] = value
            items.append(item)
        if items:
            self.typed[f.id] = items

    # relevance ---------------------------------------------------------------------------------
    def _expr(self, source: str) -> Expression:
        expr = self.exprs.get(source)
        return expr if expr is not None else self.form.expression(source)

    def _holds(self, source: str | None, scope: Scope) -> bool:
        return True if not source else self._expr(source).truthy(scope)

    def _consented(self, purpose: str | None) -> bool:
        return purpose is None or self.consents is None or purpose in self.consents

    def _readable(self, restricted: str | None) -> bool:
        return restricted is None or restricted not in self.withheld

    def decide(self) -> dict[str, bool]:
        form = self.form
        section_open: dict[str, bool] = {}
        for _kind, obj, section_id in form.plan():
            if isinstance(obj, Section):
                section_open[section_id] = (
                    self._readable(obj.restricted)
                    and self._consented(obj.requires_consent)
                    and self._holds(obj.relevant, self.scope)
                )
            elif isinstance(obj, Computed):
                value = self._expr(obj.expr).evaluate(self.scope)
                self.visible[obj.id] = value
                self.computed[obj.id] = value
            else:
                f, ident = obj, obj.id
                open_ = (
                    section_open[section_id]
                    and self._readable(f.restricted)
                    and self._consented(f.requires_consent)
                    and self._holds(f.relevant, self.scope)
                )
                if not open_:
                    if ident in self.typed or ident in self.bad:
                        self.dropped.append(ident)
                    self.bad = {p: e for p, e in self.bad.items() if not _under(p, ident)}
                    continue
                self.relevant.add(ident)
                if f.type == FieldType.GROUP:
                    self._decide_group(f)
                elif ident in self.typed:
                    self.answers[ident] = self.typed[ident]
                    self.visible[ident] = _expression_value(f, self.typed[ident])
        return section_open

    def _decide_group(self, f: FieldDef) -> None:
        items = self.typed.get(f.id, [])
        stored: list[dict[str, Any]] = []
        shown: list[dict[str, Any]] = []
        scopes: list[Scope] = []
        for index, item in enumerate(items):
            seen: dict[str, Any] = {}
            keep: dict[str, Any] = {}
            scope = self.scope.item(seen)
            for sub in f.fields or []:
                path = f"{f.id}[{index}].{sub.id}"
                if not (self._consented(sub.requires_consent) and self._holds(sub.relevant, scope)):
                    if sub.id in item or path in self.bad:
                        self.dropped.append(path)
                    self.bad.pop(path, None)
                    continue
                self.relevant.add(path)
                if sub.id in item:
                    keep[sub.id] = item[sub.id]
                    seen[sub.id] = _expression_value(sub, item[sub.id])
            stored.append(keep)
            shown.append(seen)
            scopes.append(scope)
        self.group_items[f.id] = stored
        # entries with nothing in them are not stored; paths above keep the entry's position
        non_empty = [item for item in stored if item]
        if len(non_empty) != len(stored):
            self.dropped.append(f"{f.id}[empty entries]")
        if non_empty:
            self.answers[f.id] = non_empty
        self.visible[f.id] = self._following(f, stored, shown) if f.follows else shown
        self.item_scopes[f.id] = scopes

    def _following(
        self, f: FieldDef, stored: list[dict[str, Any]], shown: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """A group that follows another as conditions see it: for each entry of that group,
        in its order, the entry about it with that entry's answers beside its own (a child's
        ``child_lives`` beside its insurance). As letters and summaries read it
        (``following_entries``): the first entry about a child counts where a merge kept two,
        and one about no child (renamed or removed by a helper) counts for none; all are
        stored, as nothing here says which one a user may not see."""
        followed = self.group_items.get(f.follows or "")
        if followed is None:  # not decided (yet): the entries as they are
            return shown
        group = self.form._fields[f.follows or ""]
        keys = [s.id for s in f.fields or [] if group.subfield(s.id) is not None]
        place = {id(item): index for index, item in enumerate(stored)}
        about = self.visible.get(group.id) or []
        out: list[dict[str, Any]] = []
        for index, match in enumerate(following_entries(followed, stored, keys)):
            if match is not None:
                other = about[index] if index < len(about) else {}
                out.append({**other, **shown[place[id(match)]]})
        return out

    # checks ------------------------------------------------------------------------------------
    def _required(self, f: FieldDef, scope: Scope) -> bool:
        if id(f) in self.optional:
            return False
        if isinstance(f.required, bool):
            return f.required
        return self._expr(f.required).truthy(scope)

    def _check_one(self, f: FieldDef, path: str, value: Any, scope: Scope) -> None:
        if path in self.bad:
            self.errors.append(self.bad[path])
            return
        if is_empty(value):
            if self.require_complete and self._required(f, scope):
                self.errors.append(_error(path, "required"))
            return
        for constraint in f.constraints:
            if not self._expr(constraint.check).truthy(scope):
                found = FieldError(path, constraint.code, dict(constraint.message))
                (self.notices if constraint.severity == "notice" else self.errors).append(found)

    def check(self) -> None:
        for f in self.form.fields():
            if f.id not in self.relevant:
                continue
            value = self.answers.get(f.id)
            self._check_one(f, f.id, value, self.scope)
            if f.type != FieldType.GROUP or f.id in self.bad:
                continue
            items = self.group_items.get(f.id, [])
            if self.require_complete and len(value or []) < f.min_items:
                self.errors.append(_error(f.id, "too_few_items", min=f.min_items))
            if (counted := self._counted(f)) is not None and len(value or []) < counted:
                self.notices.append(_fewer_than_counted(f, counted, len(value or [])))
            for index, item in enumerate(items):
                item_path = f"{f.id}[{index}]"
                if item_path in self.bad:
                    self.errors.append(self.bad[item_path])
                    continue
                scope = self.item_scopes[f.id][index]
                for sub in f.fields or []:
                    path = f"{item_path}.{sub.id}"
                    if path in self.relevant:
                        self._check_one(sub, path, item.get(sub.id), scope)

    def progress(self, section_open: dict[str, bool]) -> dict[str, SectionProgress]:
        out: dict[str, SectionProgress] = {}
        for section in self.form.sections:
            fields = [f for f in section.fields if f.id in self.relevant]
            required = [f for f in fields if self._required(f, self.scope)]
            out[section.id] = SectionProgress(
                section_id=section.id,
                relevant=section_open.get(section.id, False),
                fields=len(fields),
                answered=sum(1 for f in fields if f.id in self.answers),
                required=len(required),
                required_answered=sum(1 for f in required if self._filled(f)),
            )
        return out

    def _counted(self, f: FieldDef) -> int | None:
        """The number of entries a group's ``counted_by`` answer gives (None: no such answer)."""
        counted = self.answers.get(f.counted_by) if f.counted_by else None
        return counted if type(counted) is int else None

    def _filled(self, f: FieldDef) -> bool:
        """Whether a required question is answered for a section's progress: a group only
        when each entry has its required answers too (the household was ticked complete with
        a child's "daycare or school" still to be asked), and as many entries as its
        ``counted_by`` answer says (3 children stated, 1 entered was ticked complete)."""
        if f.id not in self.answers:
            return False
        if f.type != FieldType.GROUP:
            return True
        counted = self._counted(f)
        if counted is not None and len(self.answers[f.id]) < counted:
            return False
        for index, item in enumerate(self.group_items.get(f.id, [])):
            scope = self.item_scopes[f.id][index]
            for sub in f.fields or []:
                path = f"{f.id}[{index}].{sub.id}"
                unanswered = path in self.relevant and is_empty(item.get(sub.id))
                if unanswered and self._required(sub, scope):
                    return False
        return True

    def next_steps(self) -> list[NextStep]:
        steps = []
        for rule in self.form.next_steps:
            if self._expr(rule.when).truthy(self.scope):
                reason = dict(rule.reason) if rule.reason else None
                steps.append(NextStep(rule.id, dict(rule.label), reason, rule.service))
        return steps


def _under(path: str, field_id: str) -> bool:
    return path == field_id or path.startswith((f"{field_id}[", f"{field_id}."))


def evaluate(
    definition: FormDefinition,
    answers: Any,
    *,
    today: dt.date | None = None,
    require_complete: bool = True,
    consents: Collection[str] | None = None,
    withheld: Collection[str] = (),
    optional: Collection[str] = (),
) -> FormState:
    """Decide relevance, compute values, validate and suggest next steps in one pass.

    With ``require_complete=False`` (a draft) missing required answers are not errors.
    With ``consents`` (granted purpose ids, see :func:`granted_purposes`) sections and fields
    marked ``requires_consent`` for a purpose not granted are closed: not relevant, answers
    dropped. ``None`` means consent is not checked here.
    ``withheld`` lists restriction kinds (``health``, ``exploitation``) the user may not read:
    sections and fields marked ``restricted:`` with one of them are closed the same way, so
    nothing computed or suggested from them reaches that user.
    ``optional`` names questions (of the form, not of a group's entries) that need no answer
    here though the form requires them: those a visit recorded with an earlier version of the
    form was never asked (``visits.not_asked``).
    """
    run = _Run(definition, answers, today or dt.date.today(), require_complete, consents, withheld)
    run.optional = {id(f) for f in definition.fields() if f.id in optional}
    run.type_all()
    section_open = run.decide()
    run.check()
    return FormState(
        answers=run.answers,
        relevant_sections=[s for s, is_open in section_open.items() if is_open],
        relevant_fields=frozenset(run.relevant),
        computed=run.computed,
        errors=run.errors,
        dropped=run.dropped,
        progress=run.progress(section_open),
        next_steps=run.next_steps(),
        notices=run.notices,
    )


def validate(
    definition: FormDefinition,
    answers: Any,
    *,
    today: dt.date | None = None,
    require_complete: bool = True,
    consents: Collection[str] | None = None,
) -> list[FieldError]:
    """Every problem with the answers to relevant fields (answers elsewhere are ignored)."""
    return evaluate(
        definition, answers, today=today, require_complete=require_complete, consents=consents
    ).errors


def clean(
    definition: FormDefinition,
    answers: Any,
    *,
    today: dt.date | None = None,
    require_complete: bool = False,
    consents: Collection[str] | None = None,
) -> dict[str, Any]:
    """The answers fit to store: unknown, non-relevant and empty answers dropped.

    Raises :class:`InvalidAnswers` if any remaining answer is malformed or breaks a constraint
    (and, with ``require_complete``, if a required answer is missing): all or nothing.
    """
    state = evaluate(
        definition, answers, today=today, require_complete=require_complete, consents=consents
    )
    if state.errors:
        raise InvalidAnswers(state.errors)
    return state.answers


def completeness(
    definition: FormDefinition, answers: Any, *, today: dt.date | None = None
) -> dict[str, SectionProgress]:
    return evaluate(definition, answers, today=today).progress


def computed_values(
    definition: FormDefinition, answers: Any, *, today: dt.date | None = None
) -> dict[str, Any]:
    return evaluate(definition, answers, today=today).computed


def suggest_next_steps(
    definition: FormDefinition, answers: Any, *, today: dt.date | None = None
) -> list[NextStep]:
    return evaluate(definition, answers, today=today).next_steps


def granted_purposes(consent_form: FormDefinition, answers: Any) -> frozenset[str]:
    """Purpose ids whose consent field is answered ``given`` (fields marked ``purpose:``);
    only answers that pass :func:`clean` count."""
    state = evaluate(consent_form, answers, require_complete=False)
    if state.errors:
        return frozenset()
    return frozenset(
        f.purpose
        for f in consent_form.fields()
        if f.purpose is not None and state.answers.get(f.id) == "given"
    )

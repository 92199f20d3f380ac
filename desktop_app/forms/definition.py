"""Form definitions as data: pydantic models for ``resources/forms/*.yaml`` and their loader.

The loader refuses a broken definition with :class:`FormDefinitionError`, whose ``problems``
each name the file, the place (section/field/option …) and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
)

from desktop_app.forms.expressions import RESERVED_NAMES, Expression, ExpressionError, parse
from desktop_app.i18n import languages
from desktop_app.paths import resource

LANGUAGES: tuple[str, ...] = languages.codes()
"""The languages of translations/languages.toml: the shipped forms have every label in each
(tests/unit/forms/test_forms_shipped.py). A form given to a laptop (published by a coordinator's
laptop of another version) needs the first version's (``languages.CORE``) and may have more."""

RESTRICTION_KINDS = frozenset({"health", "exploitation"})
CONSENT_PURPOSES = frozenset({"advice", "central_storage", "referral_sharing"})
SUGGESTION_LISTS = frozenset({"services"})
"""What a text field may offer to complete from (``suggest:``): ``services``, the names of the
service directory in force, for the consent form's "name of the service"."""

TEXT_MAX_LENGTH = 2_000
MULTILINE_MAX_LENGTH = 10_000
GROUP_MAX_ITEMS = 50
CEFR_LEVELS: tuple[str, ...] = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
"""``A0`` stands for "no knowledge / below A1"; ids sort in level order as plain strings."""
CEFR_ASSESSMENT: tuple[str, ...] = ("self", "tested", "certificate")
YES_NO_UNKNOWN: tuple[str, ...] = ("yes", "no", "unknown")
DATE_PRECISIONS: tuple[str, ...] = ("year", "month", "day")

_LANG_KEY = re.compile(r"^[a-z]{2,3}$")


class FieldType(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    DATE = "date"
    INTEGER = "integer"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO_UNKNOWN = "yes_no_unknown"
    CEFR = "cefr"
    GROUP = "group"


CHOICE_TYPES = frozenset({FieldType.SINGLE_CHOICE, FieldType.MULTI_CHOICE})
_OPTION_TYPES = CHOICE_TYPES | {FieldType.YES_NO_UNKNOWN, FieldType.CEFR}


def _check_labels(value: dict[str, str]) -> dict[str, str]:
    missing = [lang for lang in languages.CORE if lang not in value]
    if missing:
        raise ValueError(f"missing translation {', '.join(repr(m) for m in missing)}")
    for lang, text in value.items():
        if not _LANG_KEY.match(lang):
            raise ValueError(f"{lang!r} is not a language code")
        if not text.strip():
            raise ValueError(f"empty translation {lang!r}")
    return value


LabelMap = Annotated[dict[str, str], AfterValidator(_check_labels)]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    id: Identifier
    label: LabelMap
    help: LabelMap | None = None


# The publication format (``usecases.reference.PUBLICATION_FORMAT``) from which on a constraint
# may be a notice (``severity: notice``): a loader before it refuses the key.
NOTICE_FORMAT = 3


class Constraint(_Model):
    """``check`` must hold whenever the field is answered, else ``message`` is shown at it: as
    an error that stops the answers being stored, or with ``severity: notice`` as a notice that
    asks the user to look again and stops nothing (an answer that is unlikely, not wrong)."""

    check: str
    message: LabelMap
    code: Identifier = "constraint"
    severity: Literal["error", "notice"] = "error"


class FieldDef(_Model):
    id: Identifier
    type: FieldType
    label: LabelMap
    help: LabelMap | None = None
    required: bool | str = False
    relevant: str | None = None
    options: list[Option] | None = None
    min: int | None = None
    max: int | None = None
    max_length: int | None = Field(default=None, ge=1)
    date_precision: Literal["year", "month", "day"] = "day"
    allow_future: bool = False
    fields: list[FieldDef] | None = None
    min_items: int = Field(default=0, ge=0)
    max_items: int = Field(default=20, ge=1)
    add_label: LabelMap | None = None
    # A group's integer answer that says how many entries there are (children_count): when
    # the entries of two laptops are both kept (a sync conflict), it is raised to their count.
    counted_by: Identifier | None = None
    # A group with one entry per entry of another top-level group (children_insurance follows
    # children): made by the program, not added by hand; its sub-fields of the same ids as the
    # other group's are copied from the entry it is about and tell which one that is.
    follows: Identifier | None = None
    constraints: list[Constraint] = []
    restricted: str | None = None
    requires_consent: str | None = None
    purpose: str | None = None
    # A hint for the form's screen only: answers and reports never depend on it, so adding or
    # dropping it is no incompatible change (forms.compat).
    suggest: str | None = None

    @property
    def text_limit(self) -> int:
        hard = MULTILINE_MAX_LENGTH if self.type == FieldType.MULTILINE else TEXT_MAX_LENGTH
        return min(self.max_length or hard, hard)

    def option_ids(self) -> list[str]:
        if self.type == FieldType.YES_NO_UNKNOWN:
            return list(YES_NO_UNKNOWN)
        if self.type == FieldType.CEFR:
            return list(CEFR_LEVELS)
        return [o.id for o in self.options or []]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options or [] if o.id == option_id), None)

    def subfield(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields or [] if f.id == field_id), None)


class Section(_Model):
    id: Identifier
    label: LabelMap
    help: LabelMap | None = None
    relevant: str | None = None
    restricted: str | None = None
    requires_consent: str | None = None
    fields: list[FieldDef] = Field(min_length=1)


class Computed(_Model):
    id: Identifier
    expr: str
    label: LabelMap


class NextStepRule(_Model):
    """A suggestion shown at the end of a form when ``when`` holds."""

    id: Identifier
    when: str
    label: LabelMap
    reason: LabelMap | None = None
    service: Identifier | None = None


class Purpose(_Model):
    """A purpose of data processing the person consents to; ``text`` is read out/signed."""

    id: Identifier
    label: LabelMap
    text: LabelMap


class EarlierText(_Model):
    """A consent text the form used before its current ``text_version``, kept whole (every
    purpose it had, in every language) so that what a person agreed to can still be shown:
    a consent stores only the version of the text it was given under."""

    text_version: str = Field(min_length=1)
    purposes: dict[Identifier, LabelMap] = Field(min_length=1)


class FormDefinition(_Model):
    id: Identifier
    version: int = Field(ge=1)
    title: LabelMap
    help: LabelMap | None = None
    text_version: str | None = None
    purposes: list[Purpose] = []
    earlier_texts: list[EarlierText] = []
    sections: list[Section] = Field(min_length=1)
    computed: list[Computed] = []
    next_steps: list[NextStepRule] = []

    _expressions: dict[str, Expression] = PrivateAttr(default_factory=dict)
    _fields: dict[str, FieldDef] = PrivateAttr(default_factory=dict)
    _section_of: dict[str, str] = PrivateAttr(default_factory=dict)
    _order: list[tuple[str, str]] = PrivateAttr(default_factory=list)
    _plan: list[PlanStep] = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr(default="<definition>")

    # -- lookups used by the evaluator and a renderer ------------------------------------------
    @property
    def source(self) -> str:
        return self._source

    def field(self, field_id: str) -> FieldDef:
        """The top-level field ``field_id`` (KeyError if there is none)."""
        return self._fields[field_id]

    def fields(self) -> Iterator[FieldDef]:
        for section in self.sections:
            yield from section.fields

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)

    def section_of(self, field_id: str) -> Section:
        return self.section(self._section_of[field_id])

    def restriction_of(self, field_id: str) -> str | None:
        """``health``/``exploitation`` if the top-level field or its section is restricted."""
        return self.field(field_id).restricted or self.section_of(field_id).restricted

    def withheld_fields(self, kinds: Collection[str]) -> frozenset[str]:
        """Top-level field ids a user who may not read ``kinds`` must neither see nor write."""
        if not kinds:
            return frozenset()
        return frozenset(f for f in self._fields if self.restriction_of(f) in kinds)

    def restricted_kinds(self) -> frozenset[str]:
        """The restriction kinds this form declares (on sections and top-level fields)."""
        kinds = {s.restricted for s in self.sections} | {f.restricted for f in self.fields()}
        return frozenset(k for k in kinds if k)

    def suggestion_lists(self) -> frozenset[str]:
        """The lists (``services`` …) this form's text fields offer completions from."""
        found = set()
        for field in self.fields():
            found |= {f.suggest for f in (field, *(field.fields or [])) if f.suggest}
        return frozenset(found)

    def consent_purpose_of(self, field_id: str) -> str | None:
        """The consent purpose a top-level field needs, from the field or its section."""
        return self.field(field_id).requires_consent or self.section_of(field_id).requires_consent

    def consent_text(self, text_version: str, purpose_id: str) -> Mapping[str, str] | None:
        """The text (by language) of ``purpose_id`` as it read under ``text_version``: the
        current text or an earlier one; None if this form does not have that version."""
        if text_version == self.text_version:
            return next((p.text for p in self.purposes if p.id == purpose_id), None)
        for earlier in self.earlier_texts:
            if earlier.text_version == text_version:
                return earlier.purposes.get(purpose_id)
        return None

    def expression(self, source: str) -> Expression:
        """The parsed form of an expression that occurs in this definition."""
        expr = self._expressions.get(source)
        if expr is None:
            expr = parse(source)
            self._expressions[source] = expr
        return expr

    def functions_used(self) -> frozenset[str]:
        """The expression functions this definition calls (every expression is parsed at
        load): what a laptop must know to load it (``expressions.FUNCTION_FORMATS``)."""
        return frozenset().union(*(e.functions() for e in self._expressions.values()))

    def uses_notices(self) -> bool:
        """Whether a constraint of this definition is a notice (``NOTICE_FORMAT``)."""
        return any(
            c.severity == "notice"
            for f in self.fields()
            for sub in (f, *(f.fields or []))
            for c in sub.constraints
        )

    def evaluation_order(self) -> list[tuple[str, str]]:
        """``(kind, id)`` pairs (kind: section/field/computed) so every condition's inputs come
        first; fixed at load, where cycles are refused."""
        return list(self._order)

    def plan(self) -> list[PlanStep]:
        """The evaluation order with the objects themselves, for the evaluator's hot loop."""
        return self._plan


PlanStep = tuple[str, "Section | FieldDef | Computed", str]
"""(kind, object, section id or "") in evaluation order."""


class FormDefinitionError(ValueError):
    """A definition that must not be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# loading


def load_form(path: Path) -> FormDefinition:
    """Read and check one definition file; raise :class:`FormDefinitionError` if broken."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormDefinitionError([f"{name}: cannot read file: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormDefinitionError([f"{name}: not valid YAML: {exc}"]) from None
    return form_from_mapping(data, source=name)


def load_shipped_forms() -> dict[str, FormDefinition]:
    """Every definition in ``resources/forms/*.yaml``, by form id."""
    forms: dict[str, FormDefinition] = {}
    for path in sorted(resource("forms").glob("*.yaml")):
        form = load_form(path)
        if form.id in forms:
            raise FormDefinitionError([f"{path.name}: form id {form.id!r} used twice"])
        forms[form.id] = form
    return forms


def form_from_mapping(data: Any, *, source: str = "<definition>") -> FormDefinition:
    """Build and check a definition from already-parsed YAML/JSON data."""
    if not isinstance(data, Mapping):
        raise FormDefinitionError([f"{source}: a form definition must be a mapping at the top"])
    try:
        form = FormDefinition.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = _describe_location(data, error["loc"])
            problems.append(f"{source}: {where}: {_describe_error(error)}")
        raise FormDefinitionError(problems) from None
    form._source = source
    problems = [f"{source}: {p}" for p in _Checker(form).run()]
    if problems:
        raise FormDefinitionError(problems)
    return form


def _describe_error(error: Mapping[str, Any]) -> str:
    kind = error.get("type")
    if kind == "enum" and error["loc"] and error["loc"][-1] == "type":
        return (
            f"unknown field type {error.get('input')!r} "
            f"(known: {', '.join(t.value for t in FieldType)})"
        )
    if kind == "extra_forbidden":
        return f"unknown key {error['loc'][-1]!r}"
    if kind == "missing":
        return f"missing key {error['loc'][-1]!r}"
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def _describe_location(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's ``('sections', 2, 'fields', 0, 'label')`` into words with ids."""
    parts: list[str] = []
    node: Any = data
    kinds = {
        "sections": "section",
        "fields": "field",
        "options": "option",
        "computed": "computed value",
        "next_steps": "next step",
        "purposes": "purpose",
        "constraints": "constraint",
        "earlier_texts": "earlier text",
    }
    pending: str | None = None
    for key in loc:
        if isinstance(key, int) and pending is not None:
            child = node[key] if isinstance(node, list) and key < len(node) else None
            # An earlier consent text is named by its version, everything else by its id.
            ident = (
                child.get("id", child.get("text_version")) if isinstance(child, Mapping) else None
            )
            parts.append(f"{kinds[pending]} {ident!r}" if ident else f"{kinds[pending]} #{key + 1}")
            node, pending = child, None
            continue
        key_s = str(key)
        if key_s in kinds and isinstance(node, Mapping) and isinstance(node.get(key_s), list):
            pending = key_s
            node = node[key_s]
            continue
        if pending is not None:
            parts.append(pending)
            pending = None
        parts.append(key_s)
        node = node.get(key_s) if isinstance(node, Mapping) else None
    if pending is not None:
        parts.append(pending)
    return " › ".join(parts) if parts else "form"


class _Checker:
    """Checks that need the whole definition: ids, options, expressions, dependency cycles."""

    def __init__(self, form: FormDefinition) -> None:
        self.form = form
        self.problems: list[str] = []

    def run(self) -> list[str]:
        self._index()
        self._check_fields()
        if not self.problems:
            self._check_expressions()
        if not self.problems:
            self._order()
        self._check_purposes()
        return self.problems

    # ids ---------------------------------------------------------------------------------------
    def _index(self) -> None:
        form = self.form
        seen_sections: set[str] = set()
        for section in form.sections:
            if section.id in seen_sections:
                self.problems.append(f"section {section.id!r}: duplicate section id")
            seen_sections.add(section.id)
            for f in section.fields:
                if f.id in form._fields:
                    self.problems.append(
                        f"section {section.id!r} › field {f.id!r}: duplicate field id "
                        f"(also in section {form._section_of[f.id]!r})"
                    )
                    continue
                form._fields[f.id] = f
                form._section_of[f.id] = section.id
        for c in form.computed:
            if c.id in form._fields or c.id in {x.id for x in form.computed if x is not c}:
                self.problems.append(f"computed value {c.id!r}: id already used")
        for ident in [*form._fields, *(c.id for c in form.computed)]:
            if ident in RESERVED_NAMES:
                self.problems.append(f"{ident!r}: id is a reserved word of the expressions")
        seen_steps: set[str] = set()
        for rule in form.next_steps:
            if rule.id in seen_steps:
                self.problems.append(f"next step {rule.id!r}: duplicate id")
            seen_steps.add(rule.id)

    def _where(self, f: FieldDef, group: FieldDef | None = None) -> str:
        top = group or f
        section = self.form._section_of.get(top.id, "?")
        path = f"{group.id}.{f.id}" if group else f.id
        return f"section {section!r} › field {path!r}"

    # per-field shape ---------------------------------------------------------------------------
    def _check_fields(self) -> None:
        for section in self.form.sections:
            where = f"section {section.id!r}"
            self._check_marks(where, section.restricted, section.requires_consent)
            for f in section.fields:
                self._check_field(f, None)

    def _check_marks(self, where: str, restricted: str | None, consent: str | None) -> None:
        if restricted is not None and restricted not in RESTRICTION_KINDS:
            self.problems.append(
                f"{where}: unknown restriction {restricted!r} "
                f"(known: {', '.join(sorted(RESTRICTION_KINDS))})"
            )
        if consent is not None and consent not in CONSENT_PURPOSES:
            self.problems.append(
                f"{where}: unknown consent purpose {consent!r} "
                f"(known: {', '.join(sorted(CONSENT_PURPOSES))})"
            )

    def _check_field(self, f: FieldDef, group: FieldDef | None) -> None:
        where = self._where(f, group)
        add = self.problems.append
        self._check_marks(where, f.restricted, f.requires_consent)
        if group is not None and f.restricted is not None:
            add(f"{where}: only sections and top-level fields can be restricted, not sub-fields")
        if f.purpose is not None:
            if f.purpose not in CONSENT_PURPOSES:
                add(f"{where}: unknown consent purpose {f.purpose!r}")
            if f.type != FieldType.SINGLE_CHOICE or "given" not in f.option_ids():
                add(f"{where}: a consent field must be a single_choice with an option 'given'")
        if f.type in CHOICE_TYPES:
            if not f.options:
                add(f"{where}: a {f.type.value} field needs options")
            else:
                ids = [o.id for o in f.options]
                for dup in sorted({i for i in ids if ids.count(i) > 1}):
                    add(f"{where}: duplicate option id {dup!r}")
        elif f.options is not None:
            add(f"{where}: options are only allowed for single_choice/multi_choice")
        if f.type != FieldType.INTEGER and (f.min is not None or f.max is not None):
            add(f"{where}: min/max are only allowed for integer fields")
        if f.min is not None and f.max is not None and f.min > f.max:
            add(f"{where}: min {f.min} is greater than max {f.max}")
        if f.max_length is not None:
            if f.type not in (FieldType.TEXT, FieldType.MULTILINE):
                add(f"{where}: max_length is only allowed for text/multiline fields")
            elif f.max_length > f.text_limit:
                add(f"{where}: max_length {f.max_length} exceeds the limit {f.text_limit}")
        if f.type == FieldType.GROUP:
            if not f.fields:
                add(f"{where}: a group needs sub-fields")
            else:
                ids = [s.id for s in f.fields]
                for dup in sorted({i for i in ids if ids.count(i) > 1}):
                    add(f"{where}: duplicate sub-field id {dup!r}")
                for sub in f.fields:
                    if sub.type == FieldType.GROUP:
                        add(f"{self._where(sub, f)}: groups cannot be nested")
                    else:
                        self._check_field(sub, f)
            if f.max_items > GROUP_MAX_ITEMS:
                add(f"{where}: max_items {f.max_items} exceeds the limit {GROUP_MAX_ITEMS}")
            if f.min_items > f.max_items:
                add(f"{where}: min_items is greater than max_items")
            if f.counted_by is not None:
                counter = next((x for x in self.form.fields() if x.id == f.counted_by), None)
                if counter is None or counter.type != FieldType.INTEGER:
                    add(f"{where}: counted_by must name a top-level integer field")
            if f.follows is not None:
                self._check_follows(f, where)
        else:
            if f.fields is not None:
                add(f"{where}: sub-fields are only allowed for group fields")
            if f.add_label is not None:
                add(f"{where}: add_label is only allowed for group fields")
            if f.counted_by is not None:
                add(f"{where}: counted_by is only allowed for group fields")
            if f.follows is not None:
                add(f"{where}: follows is only allowed for group fields")
        if f.suggest is not None:
            if f.suggest not in SUGGESTION_LISTS:
                add(
                    f"{where}: unknown suggestion list {f.suggest!r} "
                    f"(known: {', '.join(sorted(SUGGESTION_LISTS))})"
                )
            if f.type != FieldType.TEXT:
                add(f"{where}: suggest is only allowed for text fields")
        if f.type != FieldType.DATE and (
            "date_precision" in f.model_fields_set or "allow_future" in f.model_fields_set
        ):
            add(f"{where}: date_precision/allow_future are only allowed for date fields")

    def _check_follows(self, f: FieldDef, where: str) -> None:
        add = self.problems.append
        followed = next((x for x in self.form.fields() if x.id == f.follows), None)
        if followed is None or followed.type != FieldType.GROUP or followed is f:
            add(f"{where}: follows must name another top-level group")
            return
        if followed.follows is not None:
            add(f"{where}: follows must name a group that follows no other")
        if f.add_label is not None or f.counted_by is not None:
            add(f"{where}: a group that follows another has no add_label or counted_by")
        if f.max_items < followed.max_items:
            add(f"{where}: max_items is lower than that of {followed.id}")
        subs = f.fields or []
        keys = [s for s in subs if followed.subfield(s.id) is not None]
        if not keys or len(keys) == len(subs):
            add(
                f"{where}: a group that follows another needs sub-fields of the same ids as "
                "the other's (which entry) and at least one of its own (the question)"
            )
        for sub in keys:
            other = followed.subfield(sub.id)
            if other is not None and other.type != sub.type:
                add(f"{self._where(sub, f)}: not of the type of {followed.id}.{sub.id}")

    # expressions -------------------------------------------------------------------------------
    def _expressions(self) -> Iterator[tuple[str, str, FieldDef | None]]:
        """(where, source, enclosing group) for every expression in the form."""
        form = self.form
        for section in form.sections:
            if section.relevant:
                yield f"section {section.id!r} › relevant", section.relevant, None
            for f in section.fields:
                yield from self._field_expressions(f, None)
                for sub in f.fields or []:
                    yield from self._field_expressions(sub, f)
        for c in form.computed:
            yield f"computed value {c.id!r} › expr", c.expr, None
        for rule in form.next_steps:
            yield f"next step {rule.id!r} › when", rule.when, None

    def _field_expressions(
        self, f: FieldDef, group: FieldDef | None
    ) -> Iterator[tuple[str, str, FieldDef | None]]:
        where = self._where(f, group)
        if f.relevant:
            yield f"{where} › relevant", f.relevant, group
        if isinstance(f.required, str):
            yield f"{where} › required", f.required, group
        for i, c in enumerate(f.constraints, 1):
            yield f"{where} › constraint #{i}", c.check, group

    def _member(self, group: FieldDef, name: str) -> FieldDef | None:
        """A sub-field ``name`` of ``group`` as its conditions see it: in a group that follows
        another, the other's sub-fields too (the entry it is about, e.g. ``child_lives``)."""
        sub = group.subfield(name)
        if sub is None and group.follows is not None:
            followed = self.form._fields.get(group.follows)
            sub = followed.subfield(name) if followed is not None else None
        return sub

    def _resolve(self, name: str, group: FieldDef | None) -> FieldDef | Computed | None:
        if group is not None and (sub := self._member(group, name)) is not None:
            return sub
        if name in self.form._fields:
            return self.form._fields[name]
        return next((c for c in self.form.computed if c.id == name), None)

    def _check_expressions(self) -> None:
        for where, source, group in self._expressions():
            try:
                expr = self.form.expression(source)
            except ExpressionError as exc:
                self.problems.append(f"{where}: {exc}")
                continue
            for ref in expr.references():
                scope_group = group
                if ref.group is not None:
                    target = self._resolve(ref.group, group)
                    if not isinstance(target, FieldDef) or target.type != FieldType.GROUP:
                        self.problems.append(
                            f"{where}: {ref.group!r} is not a repeatable group ({source!r})"
                        )
                        continue
                    scope_group = target
                if self._resolve(ref.name, scope_group) is None:
                    self.problems.append(
                        f"{where}: condition references missing field {ref.name!r} ({source!r})"
                    )
            for cmp in expr.literal_comparisons():
                scope_group = group
                if cmp.group is not None:
                    target = self._resolve(cmp.group, group)
                    scope_group = target if isinstance(target, FieldDef) else None
                target = self._resolve(cmp.name, scope_group)
                if not isinstance(target, FieldDef) or target.type not in _OPTION_TYPES:
                    continue
                if cmp.literal not in target.option_ids():
                    self.problems.append(
                        f"{where}: {cmp.literal!r} is not an option of field "
                        f"{cmp.name!r} ({source!r})"
                    )

    # evaluation order --------------------------------------------------------------------------
    def _deps(self, source: str | None, group: FieldDef | None) -> set[str]:
        """Top-level names (fields, computed) an expression depends on."""
        if not source:
            return set()
        out: set[str] = set()
        for ref in self.form.expression(source).references():
            for name in (ref.group, ref.name):
                if name is None:
                    continue
                in_group = group is not None and self._member(group, name) is not None
                in_ref_group = (
                    name == ref.name
                    and ref.group is not None
                    and (g := self._resolve(ref.group, group)) is not None
                    and isinstance(g, FieldDef)
                    and self._member(g, name) is not None
                )
                if not in_group and not in_ref_group:
                    out.add(name)
        return out

    def _order(self) -> None:
        form = self.form
        nodes: dict[tuple[str, str], set[tuple[str, str]]] = {}

        def key(name: str) -> tuple[str, str]:
            return ("field", name) if name in form._fields else ("computed", name)

        for section in form.sections:
            nodes[("section", section.id)] = {key(n) for n in self._deps(section.relevant, None)}
            for f in section.fields:
                deps = {key(n) for n in self._deps(f.relevant, None)}
                deps.add(("section", section.id))
                for sub in f.fields or []:
                    deps |= {key(n) for n in self._deps(sub.relevant, f)}
                nodes[("field", f.id)] = deps
        for c in form.computed:
            nodes[("computed", c.id)] = {key(n) for n in self._deps(c.expr, None)}
        order: list[tuple[str, str]] = []
        state: dict[tuple[str, str], int] = {}

        def visit(node: tuple[str, str], trail: list[tuple[str, str]]) -> None:
            if state.get(node) == 2:
                return
            if state.get(node) == 1:
                cycle = [*trail[trail.index(node) :], node]
                self.problems.append(
                    "conditions depend on each other in a cycle: "
                    + " → ".join(f"{k} {i!r}" for k, i in cycle)
                )
                return
            state[node] = 1
            for dep in sorted(nodes[node], key=list(nodes).index):
                visit(dep, [*trail, node])
            state[node] = 2
            order.append(node)

        for node in nodes:
            visit(node, [])
        form._order = order
        sections = {s.id: s for s in form.sections}
        computed = {c.id: c for c in form.computed}
        plan: list[PlanStep] = []
        for kind, ident in order:
            if kind == "section":
                plan.append((kind, sections[ident], ident))
            elif kind == "computed":
                plan.append((kind, computed[ident], ""))
            else:
                plan.append((kind, form._fields[ident], form._section_of[ident]))
        form._plan = plan
        self._check_group_order()

    def _check_group_order(self) -> None:
        """Within an item, a sub-field's condition may only read sub-fields above it, so one
        pass in document order decides every item."""
        for f in self.form.fields():
            if f.type != FieldType.GROUP:
                continue
            earlier: set[str] = set()
            names = {s.id for s in f.fields or []}
            for sub in f.fields or []:
                if sub.relevant:
                    for ref in self.form.expression(sub.relevant).references():
                        if ref.group is None and ref.name in names and ref.name not in earlier:
                            self.problems.append(
                                f"{self._where(sub, f)} › relevant: refers to sub-field "
                                f"{ref.name!r}, which is not above it"
                            )
                earlier.add(sub.id)

    # consent -----------------------------------------------------------------------------------
    def _check_purposes(self) -> None:
        ids = [p.id for p in self.form.purposes]
        for pid in ids:
            if pid not in CONSENT_PURPOSES:
                self.problems.append(f"purpose {pid!r}: unknown consent purpose")
            if ids.count(pid) > 1:
                self.problems.append(f"purpose {pid!r}: duplicate id")
        if self.form.purposes and not self.form.text_version:
            self.problems.append("a form with consent purposes needs a text_version")
        if self.form.earlier_texts and not self.form.purposes:
            self.problems.append("earlier_texts: only a form with consent purposes has them")
        seen: set[str] = set()
        for earlier in self.form.earlier_texts:
            where = f"earlier text {earlier.text_version!r}"
            if earlier.text_version == self.form.text_version:
                self.problems.append(f"{where}: is the current text_version")
            if earlier.text_version in seen:
                self.problems.append(f"{where}: text_version used twice")
            seen.add(earlier.text_version)
            for pid in earlier.purposes:
                # A purpose is never removed (forms.compat), so every earlier one is current.
                if pid not in ids:
                    self.problems.append(f"{where} › {pid}: not a purpose of this form")

"""Form definitions (data) turned into validation, skip logic and summaries. No Qt."""

from desktop_app.forms.definition import (
    FieldDef,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    Section,
    form_from_mapping,
    load_form,
    load_shipped_forms,
)
from desktop_app.forms.evaluator import (
    FieldError,
    FormState,
    InvalidAnswers,
    NextStep,
    SectionProgress,
    clean,
    completeness,
    computed_values,
    evaluate,
    granted_purposes,
    suggest_next_steps,
    validate,
)
from desktop_app.forms.labels import label

__all__ = [
    "FieldDef",
    "FieldError",
    "FieldType",
    "FormDefinition",
    "FormDefinitionError",
    "FormState",
    "InvalidAnswers",
    "NextStep",
    "Section",
    "SectionProgress",
    "clean",
    "completeness",
    "computed_values",
    "evaluate",
    "form_from_mapping",
    "granted_purposes",
    "label",
    "load_form",
    "load_shipped_forms",
    "suggest_next_steps",
    "validate",
]

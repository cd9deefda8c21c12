"""Form errors under their fields: each field a form may refuse gets an empty slot right after
it, a refusal naming that field (``ValidationError`` with a ``field`` parameter, or a form's own
list of (field, message) problems) is shown in its slot, and one summary line stays by the
submit button. A screen reader reading down the form meets each problem after its field.

Required fields follow one convention in every form: a note above the form says every field is
required but those whose label ends in "(선택)" (``optional``).
"""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.errors import DemoFactoryError
from services.ui import focus
from services.ui.i18n import t
from services.ui.widgets import error_text, show_error

_ICON = ":material/error:"


def required_note() -> None:
    """The note above a form: which of its fields must be filled."""
    st.caption(t("forms.required_note"))


def optional(label: str) -> str:
    """A field's label marked optional: "요약 (선택)"."""
    return f"{label} {t('forms.optional')}"


class FieldSlots:
    """The error slots of one form, in the order its fields are drawn."""

    def __init__(self) -> None:
        self._slots: dict[str, DeltaGenerator] = {}

    def under(self, field: str, where: DeltaGenerator | None = None) -> None:
        """Call right after drawing ``field``'s widget (``where``: its column, if any)."""
        self._slots[field] = (where or st.container()).empty()

    def show(self, problems: Iterable[tuple[str, str]]) -> None:
        """Each (field, message) in its field's slot, then the summary line (here, by the
        submit button); a problem of a field without a slot is shown here instead. The first
        field with a problem is brought into view and focused (``focus``): on a phone it may
        be a screen above the button."""
        first = True
        for field, text in problems:
            slot = self._slots.get(field)
            if slot is None:
                st.error(text, icon=_ICON)
            elif first:
                slot.container(key=focus.FIRST_REFUSAL).error(text, icon=_ICON)
                first = False
            else:
                slot.error(text, icon=_ICON)
        st.error(t("forms.fix_fields"), icon=_ICON)
        if not first:
            focus.bring_into_view(focus.FIRST_REFUSAL, to_field=True)

    def show_error(self, exc: DemoFactoryError) -> None:
        """A refusal: under its field when it names one of this form's, else here."""
        field = exc.params.get("field")
        if isinstance(field, str) and field in self._slots:
            self.show([(field, error_text(exc))])
        else:
            show_error(exc)

    def say(self, exc: DemoFactoryError) -> None:
        """A problem found before the form is sent (a file chosen over the limit): under its
        field, without the summary line. A refusal on sending takes its place."""
        field = exc.params.get("field")
        slot = self._slots.get(field) if isinstance(field, str) else None
        (slot or st).error(error_text(exc), icon=_ICON)

"""A funnel step's item picker: the published items by title, from the list cached for a minute
per user and category (``insights_cache.item_choices``), and what the builder does when a save
refuses an item deleted since the list offered it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import NoReturn

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from services.analytics.funnels import ItemChoices
from services.bootstrap import Services
from services.domain.permissions import Actor
from services.errors import DemoFactoryError
from services.ui import insights_cache
from services.ui.field_errors import FieldSlots
from services.ui.fragments import rerun_here
from services.ui.i18n import t
from services.ui.widgets import held_elsewhere

REFUSED_ITEM = "funnels.err_step_item"  # the service's refusal of an item that no longer exists
REFUSAL_KEY = "funnel_item_refusal"  # that refusal, kept for the run that redraws the pickers


def item_key(i: int) -> str:
    return f"funnel_item_{i}"


def item_field(
    i: int, where: DeltaGenerator, slots: FieldSlots, found: ItemChoices, narrowed: bool
) -> str | None:
    """Step ``i``'s item select box in ``where``, its error slot, and under it how much of the
    list it holds when capped; the chosen item's id."""
    labels = item_labels(found.items)
    # The id is the value, the title the label: the select box narrows by title as one types.
    item = where.selectbox(
        t("funnels.item"),
        [*labels, *_held_elsewhere(i, labels)],
        index=None,
        key=item_key(i),
        format_func=lambda item_id: labels.get(item_id, t("analytics.deleted_item")),
        placeholder=t("funnels.item_placeholder"),
        help=t("funnels.item_help"),
    )
    slots.under(f"item_{i}", where)
    if found.capped:  # said under the list: a title typed and not found is explained there
        where.caption(_capped_note(found, narrowed))
    return item or None


def _held_elsewhere(i: int, labels: dict[str, str]) -> list[str]:
    """The item step ``i`` holds when the list no longer offers it (``held_elsewhere``): the
    save refuses a deleted one (``REFUSED_ITEM``) and says so under it; the run that says it
    lets it go (``kept_refusal`` is read after the pickers, so the refusal is still there)."""
    gone = held_elsewhere(item_key(i), labels)
    refused = st.session_state.get(REFUSAL_KEY)
    field = refused.params.get("field") if isinstance(refused, DemoFactoryError) else None
    if gone and field == f"item_{i}":
        st.session_state[item_key(i)] = None  # to pick again from what is offered now
        return []
    return gone


def _capped_note(found: ItemChoices, narrowed: bool) -> str:
    """How many of the published items the list holds; without a category, that one finds
    the others by choosing theirs."""
    note = t("funnels.item_capped", shown=f"{len(found.items):,}", total=f"{found.total:,}")
    return note if narrowed else f"{note} · {t('funnels.item_capped_category')}"


def item_labels(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """id -> what the picker shows: the title, and for titles that repeat the id's end too (a
    select box tells its options apart by their labels)."""
    repeated = Counter(title for _, title in items)
    return {
        item_id: title if repeated[title] == 1 else f"{title} · …{item_id[-6:]}"
        for item_id, title in items
    }


def redraw_without_deleted(exc: DemoFactoryError, services: Services, actor: Actor) -> NoReturn:
    """A save refused an item deleted since the cached list offered it. This run's pickers
    are already drawn from that list, so the user's lists are dropped and the builder is drawn
    again from current ones, the refusal kept to be said there (``kept_refusal``). The save
    button is not clicked on that run: nothing is sent again."""
    insights_cache.forget_item_choices(services, actor)
    st.session_state[REFUSAL_KEY] = exc
    rerun_here()


def kept_refusal() -> DemoFactoryError | None:
    """The refusal ``redraw_without_deleted`` kept, once: the next click no longer says it."""
    kept = st.session_state.pop(REFUSAL_KEY, None)
    return kept if isinstance(kept, DemoFactoryError) else None

"""Deleting a saved funnel asks first, as every deletion does: a question with its two answers,
of which cancel keeps the funnel (it used to be a second click of the same button, with no way
back but leaving the tab)."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.bootstrap import Services
from services.domain.users import User
from tests.ui.conftest import errors, ko
from tests.ui.test_funnels import fill_builder, open_tab, own_funnels, save_key, seed


def _keys(at: AppTest) -> list[str]:
    return [str(button.key) for button in at.button]


def test_deleting_a_funnel_asks_first_and_cancel_keeps_it(
        new_app: Callable[..., AppTest], users: dict[str, User], services: Services) -> None:
    seed(services)
    at = open_tab(new_app, users["analyst"].username)
    fill_builder(at, "지울 <b>퍼널</b>")
    at.button(key=save_key(at)).click().run()
    assert own_funnels(services, users["analyst"]) == ["지울 <b>퍼널</b>"]

    at.button(key="funnel_delete").click().run()
    asked = [w.value for w in at.warning]
    assert asked == [ko("funnels.delete_confirm", name="지울 \\<b\\>퍼널\\</b\\>")], asked
    assert {"funnel_delete_yes", "funnel_delete_no"} <= set(_keys(at))
    at.button(key="funnel_delete_no").click().run()
    assert own_funnels(services, users["analyst"]) == ["지울 <b>퍼널</b>"]
    assert "funnel_delete_yes" not in _keys(at) and not at.warning

    at.button(key="funnel_delete").click().run()
    at.button(key="funnel_delete_yes").click().run()
    assert not errors(at), errors(at)
    assert own_funnels(services, users["analyst"]) == []
    assert "funnel_delete" not in _keys(at)  # the defaults are shown, which nobody deletes

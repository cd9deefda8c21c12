"""The dashboard of a period without events: what to do next, for an analyst (choose a longer
period, or wait for visits) and an administrator (who alone is shown the sample data command)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from services.analytics.dashboards import Preset
from services.analytics.periods import PRESET_DAYS
from services.domain.users import User
from services.i18n import translate
from tests.ui.conftest import errors, texts
from tests.ui.test_dashboard import open_dashboard

SEED = "python -m scripts.seed_demo --events 100000 --days 90"
LONGER = translate("ko", "analytics.empty_longer", days=PRESET_DAYS[Preset.DAYS_90])


@pytest.fixture(autouse=True)
def quiet_tracker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own page views stay in the tracker's buffer: the store stays empty."""
    monkeypatch.setenv("DEMO_FACTORY_TRACKER_FLUSH_SECONDS", "3600")




def _longer(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.label == LONGER]


def test_an_analyst_is_told_to_choose_a_longer_period_not_to_run_a_command(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    assert not at.code
    assert "seed_demo" not in texts(at)
    assert translate("ko", "analytics.empty_hint") in texts(at)
    assert not at.tabs


def test_the_longer_period_button_switches_to_the_longest_preset(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_dashboard(new_app, users["analyst"].username)
    assert at.session_state["dash_preset"] == Preset.DAYS_7
    assert _longer(at) == [LONGER]
    at.button(key="dash_longer").click().run()
    assert not at.exception, at.exception
    assert not errors(at), errors(at)
    assert at.session_state["dash_preset"] == Preset.DAYS_90
    assert "(90일)" in texts(at)  # the period caption
    assert not _longer(at)  # already the longest preset


def test_an_administrator_sees_the_sample_data_command_once(
    new_app: Callable[..., AppTest], users: dict[str, User]
) -> None:
    at = open_dashboard(new_app, users["admin"].username)
    assert [c.value for c in at.code] == [SEED]
    assert translate("ko", "analytics.empty_hint_admin") in texts(at)
    assert "seed_demo" not in texts(at)  # the hint points to the command, not repeats it
    assert _longer(at) == [LONGER]


def test_in_the_emulation_the_administrator_is_given_the_emulations_command(
    new_app: Callable[..., AppTest], users: dict[str, User], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run beside the emulation, the seeding command filled local mode's store and the
    dashboard stayed empty: the emulation takes its sample usage when it starts."""
    monkeypatch.setenv("DEMO_FACTORY_EMULATION", "true")
    at = open_dashboard(new_app, users["admin"].username)
    assert [c.value for c in at.code] == ["python -m scripts.emulate --events 2000"]
    assert translate("ko", "analytics.empty_hint_emulation") in texts(at)
    assert _longer(at) == [LONGER]

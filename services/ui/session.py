"""Per-session access to the services and the signed-in actor.

``app.py`` builds the services once per process (``st.cache_resource``) and, on every run,
stores them and the resolved actor here, so that pages can reach both without rebuilding.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

import streamlit as st

from services.bootstrap import Services, build_services
from services.domain.permissions import Actor
from services.settings import ENV_PREFIX, Settings, load_settings
from services.ui import warmup

log = logging.getLogger(__name__)

_SERVICES_KEY = "_df_services"
_ACTOR_KEY = "_df_actor"


Environment = tuple[tuple[str, str], ...]


def current_settings() -> Settings:
    """The settings of this process, validated once per distinct ``DEMO_FACTORY_*``
    environment (reading them took ~30 ms of every run); a ConfigError is raised again on every
    run, never kept."""
    return _settings_for(tuple(sorted(
        (name.upper(), value) for name, value in os.environ.items()
        if name.upper().startswith(ENV_PREFIX)
    )))


@lru_cache(maxsize=4)
def _settings_for(environment: Environment) -> Settings:
    """``environment`` is the cache key: the settings come from the same variables."""
    return load_settings()


@st.cache_resource(show_spinner=False)
def _build(settings_key: str, _settings: Settings) -> Services:
    """One Services per distinct settings (the key) in this process."""
    services = build_services(_settings)
    if _settings.sample_content:
        log.info("sample content: %d items added", services.samples.ensure())
    warmup.start(services)
    return services


def process_services() -> Services:
    """This process's services outside a script run (a route of the server's own): the same
    ones the pages use, built on first use."""
    settings = current_settings()
    return _build(settings.model_dump_json(), settings)


def load_services(settings: Settings) -> Services:
    services = _build(settings.model_dump_json(), settings)
    st.session_state[_SERVICES_KEY] = services
    return services


def services() -> Services:
    """The services of this run (set by app.py before the page runs).

    Pages live in ``app_pages/``, not ``pages/``: Streamlit serves a ``pages/`` folder on its
    own until a server's first ``st.navigation`` call, which would let a deep link skip app.py.
    """
    found: Services = st.session_state[_SERVICES_KEY]
    return found


def set_actor(actor: Actor) -> None:
    st.session_state[_ACTOR_KEY] = actor


def actor() -> Actor:
    """Who is using this browser session: roles come from our directory, never a cookie."""
    found = st.session_state.get(_ACTOR_KEY)
    return found if isinstance(found, Actor) else Actor.anonymous()

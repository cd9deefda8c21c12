"""Sign-in through any OpenID Connect provider with Streamlit's ``st.login``
(``DEMO_FACTORY_AUTH=oidc``; the provider is configured in ``.streamlit/secrets.toml [auth]``).

Streamlit runs the authorization-code flow with Authlib (state, nonce, the provider's keys),
verifies the ID token and keeps its claims in its own signed, HttpOnly cookie; ``st.user`` is
those claims. Roles come from the groups claim (``DEMO_FACTORY_OIDC_GROUPS_CLAIM``) through the
same group names as Cognito sign-in; no group = viewer.
"""

from __future__ import annotations

import streamlit as st

from services.accounts.cognito import group_names
from services.bootstrap import Services
from services.domain.identity import actor_of, identity_from_claims
from services.domain.permissions import Actor


def actor(services: Services) -> Actor:
    if not st.user.is_logged_in:
        return Actor.anonymous()
    settings = services.settings
    identity = identity_from_claims(st.user.to_dict(), settings.oidc_groups_claim)
    return actor_of(identity, group_names(settings))


def sign_in(services: Services) -> None:
    """Leave for the provider's sign-in page; it sends the browser back to the app."""
    provider = services.settings.oidc_provider
    st.login(provider) if provider else st.login()


def sign_out() -> None:
    st.logout()

"""Config doctor: sign-in through an OpenID Connect provider (DEMO_FACTORY_AUTH=oidc).

Streamlit reads the provider from ``.streamlit/secrets.toml`` (``[auth]``, or
``[auth.<DEMO_FACTORY_OIDC_PROVIDER>]`` for the provider's own keys); this check reads the same
files, says which key is missing, and fetches the provider's metadata document.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from services.domain.checks import DoctorLine, doctor_line
from services.domain.cookie_key import MIN_COOKIE_KEY, weak_key_reason
from services.ops.doctor.base import Check, DoctorContext

SHARED_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def auth_sections(files: tuple[Path, ...], provider: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The shared [auth] section and the provider's (the same one without a provider name),
    later files taking precedence as in Streamlit."""
    auth: dict[str, Any] = {}
    for path in files:
        if path.is_file():
            with path.open("rb") as handle:
                found = tomllib.load(handle).get("auth")
            if isinstance(found, Mapping):
                auth.update(found)
    named = auth.get(provider) if provider else auth
    return auth, dict(named) if isinstance(named, Mapping) else {}


def check_oidc(context: DoctorContext) -> list[DoctorLine]:
    settings = context.settings
    if settings.auth != "oidc":
        return []
    auth, provider = auth_sections(context.secrets_files, settings.oidc_provider)
    section = f"auth.{settings.oidc_provider}" if settings.oidc_provider else "auth"
    missing = [f"[auth] {key}" for key in SHARED_KEYS if not auth.get(key)]
    missing += [f"[{section}] {key}" for key in PROVIDER_KEYS if not provider.get(key)]
    if missing:
        return [doctor_line("oidc.secrets", False, "doc_oidc_missing", "fix_oidc_missing",
                            keys=", ".join(missing))]
    lines = [doctor_line("oidc.secrets", True, "doc_oidc_secrets_ok", section=section)]
    redirect = str(auth["redirect_uri"])
    if not redirect.endswith("/oauth2callback"):
        lines.append(doctor_line(
            "oidc.redirect_uri", False, "doc_oidc_redirect", "fix_oidc_redirect",
            uri=redirect))
    if weak_key_reason(str(auth["cookie_secret"])):
        lines.append(doctor_line("oidc.cookie_secret", False, "doc_oidc_weak_secret",
                                 "fix_oidc_weak_secret", min=MIN_COOKIE_KEY))
    lines.append(_metadata_line(str(provider["server_metadata_url"])))
    return lines


def _metadata_line(url: str) -> DoctorLine:
    try:
        response = requests.get(url, timeout=5)
        response.raise_for_status()
        issuer = str(response.json().get("issuer") or "")
    except (requests.RequestException, ValueError) as exc:
        return doctor_line("oidc.provider", False, "doc_oidc_unreachable", "fix_oidc_unreachable",
                           url=url, error=type(exc).__name__)
    return doctor_line("oidc.provider", True, "doc_oidc_provider_ok", issuer=issuer or url)


OIDC_CHECKS = [Check("oidc", check_oidc)]

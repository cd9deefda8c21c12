"""Doctor checks of the machine the app runs on: local storage (local mode), the Korean font,
the sign-in cookie key, the Streamlit server settings that break behind a proxy, and how the
proxy (CloudFront) reaches the app."""

from __future__ import annotations

import re
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from services.domain.checks import DoctorLine, doctor_line
from services.domain.cookie_key import KNOWN_PLACEHOLDERS, MIN_COOKIE_KEY, weak_key_reason
from services.ops.doctor.base import Check, DoctorContext

LOCAL = frozenset({"local"})
__all__ = ["KNOWN_PLACEHOLDERS", "LOCAL_CHECKS", "MIN_COOKIE_KEY", "weak_key_reason"]
# Streamlit's option, its environment override and its default.
_SERVER_OPTIONS: dict[str, tuple[str, Any]] = {
    "enableXsrfProtection": ("STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION", True),
    "enableCORS": ("STREAMLIT_SERVER_ENABLE_CORS", True),
    "maxUploadSize": ("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", 200),
    "baseUrlPath": ("STREAMLIT_SERVER_BASE_URL_PATH", ""),
}
_URL_PATH = re.compile(r"^[A-Za-z0-9._~/-]*$")


def _writable(path: Path) -> str | None:
    """None if a file can be created in ``path`` (made if missing), else the reason."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def check_data_dir(context: DoctorContext) -> list[DoctorLine]:
    path = context.settings.data_dir.resolve()
    error = _writable(path)
    if error:
        return [doctor_line("local.data_dir", False, "doc_dir_not_writable", "fix_data_dir",
                            path=str(path), error=error)]
    return [doctor_line("local.data_dir", True, "doc_dir_writable", path=str(path))]


def check_files_dir(context: DoctorContext) -> list[DoctorLine]:
    path = context.settings.files_dir.resolve()
    error = _writable(path)
    if error:
        return [doctor_line("local.files_dir", False, "doc_dir_not_writable", "fix_files_dir",
                            path=str(path), error=error)]
    return [doctor_line("local.files_dir", True, "doc_dir_writable", path=str(path))]


def check_font(context: DoctorContext) -> list[DoctorLine]:
    try:
        path = context.font_path()
    except FileNotFoundError:
        return [doctor_line("font", False, "doc_font_missing", "fix_font")]
    return [doctor_line("font", True, "doc_font_ok", path=str(path))]


def check_cookie_key(context: DoctorContext) -> list[DoctorLine]:
    """Settings refuse a weak key when they load (the same rule); this line says so where
    settings were made without that check, and says how the key is kept when it is fine."""
    settings = context.settings
    if settings.cookie_key is None:
        if settings.backend == "aws":
            return [doctor_line("cookie_key", False, "doc_key_missing", "fix_cookie_key",
                                min=MIN_COOKIE_KEY)]
        return _check_key_file(settings.data_dir / ".cookie_key")
    reason = weak_key_reason(settings.cookie_key.get_secret_value())
    if reason:
        return [doctor_line("cookie_key", False, reason, "fix_cookie_key", min=MIN_COOKIE_KEY)]
    return [doctor_line("cookie_key", True, "doc_key_ok", min=MIN_COOKIE_KEY)]


def _check_key_file(path: Path) -> list[DoctorLine]:
    """The generated key's file, held to the variable's rule (the app refuses a weak one at
    start too): a key written there by hand would be as forgeable as a weak variable."""
    if not path.exists():
        return [doctor_line("cookie_key", True, "doc_key_will_generate", path=str(path))]
    try:
        reason = weak_key_reason(path.read_text().strip())
    except OSError as exc:
        return [doctor_line("cookie_key", False, "doc_key_file_unreadable", "fix_cookie_key_file",
                            path=str(path), error=str(exc))]
    if reason:  # the same reasons, said of the file; never the key itself
        detail = reason.replace("doc_key_", "doc_key_file_")
        return [doctor_line("cookie_key", False, detail, "fix_cookie_key_file", path=str(path),
                            min=MIN_COOKIE_KEY)]
    return [doctor_line("cookie_key", True, "doc_key_generated", path=str(path))]


# ---- Streamlit server settings ---------------------------------------------------------------


def _read_server_config(path: Path) -> Mapping[str, Any] | None:
    """The ``[server]`` table of config.toml ({} if the file is absent, None if unreadable)."""
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            server = tomllib.load(fh).get("server", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return server if isinstance(server, dict) else {}


def _effective(server: Mapping[str, Any], env: Mapping[str, str], option: str) -> Any:
    """The value Streamlit will use: environment override, else the file, else the default."""
    env_name, default = _SERVER_OPTIONS[option]
    raw = env.get(env_name)
    if raw is None:
        return server.get(option, default)
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            return default
    return raw


def check_streamlit(context: DoctorContext) -> list[DoctorLine]:
    path = context.streamlit_config
    server = _read_server_config(path)
    if server is None:
        return [doctor_line(
            "streamlit.config", False, "doc_config_unreadable", "fix_config_unreadable",
            path=str(path))]
    env = context.env
    xsrf = bool(_effective(server, env, "enableXsrfProtection"))
    cors = bool(_effective(server, env, "enableCORS"))
    upload = _effective(server, env, "maxUploadSize")
    wanted = context.settings.uploader_cap_mb  # room above the limit: services/ui/uploads.py
    lines = [
        doctor_line("streamlit.xsrf", True, "doc_xsrf_on") if xsrf else
        doctor_line("streamlit.xsrf", False, "doc_xsrf_off", "fix_xsrf", path=str(path)),
        doctor_line("streamlit.cors", True, "doc_cors_on") if cors else
        doctor_line("streamlit.cors", False, "doc_cors_off", "fix_cors", path=str(path)),
        doctor_line("streamlit.upload", True, "doc_upload_ok", size=upload, wanted=wanted)
        if isinstance(upload, int) and upload >= wanted else
        doctor_line("streamlit.upload", False, "doc_upload_small", "fix_upload", size=upload,
                    wanted=wanted, path=str(path)),
    ]
    lines.append(_base_url_line(server, env, path))
    return lines


def _base_url_line(server: Mapping[str, Any], env: Mapping[str, str], path: Path) -> DoctorLine:
    in_file = str(server.get("baseUrlPath", ""))
    effective = str(_effective(server, env, "baseUrlPath"))
    normalized = effective.strip("/")
    shown = "/" + normalized
    if not _URL_PATH.match(effective) or "//" in normalized:
        return doctor_line("streamlit.base_url", False, "doc_base_url_invalid", "fix_base_url",
                           value=effective, path=str(path))
    if in_file.strip("/") != normalized:
        return doctor_line("streamlit.base_url", False, "doc_base_url_mismatch", "fix_base_url",
                           value=effective, file_value=in_file or "/", path=str(path))
    return doctor_line("streamlit.base_url", True, "doc_base_url_ok", value=shown)


def check_origin(context: DoctorContext) -> list[DoctorLine]:
    """What the stack said about CloudFront's leg to the load balancer; the app cannot see it."""
    https = context.settings.origin_https
    if https is None:
        return []
    if https:
        return [doctor_line("origin.https", True, "doc_origin_https")]
    return [doctor_line("origin.https", False, "doc_origin_plain", "fix_origin_plain")]


LOCAL_CHECKS = [
    Check("local.data_dir", check_data_dir, LOCAL),
    Check("local.files_dir", check_files_dir, LOCAL),
    Check("font", check_font),
    Check("cookie_key", check_cookie_key),
    Check("streamlit", check_streamlit),
    Check("origin", check_origin),
]

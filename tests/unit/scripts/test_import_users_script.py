"""scripts/import_users.py and export_users.py on a local data dir, with credentials files
written and read back by streamlit-authenticator itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bcrypt
import pytest
import yaml

from scripts import export_users, import_users
from services.bootstrap import Services, build_services
from services.domain.permissions import Role
from services.errors import PermissionDenied
from services.settings import load_settings

COOKIE_KEY = "the-old-apps-cookie-signing-key-0123456789"
OLD_PASSWORD = "from the old app"
OLD_HASH = bcrypt.hashpw(OLD_PASSWORD.encode(), bcrypt.gensalt(4)).decode()


@pytest.fixture
def services(script_env: Path) -> Services:
    return build_services(load_settings())


def package_config(tmp_path: Path, usernames: dict[str, Any], *, hash_them: bool) -> Path:
    """A config.yaml as a streamlit-authenticator app keeps it: hashed by the package's
    Hasher.hash_passwords and written by its own writer."""
    from streamlit_authenticator.utilities.hasher import Hasher
    from streamlit_authenticator.utilities.helpers import Helpers

    config = {"cookie": {"expiry_days": 30, "key": COOKIE_KEY, "name": "old_app_cookie"},
              "credentials": {"usernames": usernames}}
    if hash_them:
        Hasher.hash_passwords(config["credentials"])
    path = tmp_path / "config.yaml"
    Helpers.write_config_file(str(path), config)
    return path


def user(first: str, last: str, password: str, *roles: str) -> dict[str, Any]:
    return {"email": f"{first.lower()}@example.com", "first_name": first, "last_name": last,
            "failed_login_attempts": 0, "logged_in": False, "password": password,
            "roles": list(roles)}


def run(module: Any, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = module.main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_package_written_file_is_imported_signs_in_and_exports_back(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from streamlit_authenticator.models.authentication_model import AuthenticationModel
    from streamlit_authenticator.utilities.helpers import Helpers

    passwords = {"jsmith": "john's long password", "rbriggs": "rebecca's long password"}
    path = package_config(tmp_path, {
        "jsmith": user("John", "Smith", passwords["jsmith"], "admin", "editor"),
        "rbriggs": user("Rebecca", "Briggs", passwords["rbriggs"], "Viewer"),
    }, hash_them=True)
    hashes = {name: fields["password"] for name, fields in
              yaml.safe_load(path.read_text())["credentials"]["usernames"].items()}
    code, out, _ = run(import_users, [str(path)], capsys)

    assert code == 0
    assert "config.yaml: 2 users read" in out and "  imported: 2" in out
    assert "roles not known here, dropped:\n  jsmith: editor" in out
    assert "cookies cannot be revoked, so they sign nobody in here" in out
    assert "DEMO_FACTORY_COOKIE_KEY must be a new random value" in out
    assert COOKIE_KEY not in out  # the secret is never shown
    john = services.accounts.get("jsmith")
    assert (john.name, john.email, john.roles) == ("John Smith", "john@example.com",
                                                   {Role.ADMIN})
    for name, password in passwords.items():  # the original passwords sign in
        assert services.accounts.authenticate(name, password).username == name
        assert services.ports.users.password_hash(name) == hashes[name]  # type: ignore[attr-defined]
    assert [(e.actor, e.target) for e in services.ports.audit.entries(action="user.import")] \
        == [("script:import_users", "rbriggs"), ("script:import_users", "jsmith")]

    out_path = tmp_path / "out.yaml"
    code, out, _ = run(export_users, [str(out_path)], capsys)
    assert code == 0 and "out.yaml: 2 users exported" in out
    exported = Helpers.read_config_file(str(out_path))  # the package's own loader
    assert exported["credentials"]["usernames"]["jsmith"] == {
        "email": "john@example.com", "first_name": "John", "last_name": "Smith",
        "password": hashes["jsmith"], "roles": ["admin"]}
    assert exported["cookie"]["key"] == ""  # no secret leaves the app
    package = AuthenticationModel(exported["credentials"], auto_hash=False)
    assert package.check_credentials("rbriggs", passwords["rbriggs"])  # the package signs in
    assert not package.check_credentials("rbriggs", passwords["jsmith"])


def test_plain_passwords_are_hashed_and_said_so_re_runs_add_nothing(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = package_config(tmp_path, {
        "kim": user("Kim", "", "kims secret words"),  # no role: viewer
        "Lee": user("Lee", "", OLD_HASH, "author"),
    }, hash_them=False)

    code, out, _ = run(import_users, [str(path)], capsys)
    assert code == 0
    assert "of which with a plain password in the file, hashed now: 1" in out
    assert "no known role, so viewer: kim" in out
    assert "kims secret words" not in out
    assert services.accounts.get("kim").roles == {Role.VIEWER}
    assert services.accounts.get("lee").roles == {Role.AUTHOR}
    kim_hash = services.ports.users.password_hash("kim")  # type: ignore[attr-defined]
    assert kim_hash.startswith("$2b$12$")  # hashed at the app's work factor

    services.accounts.set_roles(import_users.ACTOR, "lee", frozenset({Role.ANALYST}))
    code, out, _ = run(import_users, [str(path)], capsys)
    assert code == 1
    assert "  imported: 0" in out and "skipped, already here (not changed): 2" in out
    assert "  kim: already here" in out and "  Lee: already here" in out
    assert services.ports.users.password_hash("kim") == kim_hash  # type: ignore[attr-defined]
    assert services.accounts.get("lee").roles == {Role.ANALYST}  # not overwritten
    assert len(services.ports.audit.entries(action="user.import")) == 2


def test_users_that_are_not_valid_are_listed_and_skipped(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = package_config(tmp_path, {
        "okay": user("Okay", "", OLD_HASH, "analyst"),
        "short": user("Short", "", "abc"),
        "no spaces allowed": user("X", "", OLD_HASH),
        "broken": "not a mapping",
    }, hash_them=False)
    code, out, _ = run(import_users, [str(path)], capsys)
    assert code == 1
    assert "4 users read" in out and "  imported: 1" in out and "skipped, not valid: 3" in out
    assert "  short: The password must have at least 10 characters." in out
    assert "  no spaces allowed: A username starts with" in out
    assert "  broken: The entry is not a set of fields" in out
    assert [u.username for u in services.ports.users.list()] == ["okay"]


def test_a_second_user_with_an_email_in_use_is_listed_as_not_valid(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twin = {**user("Kim", "", OLD_HASH), "email": "KIM@example.com"}
    path = package_config(tmp_path, {"kim": user("Kim", "", OLD_HASH), "kim2": twin},
                          hash_them=False)
    code, out, _ = run(import_users, [str(path)], capsys)
    assert code == 1
    assert "  imported: 1" in out and "skipped, not valid: 1" in out
    assert "  kim2: The email address 'KIM@example.com' is already used by another account." in out
    assert [u.username for u in services.ports.users.list()] == ["kim"]


def test_a_dry_run_reports_and_writes_nothing(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = package_config(tmp_path, {"kim": user("Kim", "", OLD_HASH)}, hash_them=False)
    code, out, _ = run(import_users, [str(path), "--dry-run"], capsys)
    assert code == 0
    assert "  would be imported: 1" in out and "--dry-run: nothing written" in out
    assert services.ports.users.list() == []
    assert services.ports.audit.entries(action="user.import") == []
    with pytest.raises(PermissionDenied):
        services.accounts.authenticate("kim", OLD_PASSWORD)


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"),
    ("credentials: [unclosed", "not valid YAML"),
    ("cookie: {name: x}\n", "Not a streamlit-authenticator credentials file"),
])
def test_a_file_that_cannot_be_used(services: Services, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str], content: str | None,
                                    message: str) -> None:
    path = tmp_path / "config.yaml"
    if content is not None:
        path.write_text(content)
    code, out, err = run(import_users, [str(path)], capsys)
    assert code == 2 and out == "" and message in err


def test_with_sso_or_cognito_the_provider_keeps_the_passwords(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = package_config(tmp_path, {"kim": user("Kim", "", OLD_HASH)}, hash_them=False)
    monkeypatch.setenv("DEMO_FACTORY_AUTH", "oidc")
    for module, args in ((import_users, [str(path)]), (export_users, [str(tmp_path / "o.yml")])):
        code, out, err = run(module, args, capsys)
        assert code == 2 and out == ""
        assert "kept by the sign-in provider" in err
    # Cognito (aws mode): refused from the settings alone, before any AWS call.
    cognito = services.settings.model_copy(update={"auth": "cognito", "backend": "aws"})
    monkeypatch.setattr(import_users, "load_script_settings", lambda: cognito)
    assert run(import_users, [str(path)], capsys)[0] == 2
    assert services.ports.users.list() == [] and not (tmp_path / "o.yml").exists()


def test_the_export_refuses_to_replace_a_file_and_leaves_out_disabled_users(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("kim", "lee"):
        services.accounts.import_user(import_users.ACTOR, name, name.title(), "",
                                      frozenset({Role.AUTHOR}), OLD_HASH)
    services.accounts.set_disabled(import_users.ACTOR, "lee", True)
    path = tmp_path / "config.yaml"
    path.write_text("the team's own file\n")

    code, _, err = run(export_users, [str(path)], capsys)
    assert code == 2 and "pass --force" in err
    assert path.read_text() == "the team's own file\n"

    code, out, _ = run(export_users, [str(path), "--force"], capsys)
    assert code == 1
    assert "config.yaml: 1 users exported" in out and "left out: 1" in out
    assert "  lee: Disabled here" in out
    assert list(yaml.safe_load(path.read_text())["credentials"]["usernames"]) == ["kim"]
    assert path.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    entry = services.ports.audit.entries(action="user.export")[-1]
    assert entry.actor == "script:export_users"

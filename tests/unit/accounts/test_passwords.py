"""Local password hashes come from streamlit-authenticator's Hasher and stay plain bcrypt:
hashes of the previous code verify, and plain bcrypt verifies ours, in both directions."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest

from services.accounts.hasher import Hasher
from services.accounts.passwords import (
    BCRYPT_ROUNDS,
    check_password,
    hash_password,
    is_password_hash,
)

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[3]


def previous_hash(password: str, rounds: int = 4) -> str:
    """How the code before the Hasher made hashes."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def test_a_hash_made_by_the_previous_code_still_verifies() -> None:
    old = previous_hash(PASSWORD)
    assert check_password(PASSWORD, old)
    assert not check_password("correct horse battery!", old)
    # Other apps write the older $2a$ and $2y$ prefixes of the same algorithm.
    for prefix in ("$2a$", "$2y$"):
        assert check_password(PASSWORD, prefix + old[4:])
        assert is_password_hash(prefix + old[4:])


def test_the_hash_is_the_packages_at_the_same_work_factor_and_bcrypt_verifies_it() -> None:
    new = hash_password(PASSWORD)  # the default: Hasher.hash, as in production
    assert new.startswith(f"$2b${BCRYPT_ROUNDS}$")  # the work factor did not change
    assert bcrypt.checkpw(PASSWORD.encode(), new.encode())


def test_a_lower_work_factor_for_tests_keeps_the_format() -> None:
    cheap = hash_password(PASSWORD, rounds=4)
    assert cheap.startswith("$2b$04$")
    assert Hasher.check_pw(PASSWORD, cheap) and check_password(PASSWORD, cheap)
    assert bcrypt.checkpw(PASSWORD.encode(), cheap.encode())


def test_unusable_hashes_and_too_long_passwords_match_nothing() -> None:
    assert not check_password("", "")  # a new account's empty hash
    assert not check_password(PASSWORD, "not a hash")
    assert not check_password("x" * 80, previous_hash("x" * 72))  # bcrypt 5 refuses > 72 bytes
    assert not is_password_hash("") and not is_password_hash(PASSWORD)


def test_the_hasher_is_the_installed_packages_own() -> None:
    from streamlit_authenticator.utilities.hasher import Hasher as PackageHasher

    assert inspect.getsourcefile(Hasher) == inspect.getsourcefile(PackageHasher)
    assert PackageHasher.check_pw(PASSWORD, hash_password(PASSWORD, rounds=4))


def test_accounts_and_the_user_scripts_do_not_import_streamlit() -> None:
    code = (
        "import sys, services.bootstrap, services.accounts.credentials_file, "
        "scripts.import_users, scripts.export_users\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('streamlit', 'streamlit_authenticator', 'extra_streamlit_components')))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, check=True, timeout=60)
    assert done.stdout.strip() == "[]"
    assert done.stderr == ""  # none of the package's warnings outside a Streamlit run


@pytest.mark.parametrize("text", ["$2b$04$short", "plain-password-123", "$1$md5$crypt"])
def test_only_bcrypt_hashes_count_as_hashes(text: str) -> None:
    assert not is_password_hash(text)

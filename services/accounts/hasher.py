"""streamlit-authenticator's ``Hasher``, without the rest of that package.

The package's ``__init__`` imports streamlit and builds its sign-in widgets (logging warnings
outside a Streamlit run), and importing any of its submodules runs that ``__init__`` first. Its
hasher module needs only bcrypt, so it is loaded here from the installed package's file on its
own: the account service and the scripts use the same hashing as a streamlit-authenticator app
without importing streamlit (which only app.py, app_pages/ and services/ui/ may import).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "streamlit_authenticator"
HASHER_FILE = Path("utilities") / "hasher.py"
# A private name: the real package may be imported as well (tests) without a clash.
MODULE_NAME = "_demo_factory_stauth_hasher"


def hasher_path() -> Path:
    """The installed package's hasher module. ``find_spec`` of a top-level name only locates
    the package; nothing of it runs."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("streamlit-authenticator is not installed (see requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / HASHER_FILE


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(MODULE_NAME, hasher_path())
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {PACKAGE}'s hasher")
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE_NAME] = module  # as an import would (inspect and pickle look there)
    spec.loader.exec_module(module)
    return module


Hasher: Any = _load().Hasher

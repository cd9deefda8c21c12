"""The world of the bad-input suite: the hostile inputs, services on a temporary SQLite
store (cheap password hashing, no lockout or rate limit in the way), and how stored content
is shown."""

from __future__ import annotations

import dataclasses
import itertools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from services.accounts.passwords import LocalPasswords
from services.bootstrap import Ports, Services, build_local_ports, build_services
from services.settings import Settings
from tests.security.inert import Shown, Stored
from tests.security.world import ACTORS, World, draft

# ---- the hostile inputs ------------------------------------------------------------------

CODE_IN_LIST = ("- a list\n\n      ```\n      [live](https://evil.example/x)\n\n"
                "      ![pixel](https://evil.example/p.png)\n      ```\n")
HOSTILE: dict[str, str] = {
    "lone_surrogate": "abc\ud800def",
    "nul": "a\x00b",
    "controls": "bell\x07esc\x1b[31mred\x7fdel\x08",
    "megabyte": "x" * 1_000_000,
    "js_link": "[click](javascript:alert(1))",
    "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "foreign_image": "![x](https://evil.example/img.png)",
    "code_in_list": CODE_IN_LIST,
    "bare_url": "see https://evil.example/login or www.evil.example now",
    "email": "write to victim@evil.example",
    "formula_cmd": "=cmd|' /C calc'!A0",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(1)",
    "formula_tab": "\t=1+1",
    "formula_cr": "\r=1+1",
    "rtl_override": "invoice\u202egnp.exe",
    "zero_width": "a\u200bb\u200dc\ufeffd\u2060e",
    "nfd": unicodedata.normalize("NFD", "한국어 café résumé"),
    "newlines": "one\ntwo\r\nthree\u2028four\u2029five",
    "long_word": "W" * 5000,
    "emoji_cjk": "데모 😀👩‍💻 漢字 テスト",
}

# ---- the world the paths act in ----------------------------------------------------------

ADMIN, AUTHOR, ANALYST = ACTORS["admin"], ACTORS["author"], ACTORS["analyst"]
_counter = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter):05d}"


def build(folder: Path) -> Services:
    settings = Settings(
        data_dir=folder / "data", sample_content=False, max_upload_mb=1,
        # Many refused sign-ins and contact messages in one module: no lockout, no rate limit
        # (both have tests of their own); here the text is on trial.
        login_max_failures=1_000_000, inquiry_limit=100, inquiry_instance_limit=10_000,
        inquiry_global_limit=100_000,
    )
    ports = build_local_ports(settings)
    passwords = LocalPasswords(ports.users, rounds=4)  # type: ignore[arg-type]
    return build_services(settings, dataclasses.replace(ports, passwords=passwords))


@dataclass
class Ctx:
    services: Services
    folder: Path
    edited_id: str  # the item the update path edits

    @property
    def ports(self) -> Ports:
        return self.services.ports


def make_ctx(folder: Path) -> Ctx:
    """Services with the administrator ``root`` (password ``world.PASSWORD``) and one item
    for the update path to edit."""
    services = build(folder)
    World(services, ADMIN, "own", folder).account  # noqa: B018 (made on first use)
    edited = services.content.create(draft("Before the edit"), [], AUTHOR)
    return Ctx(services, folder, edited.id)


SHORT = (Shown.SHORT, Shown.LABEL, Shown.CSV)


def content_stored(ctx: Ctx, item_id: str) -> dict[str, Stored]:
    item = ctx.ports.content.get(item_id)
    return {"title": Stored(item.title, SHORT), "summary": Stored(item.summary, SHORT),
            "body": Stored(item.body, (Shown.BODY,)),
            **{f"tag{i}": Stored(tag, (Shown.TAG, Shown.LABEL, Shown.CSV))
               for i, tag in enumerate(item.tags)}}



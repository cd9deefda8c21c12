"""Markdown to HTML with raw HTML disabled: authors' text can never inject markup or scripts.

The HTML is final: pages show it with ``st.html`` (never through Streamlit's markdown, which
would parse it as markdown a second time and bring links inside code blocks to life).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_SAFE_SCHEMES = ("http://", "https://", "mailto:", "#", "/")
# The app is one page: a link away from it (another site, a mail program) opens in a new tab,
# or the reader's click would replace the app. "//host" is another site, not a path.
_NEW_TAB: Mapping[str, str] = MappingProxyType(
    {"target": "_blank", "rel": "noopener noreferrer nofollow"})


@cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Only plain web links; markdown-it already refuses javascript:, this also drops data: etc.
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("image", _picture_link)
    return md


def _link_attrs(href: str) -> Mapping[str, str]:
    """What a link to ``href`` carries besides it: a link within the app (``/path``,
    ``#anchor``) nothing, any other one a new tab."""
    in_app = href.startswith(("/", "#")) and not href.startswith("//")
    return {} if in_app else _NEW_TAB


def _link_open(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
               env: EnvType) -> str:
    token = tokens[idx]
    for name, value in _link_attrs(str(token.attrGet("href"))).items():
        token.attrSet(name, value)
    return renderer.renderToken(tokens, idx, options, env)


def _picture_link(renderer: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict,
                  env: EnvType) -> str:
    """A picture by address is a link to it, never an ``<img>``: every reader's browser would
    fetch it from the author's chosen host (a tracking pixel), and no page of the app loads
    anything from another host. The item's own files are placed by ``asset:`` references."""
    token = tokens[idx]
    src = str(token.attrGet("src"))
    text = renderer.renderInlineAsText(token.children or [], options, env) or src
    attrs = "".join(f' {name}="{value}"' for name, value in _link_attrs(src).items())
    return f'<a href="{escapeHtml(src)}"{attrs}>{escapeHtml(text)}</a>'


@cache
def _inert_renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable(["link", "image", "autolink"])
    return md


def render_markdown(text: str) -> str:
    """Safe HTML for ``text``: any HTML in the input comes out escaped, as visible text."""
    html: str = _renderer().render(text)
    return html


def render_inert(text: str) -> str:
    """Safe HTML for text that carries other people's words (a report narrative quoting
    titles): structure and emphasis only; a link or an image stays its literal text."""
    html: str = _inert_renderer().render(text)
    return html


# ``![caption](asset:<asset id>)`` places one of the item's own files inside the text (the
# import writes these for the previous platform's ``[image:NAME]``). Only ids of the item's own
# assets resolve, so a body cannot point at another item's private file.
ASSET_REF = re.compile(r"!\[([^\]\n]*)\]\(asset:([0-9A-HJKMNP-TV-Z]{26})\)")


def asset_reference(asset_id: str, caption: str) -> str:
    """The text that places file ``asset_id`` in a body (brackets left out of the caption,
    which would end it early)."""
    return f"![{caption.replace('[', '').replace(']', '')}](asset:{asset_id})"


@dataclass(frozen=True)
class AssetRef:
    asset_id: str
    caption: str


def split_asset_refs(text: str) -> list[str | AssetRef]:
    """The body as markdown pieces and the asset references between them, in order."""
    parts: list[str | AssetRef] = []
    position = 0
    for found in ASSET_REF.finditer(text):
        if found.start() > position:
            parts.append(text[position:found.start()])
        parts.append(AssetRef(found.group(2), found.group(1)))
        position = found.end()
    if position < len(text):
        parts.append(text[position:])
    return parts

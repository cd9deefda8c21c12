"""The Korean TrueType font used for generated images, charts and PDFs.

NanumGothic (OFL) ships inside the koreanize-matplotlib wheel, a pinned dependency, so every
install has it; Debian's fonts-nanum is the fallback. TrueType matters: reportlab embeds TTF
subsets, while its built-in CID fonts are not embedded and show boxes in many viewers.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

_SYSTEM_DIRS = (Path("/usr/share/fonts/truetype/nanum"),)


@cache
def korean_font_path(bold: bool = False) -> Path:
    """Path of NanumGothic (or NanumGothicBold); FileNotFoundError if none is installed."""
    name = "NanumGothicBold.ttf" if bold else "NanumGothic.ttf"
    spec = importlib.util.find_spec("koreanize_matplotlib")
    candidates: list[Path] = []
    if spec and spec.submodule_search_locations:
        candidates += [Path(p) / "fonts" / name for p in spec.submodule_search_locations]
    candidates += [d / name for d in _SYSTEM_DIRS]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"{name} not found; install requirements.txt or fonts-nanum")

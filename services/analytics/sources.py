"""Where a visit came from and on what, from its first request (pure: headers and query in).

What a Streamlit page can know (Streamlit 1.67): ``st.context.headers`` are the headers of the
WebSocket handshake, not of the page's own request, and browsers send that handshake without a
``Referer`` (the WebSocket standard fetches it with "no-referrer"; checked with Chromium). When
a ``Referer`` does arrive (some clients and proxies send one) it is used; the app's own host
counts as DIRECT. The page's ``document.referrer`` never reaches the server: Streamlit's client
context holds the URL without its query, the locale and the time zone, not the referrer. So
tagged links are what tell sources apart: ``utm_source`` / ``utm_medium`` / ``utm_campaign``
from the query string (``st.query_params``, which a Streamlit session does receive), and a
``ref`` query parameter, taken as the referrer host when no header names one.

The device class, browser family and OS family come from the User-Agent through ``user-agents``
(on ``ua-parser``'s maintained rules); a parse is cached per User-Agent string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from user_agents import parse as parse_user_agent

from services.domain.analytics import (
    BROWSER_PROP,
    DEVICE_PROP,
    DIRECT,
    OS_PROP,
    REFERRER_PROP,
    SOURCE_VALUE_MAX,
    SRC_PROP,
    UTM_CAMPAIGN_PROP,
    UTM_MEDIUM_PROP,
    UTM_SOURCE_PROP,
    VISIT_PROP,
    Device,
)
from services.domain.text import scrub_text

REF_PARAM = "ref"
UNKNOWN = "Other"  # ua-parser's own family name for what it does not recognise
USER_AGENTS_CACHED = 4096
USER_AGENT_MAX = 512  # characters parsed: longer strings are junk or an attack


@dataclass(frozen=True)
class VisitSource:
    """One visit's source and device; "" for an absent utm value."""

    referrer: str = DIRECT
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    device: Device = Device.OTHER
    browser: str = UNKNOWN
    os: str = UNKNOWN

    @property
    def label(self) -> str:
        """The source label: utm_source if given, else the referrer host (DIRECT)."""
        return self.utm_source or self.referrer

    def every_event(self) -> dict[str, Any]:
        """What every event of the visit carries."""
        props: dict[str, Any] = {SRC_PROP: self.label, DEVICE_PROP: self.device.value}
        if self.utm_campaign:
            props[UTM_CAMPAIGN_PROP] = self.utm_campaign
        return props

    def first_event(self) -> dict[str, Any]:
        """What the visit's first event carries: the visit mark and every value, each counted
        once per visit."""
        props = {**self.every_event(), VISIT_PROP: True, REFERRER_PROP: self.referrer,
                 BROWSER_PROP: self.browser, OS_PROP: self.os}
        for name, value in ((UTM_SOURCE_PROP, self.utm_source),
                            (UTM_MEDIUM_PROP, self.utm_medium)):
            if value:
                props[name] = value
        return props


def source_value(text: object) -> str:
    """A value as kept: readable text, single spaces, at most SOURCE_VALUE_MAX characters."""
    if not isinstance(text, str):
        return ""
    return " ".join(scrub_text(text).split())[:SOURCE_VALUE_MAX]


def host_of(url: str) -> str:
    """The host of a URL (lower case, no port, no "www."); "" when it has none."""
    text = url.strip()
    if "//" not in text:
        text = "//" + text  # a bare host, as a ``ref`` parameter usually is
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    if not all(c.isalnum() or c in "-._:" for c in host):
        return ""  # not a host name ("not a url", markup): no source rather than junk
    return host.removeprefix("www.")


def referrer_host(referer: str, own_host: str) -> str:
    """The referring host, or DIRECT for none and for the app itself (a self-referral)."""
    host = source_value(host_of(referer))
    if not host or host == host_of(own_host):
        return DIRECT
    return host


@lru_cache(maxsize=USER_AGENTS_CACHED)
def device_of(user_agent: str) -> tuple[Device, str, str]:
    """(device class, browser family, OS family) of a User-Agent string."""
    parsed = parse_user_agent(user_agent[:USER_AGENT_MAX])
    if parsed.is_bot:
        device = Device.BOT
    elif parsed.is_tablet:
        device = Device.TABLET
    elif parsed.is_mobile:
        device = Device.MOBILE
    elif parsed.is_pc:
        device = Device.DESKTOP
    else:
        device = Device.OTHER
    browser = source_value(parsed.browser.family) or UNKNOWN
    os_family = source_value(parsed.os.family) or UNKNOWN
    return device, browser, os_family


def _first(query: Mapping[str, Any], name: str) -> str:
    """A query parameter's (first) value; Streamlit hands repeated ones as a list."""
    value = query.get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return source_value(value)


def visit_source(headers: Mapping[str, str], query: Mapping[str, Any]) -> VisitSource:
    """The source of a visit from its first request's headers and query parameters."""
    referer = str(headers.get("Referer") or "") or _first(query, REF_PARAM)
    device, browser, os_family = device_of(str(headers.get("User-Agent") or ""))
    return VisitSource(
        referrer=referrer_host(referer, str(headers.get("Host") or "")),
        utm_source=_first(query, "utm_source"),
        utm_medium=_first(query, "utm_medium"),
        utm_campaign=_first(query, "utm_campaign"),
        device=device, browser=browser, os=os_family,
    )

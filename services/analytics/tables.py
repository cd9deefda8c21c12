"""The dashboards' tables, built from rollup rows and the published catalogue (pure).

``services.dashboards`` loads the rows and explains what each number means; this module turns
them into plain pandas DataFrames (English column keys; pages translate the headings).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from services.analytics.rollups import Rollups
from services.domain.analytics import NET_LIKES, Dim, EventType, Purpose, RollupRow, Segment
from services.domain.models import Category, ContentItem, SearchQuery, Sort, Status
from services.ports import ContentRepository

TOP_TITLES = 3
CATALOG_PAGE = 200
# The ``content_id`` of the one per-item row that sums every item no longer published (deleted
# or back to draft): their events still count, but twenty of them are not twenty rows. Rollups
# never hold an empty value, so no real item has this id.
DELETED_ITEMS = ""


@dataclass(frozen=True)
class Filters:
    """Dashboard filters. Category, author and item narrow the content-level numbers; a segment
    narrows every number that can be split by it (one segment at a time: segments are counted
    one kind at a time, never jointly)."""

    category: str | None = None
    author_id: str | None = None
    content_id: str | None = None
    segment: Segment | None = None

    @property
    def active(self) -> bool:
        """Whether a content-level filter (category, author, item) is set."""
        return bool(self.category or self.author_id or self.content_id)

    @property
    def needs_catalog(self) -> bool:
        """Whether the numbers need the current catalogue (items matched by their metadata)."""
        content_filters = sum(bool(f) for f in (self.category, self.author_id, self.content_id))
        return self.segment is not None or content_filters > 1


NO_FILTERS = Filters()


# ---- the published catalogue -----------------------------------------------------------------


@dataclass(frozen=True)
class CatalogItem:
    id: str
    title: str
    category: str
    author_id: str
    author_name: str

    def matches(self, filters: Filters) -> bool:
        return ((not filters.category or self.category == filters.category)
                and (not filters.author_id or self.author_id == filters.author_id)
                and (not filters.content_id or self.id == filters.content_id))


class Catalog:
    """Titles, categories and authors of published items, by id (one read per dashboard)."""

    def __init__(self, items: Iterable[CatalogItem] = ()) -> None:
        self._items = {item.id: item for item in items}

    @classmethod
    def of(cls, items: Iterable[ContentItem]) -> Catalog:
        return cls(CatalogItem(i.id, i.title, str(i.category), i.author_id, i.author_name)
                   for i in items)

    def get(self, content_id: str) -> CatalogItem | None:
        return self._items.get(content_id)

    def __iter__(self) -> Iterator[CatalogItem]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def ids(self, filters: Filters) -> set[str]:
        return {item.id for item in self if item.matches(filters)}

    def matches(self, content_id: str, filters: Filters) -> bool:
        """False for ids not in the catalogue (deleted or unpublished items)."""
        item = self._items.get(content_id)
        return item is not None and item.matches(filters)

    def author_names(self) -> dict[str, str]:
        return {item.author_id: item.author_name for item in self}


def load_catalog(repo: ContentRepository, page_size: int = CATALOG_PAGE) -> Catalog:
    """Every published item, a page at a time (oldest first, so paging is stable)."""
    items: list[ContentItem] = []
    page = 1
    while True:
        result = repo.search(SearchQuery(status=Status.PUBLISHED, sort=Sort.OLDEST, page=page,
                                         page_size=page_size))
        items.extend(result.items)
        if not result.items or page >= result.pages:
            return Catalog.of(items)
        page += 1


# ---- content-level tables --------------------------------------------------------------------


@dataclass(frozen=True)
class _Counts:
    views: Counter[str]
    likes: Counter[str]  # net: likes minus unlikes
    downloads: Counter[str]

    @classmethod
    def of(cls, rollups: Rollups, dim: Dim) -> _Counts:
        return cls(rollups.by_value(EventType.CONTENT_VIEW, dim),
                   rollups.net_by_value(NET_LIKES, dim),
                   rollups.by_value(EventType.DOWNLOAD, dim))

    def keys(self) -> set[str]:
        return set(self.views) | set(self.likes) | set(self.downloads)

    def grouped(self, group_of: dict[str, str]) -> _Counts:
        """Per-content counts summed by ``group_of[content_id]`` (ids not in it dropped)."""
        def regroup(counts: Counter[str]) -> Counter[str]:
            out: Counter[str] = Counter()
            for key, count in counts.items():
                if key in group_of:
                    out[group_of[key]] += count
            return out

        return _Counts(regroup(self.views), regroup(self.likes), regroup(self.downloads))


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def top_content_table(rollups: Rollups, catalog: Catalog, filters: Filters,
                      limit: int) -> pd.DataFrame:
    """Most viewed items: views, net likes, downloads, likes per view. Items no longer
    published (deleted or back to draft) are summed into one row, ``DELETED_ITEMS``, with
    ``title`` None, ranked like any other; with filters they are left out."""
    per_item = _Counts.of(rollups, Dim.CONTENT)
    ids = per_item.keys()
    if filters.active:
        ids = {i for i in ids if catalog.matches(i, filters)}
    counts = per_item.grouped(
        {i: i if catalog.get(i) is not None else DELETED_ITEMS for i in ids})
    ids = counts.keys()
    ranked = sorted(ids, key=lambda i: (-counts.views[i], -counts.likes[i], i))[:limit]
    rows = []
    for content_id in ranked:
        item = catalog.get(content_id)
        views = counts.views[content_id]
        rows.append({
            "content_id": content_id,
            "title": item.title if item else None,
            "category": item.category if item else None,
            "author": item.author_name if item else None,
            "views": views,
            "likes": counts.likes[content_id],
            "downloads": counts.downloads[content_id],
            "likes_per_view": _ratio(counts.likes[content_id], views),
        })
    return pd.DataFrame(rows, columns=["content_id", "title", "category", "author", "views",
                                       "likes", "downloads", "likes_per_view"])


def _top_titles(views_by_item: Counter[str], catalog: Catalog,
                keep: Collection[str]) -> dict[str, list[str]]:
    """Each author's most viewed titles in the period (items in ``keep`` only)."""
    ranked = sorted((i for i in views_by_item if i in keep and views_by_item[i] > 0),
                    key=lambda i: (-views_by_item[i], i))
    titles: defaultdict[str, list[str]] = defaultdict(list)
    for content_id in ranked:
        item = catalog.get(content_id)
        if item is not None and len(titles[item.author_id]) < TOP_TITLES:
            titles[item.author_id].append(item.title)
    return titles


def authors_table(rollups: Rollups, catalog: Catalog, filters: Filters) -> pd.DataFrame:
    """Per author: published items, views, net likes, downloads, per-item averages and the
    most viewed titles. Authors with items but no views are listed too. Authors with nothing
    published any more (their items deleted or unpublished) are summed into one row,
    ``DELETED_ITEMS``, with ``author`` None (unless the author filter names one of them)."""
    by_category = Filters(category=filters.category, content_id=filters.content_id)
    in_scope = catalog.ids(by_category)
    per_item = _Counts.of(rollups, Dim.CONTENT)
    if filters.category or filters.content_id:
        owner = {item.id: item.author_id for item in catalog if item.id in in_scope}
        counts = per_item.grouped(owner)
    else:
        counts = _Counts.of(rollups, Dim.AUTHOR)
    items = Counter(item.author_id for item in catalog if item.id in in_scope)
    names = catalog.author_names()
    titles = _top_titles(per_item.views, catalog, in_scope)
    ids = set(items) | counts.keys()
    if filters.author_id:
        ids &= {filters.author_id}
    elif ids - names.keys():
        counts = counts.grouped({a: a if a in names else DELETED_ITEMS for a in ids})
        ids = counts.keys() | set(items)
    ordered = sorted(ids, key=lambda a: (-counts.views[a], -items[a],
                                         (names.get(a) or a).casefold(), a))
    rows = [{
        "author_id": author_id,
        "author": None if author_id == DELETED_ITEMS else names.get(author_id, author_id),
        "items": items[author_id],
        "views": counts.views[author_id],
        "likes": counts.likes[author_id],
        "downloads": counts.downloads[author_id],
        "views_per_item": _ratio(counts.views[author_id], items[author_id]),
        "likes_per_item": _ratio(counts.likes[author_id], items[author_id]),
        "top_titles": " · ".join(titles.get(author_id, [])),
    } for author_id in ordered]
    return pd.DataFrame(rows, columns=["author_id", "author", "items", "views", "likes",
                                       "downloads", "views_per_item", "likes_per_item",
                                       "top_titles"])


def categories_table(rollups: Rollups, catalog: Catalog, filters: Filters) -> pd.DataFrame:
    """Per category: published items, views, net likes and share of views. Every category is
    listed (the category filter does not apply here); the author filter does."""
    by_author = Filters(author_id=filters.author_id, content_id=filters.content_id)
    if filters.author_id or filters.content_id:
        group = {item.id: item.category for item in catalog if item.matches(by_author)}
        counts = _Counts.of(rollups, Dim.CONTENT).grouped(group)
    else:
        counts = _Counts.of(rollups, Dim.CATEGORY)
    items = Counter(item.category for item in catalog if item.matches(by_author))
    names = [str(c) for c in Category]
    names += sorted((counts.keys() | set(items)) - set(names))
    names.sort(key=lambda name: -counts.views[name])  # stable: ties keep the enum order
    total = sum(counts.views.values())
    rows = [{
        "category": name,
        "items": items[name],
        "views": counts.views[name],
        "likes": counts.likes[name],
        "share": _ratio(counts.views[name], total),
    } for name in names]
    return pd.DataFrame(rows, columns=["category", "items", "views", "likes", "share"])


# ---- platform-wide tables --------------------------------------------------------------------


@dataclass(frozen=True)
class TimeOfDay:
    type: EventType
    matrix: pd.DataFrame  # index: weekday 0 (Monday)..6, columns: local hour 0..23
    total: int
    peak_hour: int | None  # the hour with most events over all weekdays (ties: earliest)
    peak_weekday: int | None


def time_of_day_of(hourly: Iterable[RollupRow], type_: EventType) -> TimeOfDay:
    grid = [[0] * 24 for _ in range(7)]
    for row in hourly:
        key = row.key
        if key.type == type_ and key.dim == Dim.ALL and 0 <= key.hour < 24:
            grid[key.day.weekday()][key.hour] += row.count
    matrix = pd.DataFrame(grid, index=range(7), columns=range(24))
    total = int(matrix.to_numpy().sum())
    if not total:
        return TimeOfDay(type_, matrix, 0, None, None)
    by_hour = matrix.sum(axis=0)
    by_weekday = matrix.sum(axis=1)
    return TimeOfDay(type_, matrix, total, int(by_hour.idxmax()), int(by_weekday.idxmax()))


@dataclass(frozen=True)
class Purposes:
    table: pd.DataFrame  # purpose, count, share (skips included), share_of_answers
    answered: int
    skipped: int
    # Visits of signed-in users whose purpose came from their sign-up, not from the question:
    # purpose, count, share (of those visits). Empty when there were none.
    signed_up: pd.DataFrame = field(default_factory=lambda: signed_up_purposes_of(Rollups([])))

    @property
    def total(self) -> int:
        return self.answered + self.skipped

    @property
    def skip_rate(self) -> float | None:
        return _ratio(self.skipped, self.total)


def purposes_of(rollups: Rollups) -> Purposes:
    counts = rollups.by_value(EventType.VISITOR_PURPOSE, Dim.PURPOSE)
    total = sum(counts.values())
    skipped = counts.get(Purpose.SKIPPED.value, 0)
    chosen = [p.value for p in Purpose if p is not Purpose.SKIPPED]
    chosen += sorted(set(counts) - set(chosen) - {Purpose.SKIPPED.value})
    chosen.sort(key=lambda p: -counts.get(p, 0))  # stable: ties keep the enum order
    answered = total - skipped
    rows = [{"purpose": p, "count": counts.get(p, 0), "share": _ratio(counts.get(p, 0), total),
             "share_of_answers": _ratio(counts.get(p, 0), answered)} for p in chosen]
    rows.append({"purpose": Purpose.SKIPPED.value, "count": skipped,
                 "share": _ratio(skipped, total), "share_of_answers": None})
    return Purposes(pd.DataFrame(rows, columns=["purpose", "count", "share",
                                                "share_of_answers"]), answered, skipped,
                    signed_up_purposes_of(rollups))


def signed_up_purposes_of(rollups: Rollups) -> pd.DataFrame:
    counts = rollups.by_value(EventType.VISITOR_PURPOSE, Dim.SIGNUP_PURPOSE)
    total = sum(counts.values())
    ranked = sorted(counts, key=lambda p: (-counts[p], p))
    return pd.DataFrame([{"purpose": p, "count": counts[p], "share": _ratio(counts[p], total)}
                         for p in ranked], columns=["purpose", "count", "share"])


@dataclass(frozen=True)
class SearchTerms:
    top: pd.DataFrame  # term, searches, zero_results
    zero_results: pd.DataFrame  # term, searches (that found nothing)
    total: int  # every search in the period
    zero_total: int  # searches that found nothing

    @property
    def zero_rate(self) -> float | None:
        return _ratio(self.zero_total, self.total)


def search_terms_of(rollups: Rollups, limit: int) -> SearchTerms:
    terms = rollups.by_value(EventType.SEARCH, Dim.SEARCH_TERM)
    zero = rollups.by_value(EventType.SEARCH, Dim.ZERO_RESULT_TERM)

    def ranked(counts: Counter[str]) -> list[str]:
        return sorted(counts, key=lambda term: (-counts[term], term))[:limit]

    top = pd.DataFrame(
        [{"term": term, "searches": terms[term], "zero_results": zero.get(term, 0)}
         for term in ranked(terms)],
        columns=["term", "searches", "zero_results"],
    )
    missing = pd.DataFrame([{"term": term, "searches": zero[term]} for term in ranked(zero)],
                           columns=["term", "searches"])
    return SearchTerms(top, missing, rollups.total(EventType.SEARCH), sum(zero.values()))

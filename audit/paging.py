"""Paged, searchable, sortable list pages: what every list of a centre uses so that a page costs what it shows,
not what the centre holds.

A list page binds a `ListQuery` subclass to request.GET (search words, filters, a sort key, all plain GET
parameters: the page works without JavaScript), applies it to its queryset and pages the result with
`page_of`. The shared include templates/partials/pager.html draws the page links with the rest of the query
string kept, templates/partials/list_query.html the form. A filter value or sort key that does not exist is
dropped with the form's message; a page number past the end gives the last page (Django's get_page).

Lowest layer on purpose: only Django here, so every app may use it.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable

PER_PAGE = 50
MAX_WORDS = 5


class _PagePicksFirst(Paginator):
    """A paginator whose page of a queryset is picked before it is joined: the database sorts the bare rows
    (with only the joins the filters and the sort need) to find the page's primary keys, and the outer query
    joins the related rows (select_related) to those rows alone, in the same query. Without it, every row of
    the centre was joined to its candidate, assessor, verifier and qualification before the sort kept 50."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(_picked(self.object_list, bottom, top), number, self)


def _picked(items, bottom: int, top: int):
    """The rows `items[bottom:top]`: their primary keys found by a subquery that carries the filters and the
    sort, the outer query only joining what select_related asks for to those keys (its filters are the
    subquery's: repeated outside, PostgreSQL joined every row again before keeping the page's). Anything this
    cannot carry over (annotations, extra, values(), distinct, no order) is sliced as it is."""
    query = getattr(items, "query", None)
    if (
        not isinstance(items, QuerySet)
        or items._iterable_class is not ModelIterable
        or query.is_sliced
        or query.distinct
        or query.combinator
        or query.annotations
        or query.extra
        or not (query.order_by or (query.default_ordering and query.get_meta().ordering))
    ):
        return items[bottom:top]
    order = query.order_by or query.get_meta().ordering
    outer = items.model._base_manager.filter(pk__in=items.values("pk")[bottom:top]).order_by(*order)
    outer.query.select_related = query.select_related
    outer.query.deferred_loading = query.deferred_loading
    outer._prefetch_related_lookups = items._prefetch_related_lookups
    return outer


def first_of(items, count: int) -> list:
    """The first `count` rows of `items`, picked before they are joined, as a page is (one query)."""
    return list(_picked(items, 0, count))


def page_of(request, items, per_page: int = PER_PAGE, *, param: str = "page") -> Page:
    """One page of `items` (a queryset: two queries, the count and the rows; or a list) by the GET parameter
    `param`. The page carries `param` and `query_string` (the other GET parameters) for the pager links."""
    page = _PagePicksFirst(items, per_page).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    page.param = param
    page.query_string = query.urlencode()
    return page


def words_filter(queryset, text: str, fields) -> object:
    """Every word of `text` (the first few) found in one of `fields` (icontains)."""
    for word in (text or "").split()[:MAX_WORDS]:
        queryset = queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
    return queryset


class ListQuery(forms.Form):
    """The GET form of a list page. Subclasses set:

    SEARCH_FIELDS: lookups the words of `q` are searched in (empty: no search box);
    FILTERS: {form field name: queryset lookup} for the filter fields they declare;
    SORTS: {key: (label, order_by fields)}, the first the default; end each with a unique field ("id") so that
    rows do not move between pages.
    """

    SEARCH_FIELDS: tuple[str, ...] = ()
    SEARCH_LABEL = "Search"
    FILTERS: dict[str, str] = {}
    SORTS: dict[str, tuple[str, tuple[str, ...]]] = {}

    q = forms.CharField(required=False, max_length=100)
    sort = forms.ChoiceField(required=False, label="Sort by")

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        if self.SEARCH_FIELDS:
            self.fields["q"].label = self.SEARCH_LABEL
        else:
            del self.fields["q"]
        if self.SORTS:
            self.fields["sort"].choices = [(key, label) for key, (label, _fields) in self.SORTS.items()]
        else:
            del self.fields["sort"]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    @property
    def values(self) -> dict:
        """The valid values only (a value that does not exist is left out, and the form says why)."""
        self.is_valid()
        return self.cleaned_data

    @property
    def search(self) -> str:
        return self.values.get("q") or ""

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (for "nothing matches" against "nothing yet")."""
        return bool(self.search) or any(self.values.get(name) not in (None, "") for name in self.FILTERS)

    def apply(self, queryset):
        values = self.values
        if self.SEARCH_FIELDS:
            queryset = words_filter(queryset, values.get("q"), self.SEARCH_FIELDS)
        for name, lookup in self.FILTERS.items():
            value = values.get(name)
            if value not in (None, ""):
                queryset = queryset.filter(**{lookup: value})
        if self.SORTS:
            key = values.get("sort") or next(iter(self.SORTS))
            queryset = queryset.order_by(*self.SORTS[key][1])
        return queryset

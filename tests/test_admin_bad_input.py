"""Junk in admin addresses and filters answers 4xx on every database, and GETs write nothing."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from comments.models import Comment

pytestmark = pytest.mark.django_db

NUL = "%00"
LONG = "x" * 10_000
HUGE = "99999999999999999999999"
JUNK_VALUES = [NUL, LONG, HUGE, "2026-13-45"]
JUNK_IDS = [NUL, HUGE, "-1", LONG]


def admin_models():
    return [model for model in admin.site._registry]


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def filter_parameters(model):
    """Every query parameter the model's change list reads from its filters and search."""
    model_admin = admin.site._registry[model]
    names = {"q", "o", "p", "e", "_facets", "all"}
    for entry in model_admin.list_filter:
        if isinstance(entry, (list, tuple)):
            entry = entry[0]
        if isinstance(entry, str):
            field = model._meta.get_field(entry)
            names |= {
                f"{entry}__exact",
                f"{entry}__id__exact",
                f"{entry}__isnull",
                f"{entry}__gte",
                f"{entry}__lt",
                entry,
            }
            if field.is_relation:
                names.add(f"{entry}__{field.target_field.name}__exact")
        else:
            names.add(entry.parameter_name)
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        names |= {f"{field}__year", f"{field}__month", f"{field}__day"}
    return sorted(names)


def junk_admin_addresses():
    for model in admin_models():
        base = changelist(model)
        for name in filter_parameters(model):
            for value in JUNK_VALUES:
                yield f"{base}?{name}={value}"
        yield f"{base}?{LONG}=1"
        yield f"{base}?{NUL}=1"
        for junk in JUNK_IDS:
            for action in ("change", "delete", "history"):
                yield f"{base}{junk}/{action}/"
    yield f"/admin/comments/comment/{HUGE}/ban/"


def assert_not_a_server_error(client, address):
    response = client.get(address)
    assert response.status_code < 500, (address[:120], response.status_code)
    return response


@pytest.mark.parametrize("model", admin_models(), ids=lambda model: model._meta.label)
def test_junk_admin_filters_and_ids_are_refused_not_crashed(admin_client, desk_comment, model):
    desk_comment()
    base = changelist(model)
    for address in junk_admin_addresses():
        if address.startswith(base):
            assert_not_a_server_error(admin_client, address)


@pytest.mark.parametrize(
    "address",
    [
        "/admin/comments/comment/?article__id__exact=%00",
        f"/admin/comments/comment/?status={LONG}",
        f"/admin/comments/comment/?status__exact={LONG}",
        "/admin/comments/comment/%00/change/",
        f"/admin/comments/comment/{HUGE}/change/",
        f"/admin/articles/article/?published_at__year={HUGE}",
    ],
)
def test_named_junk_admin_addresses_are_400_or_404(admin_client, desk_comment, address):
    desk_comment()
    response = admin_client.get(address, follow=True)
    assert response.status_code in (400, 404), response.status_code


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_a_sweep_of_junk_gets_creates_no_row(
    client, admin_client, moderator, article, desk_comment
):
    comment = desk_comment()
    desk_comment(status=Comment.Status.PENDING)
    client.get(f"/stories/{article.slug}/")  # a first visit may set cookies, never rows
    moderator_client = type(client)()
    moderator_client.force_login(moderator)
    before = row_counts()
    public = [
        "/",
        f"/stories/{article.slug}/",
        f"/stories/{article.slug}/?thread={HUGE}&sort={NUL}&cursor={LONG}",
        f"/stories/{article.slug}/comments/?cursor={NUL}",
        f"/stories/{article.slug}/comments.atom",
        f"/stories/{article.slug}/reactions/",
        f"/stories/{article.slug}/comments/post/",
        f"/comments/{comment.pk}/",
        f"/comments/{comment.pk}/reply/",
        f"/comments/{comment.pk}/edit/",
        f"/comments/{comment.pk}/delete/",
        f"/comments/{comment.pk}/like/",
        f"/comments/{comment.pk}/report/",
        f"/comments/{HUGE}/",
        "/accounts/signup/",
        "/accounts/login/",
        "/health/",
        "/api/articles/",
        f"/api/articles/{article.slug}/",
        f"/api/articles/{article.slug}/comments/?thread={HUGE}",
        f"/api/articles/{article.slug}/reactions/",
        f"/api/comments/{comment.pk}/",
        f"/api/comments/{comment.pk}/like/",
        f"/api/comments/{comment.pk}/report/",
        f"/api/comment-counts/?slug={article.slug}",
        "/api/moderation/comments/?status=reported",
        f"/api/moderation/comments/{comment.pk}/approve/",
        f"/api/moderation/comments/{comment.pk}/ban/",
        "/api/csrf/",
        "/api/schema/",
    ]
    staff_pages = [
        "/admin/",
        "/admin/comments/comment/dashboard/",
        f"/admin/comments/comment/{comment.pk}/ban/",
        *(changelist(model) for model in admin_models()),
        *(changelist(model) + "add/" for model in admin_models()),
        *list(junk_admin_addresses())[::7],
    ]
    for browser in (client, type(client)(), moderator_client, admin_client):
        for address in public:
            assert_not_a_server_error(browser, address)
    for browser in (moderator_client, admin_client):
        for address in staff_pages:
            assert_not_a_server_error(browser, address)
    assert row_counts() == before

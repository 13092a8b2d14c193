"""The sites allowed to embed our conversations, and the stories made for their pages."""

import ipaddress
import re
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import Article

MAX_ORIGINS = 20
MAX_URL_LENGTH = 1000


HOSTNAME = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def parse_origin(text):
    """Return `text` as an origin ("https://host[:port]", lowercase), or raise ValueError."""
    text = text.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ValueError(text) from error
    if (
        parts.scheme.lower() not in {"http", "https"}
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or "*" in text
    ):
        raise ValueError(text)
    host = parts.hostname.lower()
    if not HOSTNAME.fullmatch(host) and not _is_ip(host):
        raise ValueError(text)
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port else "")


ORIGINS_CACHE_KEY = "embeds:allowed-origins"
ORIGINS_CACHE_SECONDS = 60


def allowed_origins():
    """Return the origins of the active sites (kept in the cache: every frame's header needs it).

    Every change to the sites goes through save(), delete() or a QuerySet update(), which forget
    the kept set.
    """
    origins = cache.get(ORIGINS_CACHE_KEY)
    if origins is None:
        origins = frozenset(EmbedSite.objects.active().origins())
        cache.set(ORIGINS_CACHE_KEY, origins, ORIGINS_CACHE_SECONDS)
    return origins


class EmbedSiteQuerySet(models.QuerySet):
    def update(self, **kwargs):
        cache.delete(ORIGINS_CACHE_KEY)
        return super().update(**kwargs)

    def delete(self):
        cache.delete(ORIGINS_CACHE_KEY)
        return super().delete()

    def active(self):
        return self.filter(active=True)

    def origins(self):
        """Return the set of origins these sites may embed from."""
        return {origin for site in self for origin in site.origin_list}

    def for_origin(self, origin):
        """Return the first of these sites that lists `origin`, or None."""
        return next((site for site in self if origin in site.origin_list), None)


class EmbedSite(models.Model):
    """A site whose pages may show our conversations in a frame, and ask for their counts."""

    name = models.CharField(_("name"), max_length=200)
    origins = models.TextField(
        _("allowed origins"),
        help_text=_(
            "One per line, scheme and host (and port if not the usual one), for example "
            "https://www.example.com. Only pages from these origins may embed."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    auto_create_stories = models.BooleanField(
        _("pages may create stories"),
        default=False,
        help_text=_(
            "A page of this site that embeds by its URL gets a story made for it the first "
            "time it asks."
        ),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        blank=True,
        help_text=_(
            "Optional. When set, a page URL must be signed with this secret (HMAC-SHA256, with "
            "an expiry) before a story is made for it; unsigned pages get no new story."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EmbedSiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("embedding site")
        verbose_name_plural = _("embedding sites")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(ORIGINS_CACHE_KEY)

    def delete(self, *args, **kwargs):
        cache.delete(ORIGINS_CACHE_KEY)
        return super().delete(*args, **kwargs)

    @property
    def origin_list(self):
        """The site's origins, normalised; a line that is not an origin is left out."""
        found = []
        for line in self.origins.splitlines():
            try:
                origin = parse_origin(line)
            except ValueError:
                continue
            if origin not in found:
                found.append(origin)
        return found

    @property
    def is_signed(self):
        return bool(self.secret)

    def clean(self):
        lines = [line for line in self.origins.splitlines() if line.strip()]
        bad = []
        for line in lines:
            try:
                parse_origin(line)
            except ValueError:
                bad.append(line.strip()[:80])
        if bad:
            raise ValidationError(
                {
                    "origins": _("Not an origin (scheme://host[:port]): %(lines)s")
                    % {"lines": ", ".join(bad)}
                }
            )
        if not lines:
            raise ValidationError({"origins": _("List at least one origin.")})
        if len(lines) > MAX_ORIGINS:
            raise ValidationError(
                {"origins": _("List at most %(n)d origins.") % {"n": MAX_ORIGINS}}
            )
        self.origins = "\n".join(parse_origin(line) for line in lines)
        if self.secret and len(self.secret) < 32:
            raise ValidationError({"secret": _("Use at least 32 characters.")})


class EmbeddedPage(models.Model):
    """A page on an embedding site, by its canonical URL, and the story that holds its comments."""

    site = models.ForeignKey(EmbedSite, on_delete=models.PROTECT, related_name="pages")
    url = models.CharField(_("page URL"), max_length=MAX_URL_LENGTH, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="embedded_pages", verbose_name=_("story")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("embedded page")
        verbose_name_plural = _("embedded pages")

    def __str__(self):
        return self.url

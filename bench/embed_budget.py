"""
What an embedded conversation costs the host page's reader: our bytes, gzipped, on first render.

First render = the loader script, the frame's HTML (gzipped as the page cache serves it), and
the frame's four static files (site.css, frame.css, site.js, frame.js), each gzipped at level 9
as a static server or CDN would. Nothing else of ours is fetched before the reader sees the
conversation: no fonts, no images (avatars are initials), no API calls, no favicon (frames ask
for none). The count script is a listing page's, not a story's, and is shown apart.

    .venv/bin/python bench/embed_budget.py [--comments 200]

tests/test_embed_budgets.py runs `first_render` on every test run and holds the budgets.
"""

import gzip
import sys
from pathlib import Path

LOADER_BUDGET = 5 * 1024
FIRST_RENDER_BUDGET = 60 * 1024
STATIC = ["css/site.css", "embeds/frame.css", "js/site.js", "embeds/frame.js"]


def gzipped_size(data):
    return len(gzip.compress(data, 9))


def script_sizes():
    """Return {name: (bytes, gzipped bytes)} of the two scripts a host page includes."""
    from django.contrib.staticfiles import finders

    sizes = {}
    for name in ("loader.js", "count.js"):
        data = Path(finders.find(f"embeds/{name}")).read_bytes()
        sizes[name] = (len(data), gzipped_size(data))
    return sizes


def first_render(client, article):
    """Return [(what, bytes on the wire)] of a newcomer's first render of the story's frame."""
    from django.contrib.staticfiles import finders
    from django.urls import reverse

    url = reverse("embeds:frame", args=[article.slug])
    client.get(url)  # the first newcomer draws the page into the cache
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    rows = [("loader.js", script_sizes()["loader.js"][1]), ("frame HTML", len(response.content))]
    for name in STATIC:
        rows.append((name, gzipped_size(Path(finders.find(name)).read_bytes())))
    return rows


def main(argv):
    import os

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SQLITE_PATH", "file:embed-budget?mode=memory&cache=shared")
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from articles.models import Article
    from bench.seed import bulk_create_comments

    count = int(argv[argv.index("--comments") + 1]) if "--comments" in argv else 200
    call_command("migrate", verbosity=0)
    article = Article.objects.create(
        headline="Budget story",
        slug="budget-story",
        body="Body.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    bulk_create_comments(article, count)
    rows = first_render(Client(HTTP_HOST="localhost"), article)
    total = sum(size for _, size in rows)
    print(f"| First render, {count} comments | gzipped bytes |\n|---|---:|")
    for name, size in rows:
        print(f"| {name} | {size:,} |")
    print(f"| **total** | **{total:,}** (budget {FIRST_RENDER_BUDGET:,}) |")
    for name, (raw, packed) in script_sizes().items():
        print(f"{name}: {raw:,} bytes, {packed:,} gzipped (budget {LOADER_BUDGET:,})")


if __name__ == "__main__":
    main(sys.argv)

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from comments.reactions import reaction_recount


class Command(BaseCommand):
    help = "Rebuild reaction tallies from the reactions behind them and report any drift fixed."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Only these stories.")

    def handle(self, *args, slugs=(), **options):
        article_ids = None
        if slugs:
            found = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "pk"))
            missing = sorted(set(slugs) - found.keys())
            if missing:
                raise CommandError(f"No story with slug: {', '.join(missing)}")
            article_ids = list(found.values())
        fixed = reaction_recount(article_ids=article_ids)
        slugs_by_id = dict(
            Article.objects.filter(pk__in={d.article_id for d in fixed}).values_list("pk", "slug")
        )
        for drift in fixed:
            self.stdout.write(
                f"Fixed {slugs_by_id.get(drift.article_id, drift.article_id)} "
                f"{drift.kind}: {drift.was} -> {drift.now}"
            )
        if fixed:
            self.stdout.write(self.style.WARNING(f"Fixed drift in {len(fixed)} tallies."))
        else:
            self.stdout.write(self.style.SUCCESS("No drift: every tally equals its reactions."))

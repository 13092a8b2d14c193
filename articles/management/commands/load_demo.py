from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.demo import load_demo_articles
from comments.demo import add_demo_comments, add_demo_reactions

DEMO_EDITOR = ("editor", "editor-demo-password")


class Command(BaseCommand):
    help = "Load the demo stories (safe to run again; it refreshes them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--comments", type=int, default=40, help="How many demo comments to create."
        )

    @transaction.atomic
    def handle(self, *args, comments=40, **options):
        article = load_demo_articles()
        self.stdout.write(self.style.SUCCESS(f"Demo story: {article.get_absolute_url()}"))
        article.comments.all().delete()
        add_demo_comments(article, comments)
        self.stdout.write(f"Demo comments: {comments}.")
        self.stdout.write(f"Demo reactions: {add_demo_reactions(article)}")
        if settings.DEBUG:
            username, password = DEMO_EDITOR
            User = get_user_model()
            editor, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": True}
            )
            if created:
                editor.set_password(password)
                editor.save()
            self.stdout.write(
                f"Demo editor: log in at /admin/ as {username!r} with password {password!r}."
            )

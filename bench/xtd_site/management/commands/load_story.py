import json
from datetime import datetime

from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand
from django.db import transaction
from django_comments_xtd.models import XtdComment
from xtd_site.models import Story


class Command(BaseCommand):
    help = "Load a story and its threaded comments exported by bench/run.py."

    def add_arguments(self, parser):
        parser.add_argument("path")

    @transaction.atomic
    def handle(self, path, **options):
        data = json.loads(open(path).read())
        site = Site.objects.get_current()
        story = Story.objects.create(
            headline=data["headline"],
            slug=data["slug"],
            standfirst=data["standfirst"],
            body=data["body"],
        )
        # Saved one by one in posting order: XtdComment.save() assigns thread, level and order.
        saved = {}
        for row in data["comments"]:
            comment = XtdComment(
                content_object=story,
                site=site,
                user_name=row["author_name"],
                comment=row["body"],
                submit_date=datetime.fromisoformat(row["created_at"]),
                is_public=True,
                parent_id=saved[row["parent_id"]] if row["parent_id"] else 0,
            )
            comment.save()
            saved[row["id"]] = comment.pk
        self.stdout.write(f"{story.get_absolute_url()} with {len(saved)} comments")

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import ngettext

from notifications import tasks
from notifications.models import ReplyNotice, Subscriber


class Command(BaseCommand):
    help = (
        "Queue today's digest for every address with notices waiting (daily-digest readers, and "
        "notices held back by the daily limit). Run once a day from cron; running it again the "
        "same day sends nothing twice."
    )

    def handle(self, *args, **options):
        day = timezone.localdate()
        waiting = ReplyNotice.objects.waiting().filter(subscriber=OuterRef("pk"))
        addresses = (
            Subscriber.objects.reachable()
            .filter(Exists(waiting))
            .exclude(digests__day=day)
            .values_list("pk", flat=True)
        )
        count = 0
        for pk in addresses.iterator():
            tasks.send_digest.enqueue(pk, day.isoformat())
            count += 1
        self.stdout.write(
            ngettext("%(count)d digest queued.", "%(count)d digests queued.", count)
            % {"count": count}
        )

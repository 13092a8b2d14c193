from django.core.management.base import BaseCommand

from accounts.services import personal_data_purge


class Command(BaseCommand):
    help = "Erase network traces older than NEWSROOM_RETENTION_DAYS (run it daily from cron)."

    def handle(self, *args, **options):
        purged = personal_data_purge()
        self.stdout.write(
            "Purged network traces from {comments} comments and {reports} reports; "
            "deleted {logins} old log-in records.".format(**purged)
        )

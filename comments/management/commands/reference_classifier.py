from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from comments.models import ModerationSettings
from comments.reference_classifier import make_server


class Command(BaseCommand):
    help = "Serve the word-list reference classifier on this machine (for development)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument(
            "--configure",
            action="store_true",
            help="Point the moderation settings at this classifier (unless an editor set "
            "another one) and exit. Debug only: plain http to this machine is refused otherwise.",
        )

    def handle(self, *args, host, port, configure, **options):
        url = f"http://{host}:{port}/classify"
        if configure:
            return self.configure(url)
        try:
            server = make_server(host, port)
        except OSError as error:
            raise CommandError(f"Reference classifier not started on {url}: {error}") from error
        self.stdout.write(f"Reference classifier on {url}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def configure(self, url):
        if not settings.DEBUG:
            raise CommandError("The reference classifier is for development (DJANGO_DEBUG=1).")
        config = ModerationSettings.load_row()
        if config.classifier_url and config.classifier_url != url:
            self.stdout.write(f"Classifier left as it is: {config.classifier_url}")
            return
        config.classifier_url = url
        config.classifier_secret = config.classifier_secret or get_random_string(32)
        config.save()
        self.stdout.write(f"Comments are sent to the reference classifier at {url}")

from django.core.management.base import BaseCommand, CommandError

from articles.importer import StoryImportError, article_import


class Command(BaseCommand):
    help = "Import plain-text story files; re-importing a file updates its story."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--draft", action="store_true", help="Import as drafts instead of publishing."
        )

    def handle(self, *args, files, draft=False, **options):
        failures = 0
        for path in files:
            try:
                article, created = article_import(path=path, publish=not draft)
            except StoryImportError as error:
                failures += 1
                self.stderr.write(self.style.ERROR(str(error)))
                continue
            verb = "Imported" if created else "Updated"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{verb} {path} as “{article.headline}” ({article.get_absolute_url()})"
                )
            )
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) could not be imported.")

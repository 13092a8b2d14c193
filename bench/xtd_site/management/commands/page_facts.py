import json
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


class Command(BaseCommand):
    help = "Print the SQL query count and size of one anonymous GET as JSON."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, path, **options):
        client = Client(HTTP_HOST="127.0.0.1")
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        # Read the count now: every later request clears the connection's query log.
        count = len(queries)
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        for _ in range(3):
            client.get(path)
        ms = round((time.perf_counter() - started) * 1000 / 3, 2)
        facts = {"queries": count, "bytes": len(response.content), "ms": ms}
        self.stdout.write(json.dumps(facts))

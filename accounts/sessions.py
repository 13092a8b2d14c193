"""
Sessions: Django's database sessions, read with a statement compiled once per process.

Every request of a signed-in reader loads their session before anything else. Through the ORM
that read cost more than the rest of a story page drawn for them (compiling the query, not
running it), so `load` runs the same SELECT prepared (newsroom.prepared). Everything else is
Django's `db` backend unchanged: the row is still read from the database on every request, so a
logout, a password change that ends other sessions, or a session deleted by an editor takes
effect at once in every worker, whether or not a cache is configured or answering (a cached
session would outlive its deletion in another worker's memory).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from newsroom.prepared import prepared


@prepared
def _session_data(session_key, now):
    sessions = Session.objects.filter(session_key=session_key, expire_date__gt=now)
    return sessions.values_list("session_data")


class SessionStore(DatabaseSessionStore):
    def load(self):
        row = _session_data.first_row(self.session_key, timezone.now())
        if row is None:
            self._session_key = None  # as Django's: unknown or expired, a new key on the next save
            return {}
        return self.decode(row[0])

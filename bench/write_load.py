"""
Write load: concurrent readers post comments and reactions through gunicorn, then an audit.

    .venv/bin/python bench/write_load.py --duration 30 --clients 64
    DATABASE_URL=postgres://root@127.0.0.1:5432/h_bench \
        .venv/bin/python bench/write_load.py --postgres

Each client is one guest reader with its own cookies and keep-alive connection. It GETs the story
page, reads the forms a browser with JavaScript off would submit, then posts as fast as the
server answers until time is up. A comment form's token is good for one comment
(comments/tokens.py), so each comment posts the token of the page the client last got: after a
comment the client GETs the story page again before its next one. With --follow it is the
browser's journey instead: every post's redirect is followed to the page drawn for this reader,
and the next post uses that page's forms. Afterwards every write that got a 2xx (or a 3xx
redirect, the no-JavaScript answer to a form post) must be in the database exactly once, and
every reaction tally must equal the rows behind it.

Answers are counted in three kinds: writes (2xx/3xx); refusals, a 4xx the site meant (a token
refused, a rate limit), each with its reason; and errors, anything else (5xx, no answer). A
healthy run has no errors and, with rates unlimited and each token used once, no refusals.

What it expects of the story page (override with flags if the markup differs):
- The comment form: a POST form holding a <textarea>. Hidden inputs (csrfmiddlewaretoken, a signed
  timestamp, ...) go back as served; the textarea gets a unique body; a text input whose name is
  in --name-fields gets a display name; any other visible input (a honeypot) goes back empty.
  A signed timestamp that must age before posting: --form-wait; one that expires: --refresh-every.
- The reaction bar: POST forms whose action contains --reaction-marker, each with a submit
  <button name=... value=KEY>. Posting the button's name and value sets that reaction. Clients
  never repeat their current reaction, so every accepted post changes the reader's choice.
- Without those forms, --comment-url and --reaction-url post to fixed paths with a double-submit
  CSRF token; a 404 there reports "endpoint not found".
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    UNLIMITED_RATES,
    WORK,
    Server,
    ServerConfig,
    add_server_arguments,
    app_env,
)

STORY_SLUG = "bench-writes"
ACCEPTED = range(200, 400)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    add_load_arguments(parser)
    return parser.parse_args(argv)


def add_load_arguments(parser):
    parser.add_argument("--duration", type=float, default=30, help="seconds of load")
    parser.add_argument("--clients", type=int, default=64, help="concurrent readers")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    add_server_arguments(parser)
    parser.add_argument("--page", help="path of the page with the forms; default the story's")
    parser.add_argument("--comment-share", type=float, default=0.5, help="share of comments")
    parser.add_argument("--form-wait", type=float, default=3.5, help="seconds before first post")
    parser.add_argument("--refresh-every", type=int, default=0, help="re-GET the form every N")
    parser.add_argument("--name-fields", default="author_name,name,display_name")
    parser.add_argument("--reaction-marker", default="react")
    parser.add_argument("--comment-url", help="post comments here when the page has no form")
    parser.add_argument("--body-field", default="body")
    parser.add_argument("--reaction-url", help="post reactions here when the page has no bar")
    parser.add_argument("--reaction-field", default="kind")
    parser.add_argument(
        "--follow",
        action="store_true",
        help="follow each redirect as a browser without JavaScript does, and post the next form "
        "from the page it lands on (its fresh token)",
    )


# -- The page, read as a browser with JavaScript off reads it --------------------------------


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)  # hidden inputs, sent back as served
    text_inputs: list = field(default_factory=list)  # visible inputs: name field or honeypot
    textareas: list = field(default_factory=list)
    buttons: list = field(default_factory=list)  # (name, value) of named submit buttons


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.current = Form(action=attrs.get("action") or "")
                self.forms.append(self.current)
            return
        if self.current is None or not attrs.get("name"):
            return
        kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
        if tag == "textarea":
            self.current.textareas.append(attrs["name"])
        elif tag == "button" or (tag == "input" and kind == "submit"):
            self.current.buttons.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "input" and kind == "hidden":
            self.current.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and kind in {"text", "email", "url", "search"}:
            self.current.text_inputs.append(attrs["name"])
        elif tag == "input" and kind == "checkbox" and "checked" in attrs:
            self.current.fields[attrs["name"]] = attrs.get("value") or "on"

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@dataclass
class PageForms:
    comment: Form | None
    reactions: list  # [(Form, button name, key)]


def read_forms(html, options):
    parser = FormParser()
    parser.feed(html)
    comment = next((form for form in parser.forms if form.textareas), None)
    reactions = [
        (form, name, value)
        for form in parser.forms
        if options.reaction_marker in form.action and not form.textareas
        for name, value in form.buttons
        if value
    ]
    return PageForms(comment=comment, reactions=reactions)


# -- One reader --------------------------------------------------------------------------------


class EndpointMissing(Exception):
    pass


@dataclass
class Outcome:
    kind: str  # "comment" or "reaction"
    key: str  # the comment's marker or the reaction's key
    status: int | None  # None: no answer (connection refused, reset, timeout)
    sent: bool  # False only when the request certainly never reached the server
    seconds: float
    locked: bool = False
    reason: str = ""  # why a 4xx refused it, as the reader is told


# What the site says when it refuses a write on purpose, and how the bench names it.
REFUSALS = {
    "That was quick!": "token refused (too fast, replayed or another browser's)",
    "Something went wrong with this form": "token missing or broken",
    "open a long time": "token too old",
    "CSRF": "CSRF check failed",
}


def refusal_reason(status, content):
    if status == 429:
        return "rate limited"
    return next((name for text, name in REFUSALS.items() if text in content), f"{status}")


class Reader(threading.Thread):
    def __init__(self, index, *, base_url, path, deadline, options, run_id, stop):
        super().__init__(name=f"reader-{index}", daemon=True)
        self.index = index
        split = urlsplit(base_url)
        self.host, self.port = split.hostname, split.port
        self.path = path
        self.deadline = deadline
        self.options = options
        self.run_id = run_id
        self.stop = stop
        self.cookies = {}
        self.connection = None
        self.outcomes = []
        self.forms = None
        self.current_reaction = None
        self.rng = random.Random(f"{run_id}-{index}")
        self.failure = None
        self.last_used = 0.0
        self.first_post_at = None
        self.location = None
        self.token_spent = False  # the comment form's token went with the last comment
        self.pages = []  # (status, seconds) of each page GET after the first

    # HTTP with a cookie jar of our own: the app sets Secure cookies, and this is plain HTTP.
    def request(self, method, path, body=None):
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "newsroom-bench/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{self.path}"
        if self.connection is not None and time.monotonic() - self.last_used > 1:
            # gunicorn drops idle keep-alive connections after 2s; never post on a stale one.
            self.connection.close()
            self.connection = None
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except Exception:
            self.connection.close()
            self.connection = None
            raise
        for header in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.last_used = time.monotonic()
        self.location = response.getheader("Location")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, content.decode("utf-8", "replace")

    def load_forms(self, path=None):
        path = path or self.path
        status, html = self.request("GET", path)
        if status != 200:
            raise EndpointMissing(f"GET {path} answered {status}")
        self.forms = read_forms(html, self.options)
        if self.options.comment_url and self.forms.comment is None:
            self.forms.comment = Form(action=self.options.comment_url)
        if self.options.reaction_url and not self.forms.reactions:
            form = Form(action=self.options.reaction_url)
            self.forms.reactions = [
                (form, self.options.reaction_field, key) for key in self.options.reaction_keys
            ]
        if (form := self.forms.comment) is not None and "csrfmiddlewaretoken" not in form.fields:
            self.double_submit_csrf(form)
        for form, _, _ in self.forms.reactions:
            if "csrfmiddlewaretoken" not in form.fields:
                self.double_submit_csrf(form)

    def double_submit_csrf(self, form):
        """Without a served token, double-submit one: the same secret in cookie and body."""
        token = self.cookies.setdefault("csrftoken", secrets.token_hex(16))
        form.fields["csrfmiddlewaretoken"] = token

    def comment_body(self, form, marker):
        data = dict(form.fields)
        names = self.options.name_fields.split(",")
        for name in form.text_inputs:
            data[name] = f"Bench reader {self.index}" if name in names else ""
        body_field = form.textareas[0] if form.textareas else self.options.body_field
        data[body_field] = f"Load test {marker}: the new toll should pay for the repairs."
        if not form.text_inputs and not form.textareas:
            data[names[0]] = f"Bench reader {self.index}"
        return data

    def fresh_page(self, path=None):
        """GET a page between posts, as the reader would; its forms replace the ones held."""
        started = time.monotonic()
        try:
            self.load_forms(path)
            status = 200
        except EndpointMissing as missing:  # counted, not fatal: the next post retries
            status = int(re.search(r"answered (\d+)", str(missing))[1])
        except (OSError, http.client.HTTPException):
            status = None
        self.pages.append((status, time.monotonic() - started))
        if status == 200:
            self.token_spent = False

    def post_once(self, kind):
        if kind == "comment" and self.token_spent:
            self.fresh_page()  # the page it last got: a fresh, single-use token
            if self.token_spent:  # no page (the server is down): never repost a spent token
                time.sleep(0.05)
                return None
        if kind == "comment":
            form = self.forms.comment
            key = f"{self.run_id}-{self.index}-{len(self.outcomes)}"
            data = self.comment_body(form, key)
        else:
            choices = [r for r in self.forms.reactions if r[2] != self.current_reaction]
            form, name, key = self.rng.choice(choices)
            data = {**form.fields, name: key}
        action = urljoin(self.path, form.action or self.path)
        started = time.monotonic()
        sent = True
        try:
            status, content = self.request("POST", action, urlencode(data))
        except ConnectionRefusedError:
            status, content, sent = None, "", False
        except (OSError, http.client.HTTPException):
            status, content = None, ""
        outcome = Outcome(
            kind, key, status, sent, time.monotonic() - started, "database is locked" in content
        )
        if status is not None and 400 <= status < 500:
            outcome.reason = refusal_reason(status, content)
        self.outcomes.append(outcome)
        if kind == "comment":
            self.token_spent = True
        if status == 404 and len(self.outcomes) == 1:
            raise EndpointMissing(f"POST {action} answered 404: endpoint not found")
        if kind == "reaction" and status in ACCEPTED:
            self.current_reaction = key
        if self.options.follow and status is not None and 300 <= status < 400:
            # The browser's journey: the redirect's page, rendered for this reader, whose forms
            # (and single-use token) the next post uses.
            page = urlsplit(self.location or self.path)
            self.fresh_page(f"{page.path}?{page.query}" if page.query else page.path)
        if status is None:
            time.sleep(0.05)  # The server is down (the kill test); retry shortly.
        return outcome

    def run(self):
        try:
            while self.forms is None and not self.stop.is_set():
                try:
                    self.load_forms()
                except (OSError, http.client.HTTPException):
                    time.sleep(0.1)
            if self.forms is None:
                return
            kinds = (["comment"] if self.forms.comment else []) + (
                ["reaction"] if self.forms.reactions else []
            )
            if not kinds:
                raise EndpointMissing(
                    f"the story page {self.path} has no comment form (a POST form with a "
                    f"<textarea>) and no reaction forms (POST forms whose action contains "
                    f"{self.options.reaction_marker!r}): endpoint not found"
                )
            if self.options.form_wait:
                time.sleep(self.options.form_wait)
            self.first_post_at = time.monotonic()
            posted = 0
            while time.monotonic() < self.deadline and not self.stop.is_set():
                share = self.options.comment_share if len(kinds) == 2 else 1
                kind = kinds[0] if self.rng.random() < share else kinds[-1]
                self.post_once(kind)
                posted += 1
                if self.options.refresh_every and posted % self.options.refresh_every == 0:
                    self.load_forms()
        except EndpointMissing as missing:
            self.failure = str(missing)
            self.stop.set()


# -- The database side -------------------------------------------------------------------------


def ensure_postgres_database(url):
    """Create the database DATABASE_URL names if the server does not have it yet."""
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise
        name = urlsplit(url).path.lstrip("/")
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')


def server_env(*, sqlite_path, database_url):
    # Each comment carries the token of a page served a moment ago, so the anti-spam minimum
    # age is set aside like the rate limits: this measures the write path, not a reader's pause.
    extra = {
        **UNLIMITED_RATES,
        "NEWSROOM_MODERATION_MODE": "post",
        "NEWSROOM_COMMENT_MIN_SECONDS": "0",
    }
    # Passed on so a run can measure the page drawn without reusing comment fragments (0).
    if "NEWSROOM_COMMENT_FRAGMENT_SECONDS" in os.environ:
        extra["NEWSROOM_COMMENT_FRAGMENT_SECONDS"] = os.environ["NEWSROOM_COMMENT_FRAGMENT_SECONDS"]
    return app_env(sqlite_path=sqlite_path, database_url=database_url, extra=extra)


def prepare(*, sqlite_path, database_url):
    """Configure Django here like the server; build a fresh database with the story to write to."""
    if database_url:
        ensure_postgres_database(database_url)
    else:
        for path in sqlite_path.parent.glob(sqlite_path.name + "*"):
            path.unlink()
    env = server_env(sqlite_path=sqlite_path, database_url=database_url)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from bench import seed
    from comments.models import ReactionKind

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    article = seed.create_story(STORY_SLUG, label="write load")
    keys = list(ReactionKind.objects.filter(enabled=True).values_list("key", flat=True))
    connections.close_all()
    return article, keys


def reader_key(cookie_value):
    from django.core import signing

    from comments.readers import COOKIE_SALT

    try:
        return f"g:{signing.loads(cookie_value, salt=COOKIE_SALT)}"
    except signing.BadSignature:
        return None


def verify(article, readers):
    """Check every accepted write is stored once and every tally equals its rows."""
    from django.db.models import Count

    from comments.models import Comment, Reaction, ReactionTally
    from comments.readers import COOKIE_NAME

    run_id = readers[0].run_id
    stored = Counter()
    for body in Comment.objects.filter(article=article, body__contains=run_id).values_list(
        "body", flat=True
    ):
        stored.update(re.findall(rf"{re.escape(run_id)}-\d+-\d+", body))
    accepted_comments = {
        o.key for r in readers for o in r.outcomes if o.kind == "comment" and o.status in ACCEPTED
    }
    missing_comments = sorted(accepted_comments - set(stored))
    duplicated_comments = sorted(key for key, n in stored.items() if n > 1)

    rows = dict(Reaction.objects.filter(article=article).values_list("reader_key", "kind"))
    wrong_reactions = []
    for reader in readers:
        reactions = [o for o in reader.outcomes if o.kind == "reaction"]
        accepted = [i for i, o in enumerate(reactions) if o.status in ACCEPTED]
        if not accepted:
            continue
        key = reader_key(reader.cookies.get(COOKIE_NAME, ""))
        # Posts after the last accepted one that got no answer may or may not have landed.
        possible = {reactions[accepted[-1]].key} | {
            o.key for o in reactions[accepted[-1] + 1 :] if o.status is None and o.sent
        }
        if key is None or rows.get(key) not in possible:
            wrong_reactions.append({"reader": reader.index, "stored": rows.get(key)})

    counts = dict(
        Reaction.objects.filter(article=article)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    tallies = dict(ReactionTally.objects.filter(article=article).values_list("kind", "count"))
    drift = {
        kind: {"tally": tallies.get(kind, 0), "rows": counts.get(kind, 0)}
        for kind in set(counts) | set(tallies)
        if tallies.get(kind, 0) != counts.get(kind, 0)
    }
    return {
        "comments_stored": sum(stored.values()),
        "accepted_comments_missing": len(missing_comments),
        "comments_duplicated": len(duplicated_comments),
        "reactions_stored": len(rows),
        "readers_with_wrong_reaction": len(wrong_reactions),
        "tally_drift": drift,
        "ok": not (missing_comments or duplicated_comments or wrong_reactions or drift),
    }


# -- The run -----------------------------------------------------------------------------------


def start_readers(*, base_url, path, duration, options):
    run_id = f"w{secrets.token_hex(4)}"
    # The clock starts when readers may post: after loading the page and the form's minimum age.
    deadline = time.monotonic() + options.form_wait + 1 + duration
    stop = threading.Event()
    readers = [
        Reader(
            i,
            base_url=base_url,
            path=path,
            deadline=deadline,
            options=options,
            run_id=run_id,
            stop=stop,
        )
        for i in range(options.clients)
    ]
    for reader in readers:
        reader.start()
    return readers


def summarise(readers, ended_at, server):
    starts = [r.first_post_at for r in readers if r.first_post_at]
    seconds = ended_at - min(starts) if starts else 0
    outcomes = [o for r in readers for o in r.outcomes]
    accepted = [o for o in outcomes if o.status in ACCEPTED]
    refused = [o for o in outcomes if o.reason]
    latencies = sorted(o.seconds * 1000 for o in accepted)
    statuses = Counter(str(o.status) if o.status else "no answer" for o in outcomes)
    pages = [page for r in readers for page in r.pages]
    page_ms = sorted(seconds * 1000 for status, seconds in pages if status == 200)
    return {
        "seconds": round(seconds, 1),
        "clients": len(readers),
        "writes_accepted": len(accepted),
        "writes_per_second": round(len(accepted) / seconds, 1) if seconds else 0,
        "comments_accepted": sum(o.kind == "comment" for o in accepted),
        "reactions_accepted": sum(o.kind == "reaction" for o in accepted),
        "refusals": len(refused),
        "refusal_reasons": dict(Counter(o.reason for o in refused)),
        "errors": len(outcomes) - len(accepted) - len(refused),
        "statuses": dict(statuses),
        "pages_between_posts": len(pages),
        "page_errors": sum(status != 200 for status, _ in pages),
        "page_p50_ms": round(statistics.median(page_ms), 1) if page_ms else None,
        "database_is_locked": sum(o.locked for o in outcomes)
        + server.log_count("database is locked"),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 1) if latencies else None,
    }


def options_with_keys(options, keys):
    options.reaction_keys = keys
    return options


def main(argv=None):
    options = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") if options.postgres else None
    if options.postgres and not database_url:
        sys.exit(
            "--postgres needs DATABASE_URL, for example postgres://root@127.0.0.1:5432/h_bench"
        )
    label = "PostgreSQL" if database_url else "SQLite"
    article, keys = prepare(sqlite_path=WORK / "writes.sqlite3", database_url=database_url)
    options_with_keys(options, keys)
    config = ServerConfig.from_args(options)
    server = Server(
        name=f"writes-{label.lower()}",
        env=server_env(sqlite_path=WORK / "writes.sqlite3", database_url=database_url),
        config=config,
    )
    print(f"Write load on {label}: {options.clients} readers for {options.duration:g}s")
    with server:
        readers = start_readers(
            base_url=server.base_url,
            path=options.page or article.get_absolute_url(),
            duration=options.duration,
            options=options,
        )
        for reader in readers:
            reader.join()
        ended_at = time.monotonic()
        rss = server.worker_rss_mib()
    failures = sorted({r.failure for r in readers if r.failure})
    result = {"database": label, **summarise(readers, ended_at, server), "worker_rss_mib": rss}
    if failures:
        result["failed"] = failures
        print("FAILED: " + "; ".join(failures))
    else:
        result["audit"] = verify(article, readers)
    print(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result))
    ok = (
        not failures
        and result["audit"]["ok"]
        and result["errors"] == 0
        and result["page_errors"] == 0
    )
    sys.exit(0 if ok else 2 if failures else 1)


if __name__ == "__main__":
    main()

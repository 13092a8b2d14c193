"""
Write load driven by wrk and a Lua script, so the load generator is C, not 64 Python threads.

    .venv/bin/python bench/wrk_writes.py --duration 30 --connections 64
    DATABASE_URL=postgres://root@127.0.0.1:5432/h_bench \
        .venv/bin/python bench/wrk_writes.py --postgres

One GET of the story page gives a CSRF cookie and token; then wrk posts, half comments and half
reactions, the way a browser with JavaScript off does. A comment form's token is good for one
comment (comments/tokens.py) and wrk cannot read it from a page between posts, so the script is
handed a list of them, signed here with the server's key for that browser exactly as the page
signs its own (an hour old, so past the minimum age): each comment posts a token of its own.
Every comment body carries a unique marker; no request carries a reader cookie, so every post is
a new guest: each comment is a new row and each reaction a new reader's row. The Lua script
counts answers by status and kind. Afterwards the audit checks, in the database: every 2xx/3xx
comment is stored (rows = accepted, plus at most one request per connection still in flight when
wrk stopped, since wrk does not count answers it never read), no marker twice, reaction rows =
accepted reactions (same allowance) and `recount_reactions` finds no drift.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import WORK, Server, ServerConfig, add_server_arguments  # noqa: E402
from bench.write_load import prepare, server_env  # noqa: E402

LUA = r"""
-- Globals, not locals: thread:get() reads them from each thread's state.
counts = {}
id = 0
threads_count = 1
local threads = {}
local n = 0
local comments = 0
local tokens = {%(tokens)s}

function setup(thread)
  thread:set("id", #threads + 1)
  thread:set("threads_count", %(wrk_threads)d)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

local kinds = {%(kinds)s}

function request()
  n = n + 1
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie)s",
  }
  if n %% 2 == 0 then
    -- Each thread takes every threads_count-th token, so no two comments share one.
    local ts = tokens[comments * threads_count + id] or "spent"
    comments = comments + 1
    local body = "author_name=Bench&ts=" .. ts .. "&csrfmiddlewaretoken=%(token)s"
      .. "&body=Load+comment+%(run)s-" .. id .. "-" .. n .. "+with+some+words+of+its+own"
    return wrk.format("POST", "%(comment_path)s", headers, body)
  end
  local kind = kinds[(n %% #kinds) + 1]
  return wrk.format("POST", "%(react_path)s", headers,
    "kind=" .. kind .. "&csrfmiddlewaretoken=%(token)s")
end

function response(status, headers, body)
  -- response() does not say which request it answers; the redirect does: a reaction goes back
  -- to the bar (#reactions), a comment to itself.
  local location = headers["Location"] or headers["location"] or ""
  local kind = "other"
  if status >= 300 and status < 400 then
    kind = location:find("#reactions", 1, true) and "reaction" or "comment"
  end
  local key = kind .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for status, count in pairs(c) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, '"' .. status .. '": ' .. count)
  end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (PostgreSQL)")
    parser.add_argument(
        "--tokens", type=int, default=20_000, help="comment tokens to sign; more than are posted"
    )
    add_server_arguments(parser)
    return parser.parse_args(argv)


def fetch_form(base_url, path):
    """GET the page once: the CSRF cookie and token, and the secret the cookie holds."""
    from django.conf import settings

    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    html = response.read().decode()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    cookie = cookies[settings.CSRF_COOKIE_NAME].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    return f"{settings.CSRF_COOKIE_NAME}={cookie}", token, cookie


def form_tokens(article, secret, count):
    """Sign `count` comment-form tokens for the browser holding `secret`, as the page does."""
    from comments.tokens import browser_hash, make_token

    browser = browser_hash(secret)
    issued_at = time.time() - 3600  # past the minimum age, well within the maximum
    return [make_token(article, browser=browser, issued_at=issued_at) for _ in range(count)]


def audit(article, run_id, statuses, connections):
    from django.core.management import call_command

    from comments.models import Comment, Reaction

    accepted = {
        kind: sum(n for key, n in statuses.items() if key.startswith(kind + " "))
        for kind in ("comment", "reaction")
    }
    bodies = Comment.objects.filter(article=article, body__contains=run_id).values_list(
        "body", flat=True
    )
    markers = [re.search(rf"{run_id}-\d+-\d+", body)[0] for body in bodies]
    reactions = Reaction.objects.filter(article=article).count()
    out = WORK / "recount.txt"
    with out.open("w") as stream:
        call_command("recount_reactions", article.slug, stdout=stream)
    recount = out.read_text().strip()
    # wrk stops with up to one request per connection sent but its answer unread.
    unread = range(0, connections + 1)
    result = {
        "comments_accepted": accepted["comment"],
        "comments_stored": len(markers),
        "comments_duplicated": len(markers) - len(set(markers)),
        "reactions_accepted": accepted["reaction"],
        "reactions_stored": reactions,
        "recount": recount,
    }
    result["ok"] = (
        len(markers) - accepted["comment"] in unread
        and reactions - accepted["reaction"] in unread
        and result["comments_duplicated"] == 0
        and recount.startswith("No drift")
    )
    return result


def main(argv=None):
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") if args.postgres else None
    label = "PostgreSQL" if database_url else "SQLite"
    sqlite_path = WORK / "wrk-writes.sqlite3"
    article, kinds = prepare(sqlite_path=sqlite_path, database_url=database_url)
    server = Server(
        name=f"wrk-writes-{label.lower()}",
        env=server_env(sqlite_path=sqlite_path, database_url=database_url),
        config=ServerConfig.from_args(args),
    )
    from django.urls import reverse

    run_id = secrets.token_hex(4)
    with server:
        cookie, token, secret = fetch_form(server.base_url, article.get_absolute_url())
        tokens = form_tokens(article, secret, args.tokens)
        script = WORK / "writes.lua"
        script.write_text(
            LUA
            % {
                "kinds": ", ".join(f'"{kind}"' for kind in kinds),
                "cookie": cookie,
                "tokens": ", ".join(f'"{ts}"' for ts in tokens),
                "wrk_threads": args.wrk_threads,
                "token": token,
                "run": run_id,
                "comment_path": reverse("comment_post", args=[article.slug]),
                "react_path": reverse("react", args=[article.slug]),
            }
        )
        command = [
            "wrk",
            f"-t{args.wrk_threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout=30s",
            "--latency",
            "-s",
            str(script),
            server.base_url + article.get_absolute_url(),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        time.sleep(1)  # let the last requests wrk abandoned finish on the server
        locked = server.log_count("database is locked")
        rss = server.worker_rss_mib()
    print(output)
    statuses = json.loads(re.search(r"^STATUSES (.*)$", output, re.MULTILINE)[1])
    accepted = sum(n for key, n in statuses.items() if not key.startswith("other"))
    errors = sum(n for key, n in statuses.items() if key.startswith("other"))
    result = {
        "database": label,
        "writes_per_second": round(accepted / args.duration, 1),
        "writes_accepted": accepted,
        "errors": errors,
        "statuses": statuses,
        "database_is_locked": locked,
        "worker_rss_mib": rss,
        "audit": audit(article, run_id, statuses, args.connections),
    }
    print(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result))
    sys.exit(0 if result["audit"]["ok"] and not errors else 1)


if __name__ == "__main__":
    main()

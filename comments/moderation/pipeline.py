"""
The moderation pipeline: the ordered rules every new or edited comment passes.

`moderate()` is the single entry point the write path calls (HTML form and API alike). It runs
the ordered rules in `PIPELINE`; the first rule with an opinion wins. A rule either raises
`CommentRefused` (the comment is not saved; the reader sees the message and status) or returns a
`Decision` (the comment is saved with that status, rule and reason); `None` passes to the next.

Every change of a comment's status, by a rule or by a person, goes through `record()` or
`comment_moderate()`, so the audit log misses nothing.
"""

import functools
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsroom.prepared import prepared

from .. import classifier, ratelimits, tokens
from ..models import (
    WAITING_FOR_CLASSIFIER,
    Ban,
    Comment,
    ModerationAction,
    ModerationSettings,
    ReaderProfile,
)
from ..readers import keyed_hash
from ..text import normalized_text, reading_form, text_hash

logger = logging.getLogger("comments.moderation")  # its name before the split

Status = Comment.Status
Action = ModerationAction.Action


class CommentRefused(Exception):
    """The comment is refused outright and not saved."""

    def __init__(self, message, *, status=400, rule="", retry_after=None, code=""):
        super().__init__(message)
        self.message = message
        self.status = status
        self.rule = rule
        self.retry_after = retry_after
        self.code = code or rule  # machine-readable, for API clients


@dataclass(frozen=True)
class Decision:
    status: str
    rule: str
    reason: str
    # What the classifier answered, when it was asked (stored with the decision).
    score: float | None = None
    labels: dict = field(default_factory=dict)
    # Held without waiting for the classifier: the worker asks it for a score (comment_score).
    score_later: bool = False

    def apply_to(self, comment):
        comment.status = self.status
        comment.moderation_rule = self.rule
        comment.moderation_reason = self.reason[:255]
        comment.classifier_score = self.score
        comment.classifier_labels = self.labels


def hold(rule, reason):
    return Decision(Status.PENDING, rule, reason)


@dataclass
class Check:
    """One comment on its way through the pipeline, with what the rules need to know."""

    comment: Comment
    reader: object
    is_edit: bool = False
    config: ModerationSettings = None
    token: tokens.Presented = None
    # A hold a rule asks for without deciding: later rules may still refuse or reject.
    held: Decision = None
    # The classifier's answer, once it was asked.
    verdict: classifier.Verdict = None
    # Held by another rule, so not worth a wait: the worker asks the classifier afterwards.
    score_later: bool = False

    def __post_init__(self):
        if self.config is None:
            self.config = ModerationSettings.load()

    @property
    def article(self):
        return self.comment.article

    @cached_property
    def mode(self):
        return self.article.effective_moderation_mode

    @cached_property
    def is_trusted(self):
        return _trusted_profile.first_row(self.reader.key) is not None


@prepared
def _trusted_profile(reader_key):
    trusted = ReaderProfile.objects.filter(reader_key=reader_key, is_trusted=True)
    return trusted.values_list("pk")[:1]


def email_hash(email):
    return keyed_hash(email.strip().lower(), purpose="email") if email else ""


# Words: whole words in the text as read (case, accents, invisibles and look-alike letters
# folded, see comments.text), with simple leetspeak undone.

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                      "$": "s", "!": "i", "|": "l", "+": "t"})  # fmt: skip


def word_list(text):
    words = (reading_form(line).strip() for line in text.splitlines())
    return [word for word in words if word]


def find_word(words, text):
    """Return the first listed word or phrase found as a whole word in the text, or None."""
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, word.split())) for word in words)
    pattern = re.compile(rf"(?<!\w)({alternatives})(?!\w)")
    folded = reading_form(text)
    # Match the text as written and with leetspeak undone: "1d10t" is "idiot", but the "!" of
    # "idiot!" must stay punctuation, so both readings are tried.
    for reading in (folded, folded.translate(LEET)):
        found = pattern.search(reading)
        if found:
            return found.group(1)
    return None


LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def count_links(text):
    return len(LINK.findall(text))


# The rules, in pipeline order.


def closed(check):
    if not check.article.comments_open:
        raise CommentRefused(
            _("Comments are closed on this story."),
            status=403,
            rule="closed",
            code="comments_closed",
        )


def length(check):
    body = check.comment.body.strip()
    limit = settings.NEWSROOM["COMMENT_MAX_LENGTH"]
    if not body:
        raise CommentRefused(_("Please write a comment."), rule="length", code="blank")
    if len(body) > limit:
        raise CommentRefused(
            _("Comments can be at most %(limit)d characters.") % {"limit": limit},
            rule="length",
            code="max_length",
        )


TOKEN_MESSAGES = {
    tokens.Rejected.MISSING: "bad",
    tokens.Rejected.BAD: "bad",
    tokens.Rejected.TOO_OLD: "too_old",
    # A replayed token, or one served to another browser, is told the same as a too-fast post:
    # a person who reloads the page can post; a script learns nothing about which check failed.
    tokens.Rejected.TOO_FAST: "too_fast",
    tokens.Rejected.FOREIGN: "too_fast",
    tokens.Rejected.REPLAYED: "too_fast",
}


def token_message(reason):
    return {
        "bad": _("Something went wrong with this form. Please post your comment again."),
        "too_old": _(
            "This page has been open a long time. Please check your comment and post it again."
        ),
        "too_fast": _(
            "That was quick! Please take a moment to read your comment, then post it again."
        ),
    }[TOKEN_MESSAGES[reason]]


def posting_token(check):
    """Refuse a form post without a fresh token of its own; hold an API post without one."""
    if check.is_edit or check.token is None:  # an edit, or not a reader's request (demo data)
        return None
    try:
        check.token.spend(check.article)
    except tokens.Rejected as rejected:
        lacking = {tokens.Rejected.MISSING, tokens.Rejected.BAD, tokens.Rejected.TOO_OLD}
        if check.token.kind == "api" and rejected.reason in lacking:
            check.held = hold(
                "posting_token",
                _("Held: posted through the API without a valid posting token (%(reason)s).")
                % {"reason": rejected.reason},
            )
            return None
        raise CommentRefused(token_message(rejected.reason), rule="posting_token") from rejected
    return None


@prepared
def _matching_ban(reader_key, email_hash, network_hash, now):
    return (
        Ban.objects.active(now)
        .matching(reader_key=reader_key, email_hash=email_hash, network_hash=network_hash)
        .order_by(F("expires_at").desc(nulls_first=True))[:1]  # a permanent ban says the most
    )


def reader_ban(reader):
    """Return the active ban covering this reader's key, network or account email, or None.

    A network ban covers a reader who dropped their cookie too: the network comes from the
    address, not the cookie.
    """
    email = reader.user.email if reader.user is not None else ""
    return _matching_ban.first(reader.key, email_hash(email), reader.network_hash, timezone.now())


def banned_message(reader):
    """Return why a banned reader may not report, like or react, or "" when they may."""
    found = reader_ban(reader)
    if found is None:
        return ""
    if found.expires_at:
        until = formats.date_format(timezone.localtime(found.expires_at), "DATETIME_FORMAT")
        return _("You are suspended from taking part until %(until)s.") % {"until": until}
    return _("You can no longer take part in the conversation on this site.")


def ban(check):
    found = _matching_ban.first(
        check.reader.key,
        email_hash(check.comment.author_email),
        check.comment.network_hash or getattr(check.reader, "network_hash", ""),
        timezone.now(),
    )
    if found is None:
        return None
    if found.expires_at:
        until = formats.date_format(timezone.localtime(found.expires_at), "DATETIME_FORMAT")
        message = _("You are suspended from commenting until %(until)s.") % {"until": until}
    else:
        message = _("You can no longer comment on this site.")
    if check.config.ban_action == ModerationSettings.BanAction.HOLD:
        return hold("ban", _("Held: %(kind)s is banned (%(reason)s).") % {
            "kind": found.get_kind_display().lower(), "reason": found.reason})  # fmt: skip
    raise CommentRefused(message, status=403, rule="ban", code="banned")


def rate_limit(check):
    # Edits count apart from new comments, at the same rate: each one is re-moderated, kept as a
    # revision and redraws the story page, so a loop of edits must not be free.
    try:
        ratelimits.enforce(
            group="comment-edit" if check.is_edit else "comment",
            reader=check.reader,
            per_reader=settings.NEWSROOM["COMMENT_RATE"],
            per_network=settings.NEWSROOM["COMMENT_NETWORK_RATE"],
        )
    except ratelimits.RateLimited as limited:
        raise CommentRefused(
            _("You are commenting too fast. Please wait a moment and try again."),
            status=429,
            rule="rate_limit",
            retry_after=limited.retry_after,
        ) from limited


def banned_words(check):
    word = find_word(word_list(check.config.banned_words), check.comment.body)
    if word:
        return Decision(
            Status.REJECTED, "banned_words", _("Rejected: contains “%(word)s”.") % {"word": word}
        )


def suspect_words(check):
    word = find_word(word_list(check.config.suspect_words), check.comment.body)
    if word:
        return hold("suspect_words", _("Held: contains “%(word)s”.") % {"word": word})


def links(check):
    limit = (
        check.config.guest_max_links if check.reader.is_guest else check.config.account_max_links
    )
    found = count_links(check.comment.body)
    if found > limit:
        return hold(
            "links",
            ngettext(
                "Held: %(found)d links (%(limit)d link allowed).",
                "Held: %(found)d links (%(limit)d links allowed).",
                limit,
            )
            % {"found": found, "limit": limit},
        )


@prepared
def _same_text(digest, since, reader_key, comment_pk, article_pk):
    """Count the same folded text in the window: one indexed lookup, however many it holds."""
    return (
        Comment.objects.filter(text_hash=digest, created_at__gte=since)
        .exclude(pk=comment_pk)
        .order_by()
        .values("text_hash")  # one group: every row has this hash
        .annotate(
            own=Count("pk", filter=Q(reader_key=reader_key)),
            others=Count("article", distinct=True, filter=~Q(article=article_pk)),
        )
        .values_list("own", "others")
    )


def repeated(check):
    config = check.config
    if len(normalized_text(check.comment.body)) < 12:  # "Agreed." or "+1" twice is not spam
        return None
    since = timezone.now() - timedelta(hours=config.repeat_window_hours)
    own, others = _same_text.first_row(
        text_hash(check.comment.body),
        since,
        check.reader.key,
        check.comment.pk,
        check.article.pk,
    ) or (0, 0)
    if own:
        return hold("repeated", _("Held as possible spam: the same text was posted recently."))
    if others >= config.repeat_story_count:
        return hold(
            "repeated",
            _("Held as possible spam: the same text is on %(count)d other stories.")
            % {"count": others},
        )


@functools.cache
def _approved_comments(limit):
    """The reader's approved comments, at most `limit` of them (a SQL literal: one per limit)."""

    @prepared
    def statement(reader_key, comment_pk):
        approved = Comment.objects.by_reader(reader_key).filter(status=Status.APPROVED)
        return approved.exclude(pk=comment_pk).values_list("pk")[:limit]

    return statement


def first_timer(check):
    if check.mode == "post" or check.is_trusted:
        return None
    needed = check.config.first_timer_approvals
    if needed <= 0:
        return None
    approved = len(_approved_comments(needed).rows(check.reader.key, check.comment.pk))
    if approved < needed:
        return hold("first_timer", _("Held: first comments are reviewed before they appear."))


def external_classifier(check):
    config = check.config
    if not config.classifier_url:
        return None
    if settings.NEWSROOM["CLASSIFIER_MODE"] == "background":
        if check.held is not None:
            # Held for a moderator anyway: not worth a wait, but the desk sorts held comments by
            # the classifier's score, so the worker asks for one (comment_score).
            check.score_later = True
            return None
        # The reader does not wait on the classifier: the worker asks it (comments.tasks).
        return hold(WAITING_FOR_CLASSIFIER, _("Waiting for the classifier"))
    return ask_classifier(check)


def ask_classifier(check, *, may_retry=False):
    """Ask the classifier; return its hold or reject, or None when it approves (later rules decide).

    A failure holds the comment; with `may_retry` it raises ClassifierError instead (the worker
    tries again later). An open circuit or a refused endpoint holds at once either way.
    """
    config = check.config
    try:
        verdict = classifier.classify(
            url=config.classifier_url,
            secret=config.classifier_secret,
            timeout=config.classifier_timeout,
            payload=classifier.payload_for(check.comment, check.reader, is_edit=check.is_edit),
        )
    except classifier.Unavailable:
        return hold("classifier", _("Held: classifier unavailable (it failed repeatedly)."))
    except classifier.RefusedEndpoint as error:
        logger.warning("Classifier endpoint refused, holding comment: %s", error)
        return hold("classifier", _("Held: %(error)s") % {"error": error})
    except classifier.ClassifierError as error:
        logger.warning("Classifier unavailable, holding comment: %s", error)
        if may_retry:
            raise
        return hold("classifier", _("Held: the classifier did not answer."))
    check.verdict = verdict
    if verdict.score is None:
        details = {"reason": verdict.reason or "-"}
        rejected = _("Rejected by the classifier: %(reason)s")
        held = _("Held by the classifier: %(reason)s")
    else:
        details = {"score": verdict.score, "reason": verdict.reason or "-"}
        rejected = _("Rejected by the classifier (score %(score).2f): %(reason)s")
        held = _("Held by the classifier (score %(score).2f): %(reason)s")
    if verdict.decision == "reject":
        return Decision(Status.REJECTED, "classifier", rejected % details)
    if verdict.decision == "hold":
        return hold("classifier", held % details)
    return None  # The classifier's approval does not overrule pre-moderation.


def moderation_mode(check):
    if check.mode == "pre" and not check.is_trusted:
        return hold("premoderation", _("Held: this story is pre-moderated."))
    return Decision(Status.APPROVED, "default", _("Approved: no rule held it."))


PIPELINE = [
    closed,
    length,
    posting_token,
    ban,
    rate_limit,
    banned_words,
    suspect_words,
    links,
    repeated,
    first_timer,
    external_classifier,
    moderation_mode,
]


def moderate(*, comment, reader, is_edit=False, config=None, token=None):
    """Return the Decision for an unsaved (or edited) comment, or raise CommentRefused.

    `token` is the posting token the reader's request presented (`tokens.Presented`); None for a
    comment that no reader's request sent.
    """
    check = Check(comment=comment, reader=reader, is_edit=is_edit, config=config, token=token)
    return _run(check, PIPELINE)


def _run(check, rules):
    for rule in rules:
        decision = rule(check)
        if decision is not None:
            if decision.status == Status.APPROVED and check.held is not None:
                decision = check.held
            if check.verdict is not None:
                decision = replace(decision, score=check.verdict.score, labels=check.verdict.labels)
            if check.score_later and decision.status == Status.PENDING:
                decision = replace(decision, score_later=True)
            return decision
    raise AssertionError("the last rule always decides")

"""
The moderation pipeline and the desk's actions.

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
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsroom.prepared import prepared
from notifications import services as notices

from .. import classifier, ratelimits, tokens
from ..models import (
    WAITING_FOR_CLASSIFIER,
    Ban,
    Comment,
    CommentReport,
    ModerationAction,
    ModerationSettings,
    ReaderProfile,
)
from ..readers import Reader, keyed_hash
from ..text import normalized_text, reading_form, text_hash

logger = logging.getLogger(__name__)

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


class EditedMeanwhile(Exception):
    """The author edited the comment while the classifier judged the text before."""


def comment_classify(*, comment_id, final_attempt=True):
    """Ask the classifier about a comment waiting for it, then decide it as the pipeline would.

    The worker calls this (comments.tasks). The classifier's hold or reject decides; its approval
    goes on to the rules after it (pre-moderation still holds). Return the Decision, or None when
    the comment no longer waits (a moderator decided it meanwhile: theirs stands). Unless this is
    the final attempt, a failed call raises ClassifierError so the worker can try again; the
    final one holds the comment as "classifier unavailable".
    """
    comment = (
        Comment.objects.waiting_for_classifier()
        .select_related("article", "user")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        return None
    author = Reader(key=comment.reader_key, user=comment.user)
    check = Check(comment=comment, reader=author, is_edit=comment.edited_at is not None)
    rules = PIPELINE[PIPELINE.index(external_classifier) + 1 :]
    if check.config.classifier_url:
        try:
            decided = ask_classifier(check, may_retry=True)
        except classifier.ClassifierError:
            if not final_attempt:
                raise
            decided = hold("classifier", _("Held: classifier unavailable (it did not answer)."))
        rules = [lambda check: decided, *rules]
    decision = _run(check, rules)
    return _decide_waiting(comment, decision)


def comment_score(*, comment_id, held_rule, final_attempt=True):
    """Ask the classifier about a comment another rule holds; its reject rejects, else only score.

    The worker calls this (comments.tasks) for comments held without waiting for the classifier:
    the hold stands (a moderator decides), but the desk can sort and filter by the score. Return
    the Decision, or None when the comment is no longer held by that rule or there is no answer.
    """
    still_held = Comment.objects.pending().filter(moderation_rule=held_rule)
    comment = still_held.select_related("article", "user").filter(pk=comment_id).first()
    if comment is None:
        return None
    author = Reader(key=comment.reader_key, user=comment.user)
    check = Check(comment=comment, reader=author, is_edit=comment.edited_at is not None)
    if not check.config.classifier_url:
        return None
    try:
        decided = ask_classifier(check, may_retry=True)
    except classifier.ClassifierError:
        if not final_attempt:
            raise
        return None  # its own hold stands; a moderator decides without a score
    if check.verdict is None:
        return None  # circuit open or endpoint refused: the hold stands
    if decided is None or decided.status == Status.PENDING:
        decided = hold(held_rule, comment.moderation_reason)
    decision = replace(decided, score=check.verdict.score, labels=check.verdict.labels)
    return _decide_waiting(comment, decision, still=still_held)


def _decide_waiting(comment, decision, *, still=None):
    """Save the worker's decision if the comment still waits as it did (`still`, a QuerySet)."""
    kept_hold = still is not None and decision.status == Status.PENDING
    still = Comment.objects.waiting_for_classifier() if still is None else still
    with transaction.atomic():
        body = (
            still.select_for_update().filter(pk=comment.pk).values_list("body", flat=True).first()
        )
        if body is None:
            return None  # decided while the classifier thought
        if body != comment.body:
            raise EditedMeanwhile(comment.pk)
        decision.apply_to(comment)
        comment.decided_at = None if decision.status == Status.PENDING else timezone.now()
        comment.save(
            update_fields=[
                "status",
                "moderation_rule",
                "moderation_reason",
                "classifier_score",
                "classifier_labels",
                "decided_at",
            ]
        )
        if not kept_hold:  # a score added to a hold is no decision
            record(comment, decision, previous_status=Status.PENDING)
        if decision.status != Status.PENDING:
            Comment.objects.filter(pk=comment.pk).mark_stories_changed()
            notices.comment_status_changed(decision.status, [comment.pk])
        if comment.is_visible:
            notices.replies_published([comment.pk])
    return decision


# The audit log and the desk's actions.

ACTION_FOR_STATUS = {
    Status.APPROVED: Action.APPROVE,
    Status.PENDING: Action.HOLD,
    Status.REJECTED: Action.REJECT,
    Status.SPAM: Action.SPAM,
}


def record(comment, decision, *, actor=None, previous_status=""):
    """Write a decision about a saved comment to the audit log."""
    return ModerationAction.objects.create(
        comment=comment,
        reader_key=comment.reader_key,
        actor=actor,
        rule="" if actor else decision.rule,
        action=ACTION_FOR_STATUS[decision.status],
        from_status=previous_status,
        to_status=decision.status,
        reason=decision.reason[:255],
    )


class AlreadyDecided(Exception):
    """The comment's status is no longer the one the moderator saw: someone decided it since."""

    def __init__(self, comment_id):
        self.comment_id = comment_id
        last = (
            ModerationAction.objects.filter(comment_id=comment_id, to_status__gt="")
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
        if last is None or last.actor is None:
            name = _("a rule") if last is None else _("rule %(rule)s") % {"rule": last.rule}
        else:
            name = last.actor.get_username()
        self.by = name
        super().__init__(_("Already decided by %(name)s; nothing changed.") % {"name": name})


def _check_expected(rows, expected_status):
    """Raise AlreadyDecided unless every (pk, status, ...) row still has the status expected."""
    if expected_status is None:
        return
    for pk, status, *_rest in rows:
        if status != expected_status:
            raise AlreadyDecided(pk)


def comment_moderate(*, comments, status, actor, reason="", expected_status=None):
    """Move comments to `status` as a moderator; resolve their reports; return how many moved.

    Approving a comment that is already visible but reported counts too: it dismisses the reports.
    With `expected_status` (what the moderator saw), a comment decided since raises
    AlreadyDecided and nothing changes.
    """
    now = timezone.now()
    reason = reason or _("Decided by a moderator.")
    open_reports = CommentReport.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)
    with transaction.atomic():
        if expected_status is not None:
            # Two moderators deciding the same comment at once: the second waits, then sees it.
            comments = Comment.objects.filter(
                pk__in=list(comments.select_for_update().values_list("pk", flat=True))
            )
        rows = list(
            comments.annotate(reported=Exists(open_reports))
            .order_by()
            .values_list("pk", "status", "reader_key", "reported")
        )
        _check_expected(rows, expected_status)
        changed = [row for row in rows if row[1] != status or row[3]]
        if expected_status is not None and rows and not changed:
            raise AlreadyDecided(rows[0][0])  # its reports were resolved by someone else
        ids = [row[0] for row in changed]
        moved = [row[0] for row in changed if row[1] != status]
        _decide(moved, status, actor, reason, now)
        if status == Status.APPROVED:
            notices.replies_published(moved)
        notices.comment_status_changed(status, moved)
        held = [pk for pk, previous, _key, _reported in changed if previous == Status.PENDING]
        notices.held_comments_decided(status, held, wait_seconds=UNDO_SECONDS)
        CommentReport.objects.filter(comment__in=ids).resolve(
            by=actor, resolution=CommentReport.Resolution.DECIDED, now=now
        )
        Comment.objects.filter(pk__in=ids).mark_stories_changed()
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=pk,
                reader_key=reader_key,
                actor=actor,
                action=ACTION_FOR_STATUS[status],
                from_status=previous,
                to_status=status,
                reason=reason[:255] if previous != status else _("Reports dismissed."),
                created_at=now,
            )
            for pk, previous, reader_key, _reported in changed
        )
    return len(changed)


def _decide(pks, status, actor, reason, now):
    """Set these comments' status as a moderator's decision (the caller logs it)."""
    Comment.objects.filter(pk__in=pks).update(
        status=status,
        decided_at=now,
        decided_by=actor,
        moderation_rule="",
        moderation_reason=reason[:255],
    )


def comment_feature(*, comments, actor, featured=True):
    """Make comments editor's picks (or stop); only approved comments can be picked."""
    if featured:
        comments = comments.filter(status=Status.APPROVED)
    with transaction.atomic():
        rows = list(
            comments.exclude(is_featured=featured).order_by().values_list("pk", "reader_key")
        )
        picked = Comment.objects.filter(pk__in=[pk for pk, _key in rows])
        picked.update(is_featured=featured)
        picked.mark_stories_changed()
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=pk,
                reader_key=reader_key,
                actor=actor,
                action=Action.FEATURE if featured else Action.UNFEATURE,
            )
            for pk, reader_key in rows
        )
    return len(rows)


@prepared
def _settled_comment(reader_key, before):
    return (
        Comment.objects.by_reader(reader_key)
        .live()
        .filter(created_at__lte=before)
        .values_list("pk")[:1]
    )


def reporter_is_established(reader, config=None):
    """Whether a reporter is hard to mint: an identity or a visible comment older than the setting.

    A cookie whose age cannot be proven (none, or a fresh one) counts as brand-new. A comment must
    be as old as the identity would have to be: else a new guest on a post-moderated story could
    comment, report and delete, and count fully.
    """
    config = config or ModerationSettings.load()
    settled = timezone.now() - timedelta(hours=config.reporter_min_age_hours)
    if reader.since is not None and reader.since <= settled:
        return True
    return _settled_comment.first_row(reader.key, settled) is not None


def report_weight(comment, config):
    """Return the open reports' weight in percent of one established reporter.

    Each network counts once: fully if any of its reporters is established, else by the new
    reporter weight. Networks whose reports a moderator already resolved do not count again.
    """
    reports = CommentReport.objects.filter(comment=comment)
    resolved = reports.filter(resolved_at__isnull=False)
    networks = (
        reports.unresolved()
        .exclude(network_hash__in=resolved.values("network_hash"))
        .aggregate(
            every=Count("network_hash", distinct=True),
            established=Count("network_hash", distinct=True, filter=Q(is_established=True)),
        )
    )
    new_only = networks["every"] - networks["established"]
    return networks["established"] * 100 + new_only * config.new_reporter_weight


def report_threshold_check(comment):
    """Hide a visible comment pending review once its reports weigh enough; return True if so.

    The report path calls this after saving a report. The conditional update makes two
    concurrent reports hide the comment (and log it) only once.
    """
    config = ModerationSettings.load()
    threshold = config.report_threshold
    if not threshold or report_weight(comment, config) < threshold * 100:
        return False
    reports = CommentReport.objects.filter(comment=comment).unresolved().count()
    decision = hold(
        "reports",
        ngettext(
            "Hidden after %(count)d report, pending review.",
            "Hidden after %(count)d reports, pending review.",
            reports,
        )
        % {"count": reports},
    )
    with transaction.atomic():
        hidden = Comment.objects.filter(pk=comment.pk, status=Status.APPROVED).update(
            status=Status.PENDING,
            moderation_rule=decision.rule,
            moderation_reason=decision.reason,
        )
        if hidden:
            decision.apply_to(comment)
            record(comment, decision, previous_status=Status.APPROVED)
            Comment.objects.filter(pk=comment.pk).mark_stories_changed()
            notices.comment_status_changed(Status.PENDING, [comment.pk])
    return bool(hidden)


def comment_keep(*, comments, actor, reason="", expected_status=None):
    """Keep reported comments up: resolve their open reports; return how many were kept.

    A comment that reports hid is visible again. The resolved reports, and their networks, no
    longer count towards hiding it; new reporters still can. Comments without open reports are
    left as they are.
    """
    now = timezone.now()
    reason = (reason or _("Kept by a moderator despite reports."))[:255]
    open_reports = CommentReport.objects.unresolved().filter(comment=OuterRef("pk"))
    with transaction.atomic():
        rows = list(
            comments.filter(Exists(open_reports))
            .select_for_update()
            .order_by()
            .values_list("pk", "status", "moderation_rule", "reader_key")
        )
        _check_expected(rows, expected_status)
        if expected_status is not None and not rows:
            if (first := comments.order_by().values_list("pk", flat=True).first()) is not None:
                raise AlreadyDecided(first)  # kept or decided by someone else meanwhile
        ids = [row[0] for row in rows]
        # Only a comment the reports hid comes back; one a person or another rule held stays.
        hidden = {
            pk for pk, status, rule, _key in rows if status == Status.PENDING and rule == "reports"
        }
        _decide(hidden, Status.APPROVED, actor, reason, now)
        notices.replies_published(hidden)
        notices.comment_status_changed(Status.APPROVED, hidden)
        CommentReport.objects.filter(comment__in=ids).resolve(
            by=actor, resolution=CommentReport.Resolution.KEPT, now=now
        )
        Comment.objects.filter(pk__in=hidden).mark_stories_changed()
        ModerationAction.objects.bulk_create(
            ModerationAction(
                comment_id=pk,
                reader_key=reader_key,
                actor=actor,
                action=Action.KEEP,
                from_status=status,
                to_status=Status.APPROVED if pk in hidden else status,
                reason=reason,
                created_at=now,
            )
            for pk, status, _rule, reader_key in rows
        )
    return len(rows)


UNDO_SECONDS = 120  # how long a moderator may take back their own decision
UNDOABLE = [Action.APPROVE, Action.REJECT, Action.SPAM, Action.HOLD, Action.KEEP, Action.FEATURE]


def comment_undo(*, actions, actor):
    """Take back the moderator's own recent decisions; audit each as an undo; return how many.

    Each comment goes back to its status before the decision (with the rule and reason that had
    put it there), a pick is unpicked, and the reports the decision resolved are open again.
    A comment decided again since raises AlreadyDecided and nothing changes.
    """
    now = timezone.now()
    with transaction.atomic():
        taken = list(
            actions.filter(
                actor=actor,
                action__in=UNDOABLE,
                comment__isnull=False,
                created_at__gte=now - timedelta(seconds=UNDO_SECONDS),
            )
            .exclude(undone_by__isnull=False)
            .select_related("comment")
            .order_by("-created_at", "-id")
        )
        for done in taken:
            comment = Comment.objects.select_for_update().get(pk=done.comment_id)
            later = (
                ModerationAction.objects.filter(comment=comment, created_at__gt=done.created_at)
                .exclude(pk__in=[other.pk for other in taken])
                .exclude(undoes__in=taken)
            )
            if later.exists() or (done.to_status and comment.status != done.to_status):
                raise AlreadyDecided(comment.pk)
            if done.action == Action.FEATURE:
                Comment.objects.filter(pk=comment.pk).update(is_featured=False)
            elif done.to_status:
                before = (
                    ModerationAction.objects.filter(
                        comment=comment, to_status=done.from_status, created_at__lt=done.created_at
                    )
                    .order_by("-created_at", "-id")
                    .first()
                )
                Comment.objects.filter(pk=comment.pk).update(
                    status=done.from_status or comment.status,
                    moderation_rule=before.rule if before else comment.moderation_rule,
                    moderation_reason=before.reason if before else comment.moderation_reason,
                    decided_at=now,
                    decided_by=actor,
                )
            CommentReport.objects.filter(
                comment=comment, resolved_by=actor, resolved_at=done.created_at
            ).update(resolved_at=None, resolved_by=None, resolution="")
            ModerationAction.objects.create(
                comment=comment,
                reader_key=comment.reader_key,
                actor=actor,
                action=Action.UNDO,
                from_status=done.to_status,
                to_status=done.from_status,
                reason=(_("Undid: %(action)s") % {"action": done.get_action_display()})[:255],
                undoes=done,
                created_at=now,
            )
        Comment.objects.filter(pk__in=[done.comment_id for done in taken]).mark_stories_changed()
    return len(taken)


def ban_identity(comment, kind):
    """Return (value, label) identifying the comment's author for a ban of this kind."""
    if kind == Ban.Kind.READER:
        return comment.reader_key, f"{comment.author_name} ({comment.reader_key[:14]})"
    if kind == Ban.Kind.EMAIL:
        if not comment.author_email:
            raise ValueError(_("This comment has no email address to ban."))
        name, _at, domain = comment.author_email.partition("@")
        return email_hash(comment.author_email), f"{name[:1]}…@{domain}"
    if not comment.network_hash:
        raise ValueError(_("This comment has no network to ban."))
    return comment.network_hash, _("network of %(name)s") % {"name": comment.author_name}


def ban_create(*, kind, value, reason, actor, label="", expires_at=None, reject_past=False):
    """Ban (or suspend until `expires_at`) an identity; optionally reject its past comments."""
    with transaction.atomic():
        new_ban = Ban.objects.create(
            kind=kind,
            value=value,
            label=label,
            reason=reason,
            expires_at=expires_at,
            reject_past=reject_past,
            created_by=actor,
        )
        ModerationAction.objects.create(
            reader_key=value if kind == Ban.Kind.READER else "",
            actor=actor,
            action=Action.BAN,
            reason=f"{new_ban}: {reason}"[:255],
        )
        rejected = 0
        if reject_past:
            rejected = comment_moderate(
                comments=comments_of(kind, value).exclude(
                    status__in=[Status.REJECTED, Status.SPAM]
                ),
                status=Status.REJECTED,
                actor=actor,
                reason=_("Rejected with a ban: %(reason)s") % {"reason": reason},
            )
    return new_ban, rejected


def comments_of(kind, value):
    """Every comment a ban of this kind and value covers."""
    if kind == Ban.Kind.READER:
        return Comment.objects.by_reader(value)
    if kind == Ban.Kind.NETWORK:
        return Comment.objects.filter(network_hash=value)
    # Emails are stored in clear on comments (editors may write to authors) but only hashed on bans.
    emails = Comment.objects.exclude(author_email="").values_list("author_email", flat=True)
    matching = {email for email in emails.distinct() if email_hash(email) == value}
    return Comment.objects.filter(author_email__in=matching)


def ban_lift(*, bans, actor):
    """End bans now; return how many were active."""
    now = timezone.now()
    with transaction.atomic():
        active = list(bans.active(now))
        Ban.objects.filter(pk__in=[b.pk for b in active]).update(expires_at=now)
        ModerationAction.objects.bulk_create(
            ModerationAction(
                reader_key=b.value if b.kind == Ban.Kind.READER else "",
                actor=actor,
                action=Action.LIFT_BAN,
                reason=str(b)[:255],
                created_at=now,
            )
            for b in active
        )
    return len(active)

"""Behind a proxy: the reader is the right-most address our own proxies did not write."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse
from django_ratelimit.core import get_usage

from comments.models import Comment
from comments.readers import Reader, client_ip, network_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("relaxed_comment_limits", "post_moderated_site"),
]

PROXY = "10.0.0.2"  # the address our nginx connects from
PASSWORD = "correct horse battery staple"


@pytest.fixture
def behind_proxy(settings):
    def configure(header="X-Forwarded-For", count=1):
        settings.NEWSROOM = {
            **settings.NEWSROOM,
            "PROXY_CLIENT_HEADER": header,
            "TRUSTED_PROXY_COUNT": count,
        }

    configure()
    return configure


def post_comment(article, comment_data, **meta):
    """Post a comment as a brand-new guest and return what the moderators will see of its sender."""
    browser = Client(**meta)
    response = browser.post(
        reverse("comment_post", kwargs={"slug": article.slug}),
        comment_data(article, browser=browser),
    )
    assert response.status_code == 302
    return Comment.objects.latest("pk")


def via_proxy(article, comment_data, forwarded):
    return post_comment(article, comment_data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def sent_from(ip):
    return Reader(key="g:x", ip=ip)


def test_a_spoofed_left_most_address_is_ignored_behind_one_proxy(
    behind_proxy, article, comment_data
):
    comment = via_proxy(article, comment_data, "1.2.3.4, 198.51.100.7")
    assert comment.ip_hash == sent_from("198.51.100.7").ip_hash
    assert comment.network_hash == sent_from("198.51.100.7").network_hash
    assert comment.network_hash != sent_from("1.2.3.4").network_hash


def test_readers_behind_the_same_proxy_are_told_apart(behind_proxy, article, comment_data):
    first = via_proxy(article, comment_data, "198.51.100.7")
    second = via_proxy(article, comment_data, "203.0.113.9")
    assert first.network_hash != second.network_hash
    assert first.network_hash != sent_from(PROXY).network_hash


def test_with_two_trusted_proxies_the_hop_before_them_is_the_reader(
    behind_proxy, article, comment_data
):
    behind_proxy(count=2)
    comment = via_proxy(article, comment_data, "1.2.3.4, 198.51.100.7, 10.0.0.1")
    assert comment.ip_hash == sent_from("198.51.100.7").ip_hash


def test_a_single_address_header_such_as_x_real_ip_works(behind_proxy, article, comment_data):
    behind_proxy(header="X-Real-IP")
    comment = post_comment(article, comment_data, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.7")
    assert comment.ip_hash == sent_from("198.51.100.7").ip_hash


def test_without_a_proxy_setting_the_header_is_ignored(article, comment_data):
    comment = post_comment(
        article, comment_data, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert comment.ip_hash == sent_from("198.51.100.7").ip_hash


@pytest.mark.parametrize(
    "header",
    [
        "",
        "not-an-address",
        "1.2.3.4, garbage",
        "999.1.1.1",
        " , , ",
        "1.2.3.4, " + "9" * 20_000,
        "\x00",
    ],
)
def test_junk_in_the_header_falls_back_to_the_proxy_address(
    behind_proxy, article, comment_data, header
):
    comment = via_proxy(article, comment_data, header)
    assert comment.ip_hash == sent_from(PROXY).ip_hash


def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_proxy_address(
    behind_proxy, article, comment_data
):
    behind_proxy(count=3)
    comment = via_proxy(article, comment_data, "1.2.3.4, 10.0.0.1")
    assert comment.ip_hash == sent_from(PROXY).ip_hash


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address_and_network(article, comment_data):
    comment = post_comment(article, comment_data, REMOTE_ADDR="::ffff:1.2.3.4")
    assert comment.ip_hash == sent_from("1.2.3.4").ip_hash
    assert comment.network_hash == sent_from("1.2.3.200").network_hash


def test_a_mapped_address_in_the_proxy_header_counts_as_its_ipv4_address(behind_proxy):
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, ::ffff:198.51.100.7"
    )
    assert client_ip(request) == "198.51.100.7"
    assert sent_from("::ffff:198.51.100.7").network_hash == sent_from("198.51.100.1").network_hash


def test_ratelimit_ip_keys_use_the_same_address(behind_proxy):
    def hit(forwarded):
        request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
        return get_usage(request, group="t-ip", key="ip", rate="2/m", increment=True)

    assert not hit("1.1.1.1, 198.51.100.7")["should_limit"]
    assert not hit("2.2.2.2, 198.51.100.7")["should_limit"]
    assert hit("3.3.3.3, 198.51.100.7")["should_limit"]  # rotating the spoofed part does not help
    assert not hit("203.0.113.9")["should_limit"]  # another reader behind the same proxy


def test_login_lockout_follows_the_reader_behind_the_proxy_not_the_spoofed_value(behind_proxy):
    get_user_model().objects.create_user(
        "editor", "editor@example.com", PASSWORD, is_staff=True, is_superuser=True
    )
    login = reverse("admin:login")
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9").post(
            login, {"username": "editor", "password": "guess"}
        )
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="5.6.7.8, 203.0.113.9")
    response = attacker.post(login, {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429

    office = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    response = office.post(login, {"username": "editor", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302


def test_an_ipv6_household_is_one_network_not_thousands_of_64s(settings):
    # One customer's /48 holds 65,536 /64s: reports, network rates and bans see one network.
    assert network_of("2001:db8:1:2::1") == network_of("2001:db8:1:ff00::1")
    assert network_of("2001:db8:1::1") != network_of("2001:db8:2::1")
    settings.NEWSROOM = {**settings.NEWSROOM, "IPV6_NETWORK_PREFIX": 64}
    assert network_of("2001:db8:1:2::1") != network_of("2001:db8:1:ff00::1")

"""
Requests to URLs that editors typed (the classifier hook, webhook endpoints).

Such a URL is treated as hostile: it must be https and resolve only to public addresses (unless
the operator allows a network, or debug is on and it is this machine), the connection goes to
the very address that was checked, and redirects are not followed. Callers check on save (to
tell the editor) and again at call time (names can be re-pointed), and word the refusal
themselves from `Refused.reason`.
"""

import http.client
import ipaddress
import socket
import ssl
import urllib.parse

from django.conf import settings

NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """The endpoint could not be reached."""


class Unresolvable(OutboundError):
    def __init__(self, host):
        super().__init__(host)
        self.host = host


class Refused(OutboundError):
    """Not an endpoint we may send to; `reason` is "scheme", "internal" or "plain_http"."""

    def __init__(self, reason, *, host="", address=""):
        super().__init__(reason, host, address)
        self.reason, self.host, self.address = reason, host, address


SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated, but still private where routed


def _unwrapped(address):
    """An IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4, Teredo) is judged as it.

    Python before 3.11.10 calls 6to4 and site-local addresses global (CVE-2024-4032), so the
    embedded address is what we judge, whatever the interpreter.
    """
    if address.version == 6:
        if address.ipv4_mapped:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address.sixtofour:
            return address.sixtofour
        if address.teredo:
            return address.teredo[1]  # the client's address
    return address


def _is_trusted(address, allowed_networks):
    """The operator allowed this network, or debug is on and it is this machine."""
    inner = _unwrapped(address)
    allowed = [ipaddress.ip_network(net) for net in allowed_networks]
    return any(ip in net for net in allowed for ip in {address, inner}) or (
        settings.DEBUG and inner.is_loopback
    )


def _is_public(address):
    # is_global is False for loopback, private, link-local (169.254.169.254), unique-local
    # (fd00:ec2::254), CGNAT, documentation and unspecified ranges; multicast is refused too.
    inner = _unwrapped(address)
    return (
        inner.is_global
        and not (inner.is_multicast or inner.is_reserved)
        and not (inner.version == 6 and inner in SITE_LOCAL)
    )


def resolve_endpoint(url, *, allowed_networks):
    """Return (scheme, host, port, path, address) for an endpoint we may send to.

    Raise Refused for a URL that is not allowed, Unresolvable when its name does not resolve.
    Every address the name resolves to is checked, and `address` is one of them.
    """
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused("scheme")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise Unresolvable(parts.hostname) from error
    addresses = [ipaddress.ip_address(info[4][0].partition("%")[0]) for info in infos]
    for address in addresses:
        if _is_trusted(address, allowed_networks):
            continue
        if not _is_public(address):
            raise Refused("internal", host=parts.hostname, address=address)
        if scheme != "https":
            raise Refused("plain_http", host=parts.hostname)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port, path, str(addresses[0])


class PinnedConnection(http.client.HTTPConnection):
    """HTTP(S) to the address that was checked, whatever the name resolves to a moment later."""

    def __init__(self, host, port, *, address, tls, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address, self.tls = address, tls

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        if self.tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock


def connect(resolved, *, timeout):
    """Return an unopened PinnedConnection for what resolve_endpoint() returned, and the path."""
    scheme, host, port, path, address = resolved
    connection = PinnedConnection(
        host, port, address=address, tls=scheme == "https", timeout=timeout
    )
    return connection, path

"""Where a webhook may be sent (SSRF): checked when an endpoint is saved and again before every attempt.

In the cloud an endpoint is an `https` URL whose host resolves only to public addresses: never loopback, private,
shared (CGNAT), link-local, multicast or reserved ranges, never the instance metadata service (169.254.0.0/16,
fd00:ec2::254), never an IPv6 form that embeds an IPv4 address (mapped, 6to4, Teredo, NAT64). Every resolved
address must pass, not just one — a name with one public and one private address is refused. The local sandbox
stack alone may also post to its own loopback (`http://127.0.0.1`, `http://localhost`), where the sandbox receiver
listens; link-local and metadata stay refused there too.

The check returns the addresses it checked; the transport connects to those and nothing else (a DNS answer that
changes between the check and the connection — rebinding — is never used).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as ResolutionTimeout
from urllib.parse import urlsplit

from shared.platform.errors import BadRequest
from shared.webhooks.ports import Destination

MAX_URL_CHARS = 2048
RESOLVE_TIMEOUT_SECONDS = 3.0
URL_FIELD = "url"
#: Always refused, whatever the environment: the instance metadata service and all of link-local.
METADATA_AND_LINK_LOCAL = (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fd00:ec2::254/128"),
                           ipaddress.ip_network("fe80::/10"))
#: IPv6 ranges that carry an IPv4 address inside (6to4, Teredo, NAT64): refused rather than unwrapped.
EMBEDDING_IPV4 = (ipaddress.ip_network("2002::/16"), ipaddress.ip_network("2001::/32"),
                  ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})

Resolver = Callable[[str, int], Iterable[str]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnresolvableHost(Exception):
    """DNS gave no address (or no answer in time)."""


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host` (A and AAAA), bounded in time."""
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=RESOLVE_TIMEOUT_SECONDS)
    except (ResolutionTimeout, OSError, UnicodeError) as error:
        raise UnresolvableHost(f"{host} does not resolve") from error
    finally:
        pool.shutdown(wait=False)  # a resolver that hangs is left behind, not waited for
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnresolvableHost(f"{host} does not resolve")
    return addresses


def check_destination(url: str, *, local: bool, resolve: Resolver | None = None) -> Destination:
    """The destination of `url` with its checked addresses; 400 WEBHOOK_URL_INVALID when it is no usable URL,
    WEBHOOK_URL_UNRESOLVABLE when its host has no address, WEBHOOK_URL_NOT_ALLOWED when the rules refuse it."""
    scheme, host, port, target = _parts(url)
    literal = _ip_literal(host)
    if literal is not None:
        addresses: list[IpAddress] = [literal]
    else:
        try:
            addresses = [_address(text) for text in (resolve or system_resolve)(host, port)]
        except UnresolvableHost as error:
            raise BadRequest(f"url: {host} does not resolve to any address", code="WEBHOOK_URL_UNRESOLVABLE",
                             field=URL_FIELD) from error
        if not addresses:
            raise BadRequest(f"url: {host} does not resolve to any address", code="WEBHOOK_URL_UNRESOLVABLE",
                             field=URL_FIELD)
    for address in addresses:
        refusal = refusal_of(address, scheme=scheme, host=host, local=local)
        if refusal:
            raise BadRequest(f"url: {refusal}", code="WEBHOOK_URL_NOT_ALLOWED", field=URL_FIELD)
    return Destination(scheme=scheme, host=host, port=port, target=target,
                       addresses=tuple(str(address) for address in addresses))


def refusal_of(address: IpAddress, *, scheme: str, host: str, local: bool) -> str | None:
    """Why a connection to `address` (for `scheme://host`) is refused, or None when it is allowed."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in METADATA_AND_LINK_LOCAL if network.version == address.version):
        return f"{host} resolves to {address}, a link-local or instance-metadata address"
    if address.version == 6 and any(address in network for network in EMBEDDING_IPV4):
        return f"{host} resolves to {address}, an IPv6 address that embeds an IPv4 one"
    if local and address.is_loopback:
        return None  # the sandbox stack's own receiver, over http or https
    if address.is_loopback:
        return f"{host} resolves to {address}, a loopback address"
    if not _is_public(address):
        return f"{host} resolves to {address}, which is not a public address"
    if scheme != "https":
        return "only https URLs are accepted" + (" (http only to this sandbox's 127.0.0.1/localhost)" if local
                                                 else "")
    return None


def _is_public(address: IpAddress) -> bool:
    return (address.is_global and not address.is_multicast and not address.is_reserved
            and not address.is_unspecified)


def _parts(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url or len(url) > MAX_URL_CHARS:
        raise _invalid(f"must be a URL of at most {MAX_URL_CHARS} characters")
    if any(ord(char) <= 32 or ord(char) == 127 for char in url):
        raise _invalid("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise _invalid("is not a valid URL") from error
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise _invalid("must start with https://")
    if parts.username is not None or parts.password is not None:
        raise _invalid("must not carry credentials (user:password@); authenticate our requests by their signature")
    if parts.fragment:
        raise _invalid("must not have a #fragment")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _invalid("needs a host name")
    try:
        host = host.encode("idna").decode("ascii") if _ip_literal(host) is None else host
    except UnicodeError as error:
        raise _invalid("has a host name that is not valid") from error
    if host in LOOPBACK_NAMES:
        host = "localhost"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _ip_literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _address(text: str) -> IpAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0): still link-local


def _invalid(reason: str) -> BadRequest:
    return BadRequest(f"url: {reason}", code="WEBHOOK_URL_INVALID", field=URL_FIELD)

"""Where a webhook may go (SSRF): in the cloud only https to public addresses — every resolved address checked —,
never metadata or link-local; the local sandbox stack alone may also post to its own loopback."""

from __future__ import annotations

import pytest

from shared.platform.errors import BadRequest
from shared.webhooks.destinations import UnresolvableHost, check_destination

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


def resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise UnresolvableHost(host)
        return table[host]

    return resolve


DNS = resolver({
    "hooks.example.com": [PUBLIC_V4, PUBLIC_V6],
    "localhost": ["127.0.0.1", "::1"],
    "internal.example.com": ["10.0.0.7"],
    "half-private.example.com": [PUBLIC_V4, "192.168.1.20"],
    "metadata.example.com": ["169.254.169.254"],
    "rebound.example.com": ["172.16.5.5"],
})


def refusal_code(url: str, *, local: bool) -> str:
    with pytest.raises(BadRequest) as refused:
        check_destination(url, local=local, resolve=DNS)
    assert refused.value.status == 400 and refused.value.field == "url"
    return refused.value.code


@pytest.mark.parametrize("url", [
    "https://169.254.169.254/latest/meta-data/",  # the instance metadata service
    "https://169.254.1.1/",  # link-local
    "https://[fd00:ec2::254]/",  # the metadata service over IPv6
    "https://[fe80::1]/",
    "https://metadata.example.com/",  # a name that resolves to metadata
    "https://10.0.0.1/", "https://172.16.0.1/", "https://192.168.1.1/",  # private
    "https://internal.example.com/hook",
    "https://127.0.0.1/", "https://localhost/", "https://[::1]/",  # loopback
    "https://100.64.0.1/",  # shared address space (CGNAT)
    "https://224.0.1.1/",  # multicast
    "https://0.0.0.0/",
    "https://[::ffff:169.254.169.254]/", "https://[::ffff:10.0.0.1]/",  # IPv4-mapped
    "https://[2002:a9fe:a9fe::1]/", "https://[64:ff9b::a9fe:a9fe]/",  # 6to4, NAT64 embedding metadata
    "https://half-private.example.com/",  # one public address is not enough: every address must be public
    "http://hooks.example.com/",  # plain http
])
def test_the_cloud_refuses_anything_but_https_to_public_addresses(url):
    assert refusal_code(url, local=False) == "WEBHOOK_URL_NOT_ALLOWED"


def test_the_cloud_accepts_https_to_a_name_whose_every_address_is_public():
    destination = check_destination("https://hooks.example.com:8443/in?source=cf", local=False, resolve=DNS)

    assert destination.addresses == (PUBLIC_V4, PUBLIC_V6)
    assert (destination.scheme, destination.host, destination.port) == ("https", "hooks.example.com", 8443)
    assert destination.target == "/in?source=cf"
    assert destination.host_header == "hooks.example.com:8443"


def test_a_public_address_literal_needs_no_dns():
    destination = check_destination(f"https://{PUBLIC_V4}/hook", local=False, resolve=resolver({}))

    assert destination.addresses == (PUBLIC_V4,)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/_sandbox/webhook-receiver/demo", "http://localhost:8000/receiver", "http://[::1]:9/x",
    "https://hooks.example.com/",
])
def test_the_local_sandbox_may_also_post_to_its_own_loopback(url):
    assert check_destination(url, local=True, resolve=DNS).addresses


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/", "http://metadata.example.com/",
    "http://10.0.0.1/", "http://internal.example.com/", "http://hooks.example.com/",
])
def test_the_local_sandbox_still_refuses_metadata_private_addresses_and_http_elsewhere(url):
    assert refusal_code(url, local=True) == "WEBHOOK_URL_NOT_ALLOWED"


@pytest.mark.parametrize("url", [
    "ftp://hooks.example.com/", "hooks.example.com/path", "https://", "https://user:secret@hooks.example.com/",
    "https://hooks.example.com/#fragment", "https://hooks.example.com/a b", "https://hooks.example.com:99999/",
    "https://hooks.example.com/\x00", "x" * 3000,
])
def test_what_is_no_usable_url_is_invalid(url):
    assert refusal_code(url, local=False) == "WEBHOOK_URL_INVALID"


def test_a_name_without_any_address_is_unresolvable():
    assert refusal_code("https://nowhere.example.com/", local=False) == "WEBHOOK_URL_UNRESOLVABLE"


def test_the_refusal_says_which_address_and_why():
    with pytest.raises(BadRequest) as refused:
        check_destination("https://rebound.example.com/", local=False, resolve=DNS)

    assert "172.16.5.5" in refused.value.message and "not a public address" in refused.value.message

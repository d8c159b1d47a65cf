"""Which proxy a URL goes through, read from the environment as curl and requests read it."""

from __future__ import annotations

import pytest

from storywire.proxies import Proxies, Proxy, ProxyConfigError
from storywire.settings import SettingsError


def test_each_scheme_has_its_variable_lower_case_first_and_all_proxy_behind_both() -> None:
    env = {"HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://lower:3128",
           "HTTP_PROXY": "plain:8080"}  # fmt: skip
    proxies = Proxies.from_env(env)
    assert proxies.for_url("https", "feed.example", 443) == Proxy("http", "lower", 3128)
    # A proxy written without a scheme is an HTTP one (curl, requests).
    assert proxies.for_url("http", "feed.example", 80) == Proxy("http", "plain", 8080)
    fallback = Proxies.from_env({"ALL_PROXY": "http://all:3128", "http_proxy": "http://h:1"})
    assert fallback.for_url("https", "feed.example", 443) == Proxy("http", "all", 3128)
    assert fallback.for_url("http", "feed.example", 80) == Proxy("http", "h", 1)
    assert not Proxies.from_env({"HTTPS_PROXY": "", "NO_PROXY": "x"})


def test_credentials_make_a_proxy_authorization_and_are_never_shown() -> None:
    proxy = Proxies.from_env({"HTTPS_PROXY": "http://svc%40corp:p%3As%20w@proxy:3128"}).https
    assert proxy is not None
    assert (proxy.username, proxy.password) == ("svc@corp", "p:s w")
    assert proxy.authorization == "Basic c3ZjQGNvcnA6cDpzIHc="
    assert proxy.shown == "http://svc%40corp:***@proxy:3128"
    assert "p:s w" not in repr(proxy)
    assert proxy.scrub("sent Basic c3ZjQGNvcnA6cDpzIHc= and p%3As%20w") == "sent *** and ***"
    assert Proxies.from_env({"HTTP_PROXY": "https://proxy"}).http == Proxy("https", "proxy", 443)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("socks5://user:hunter2@proxy:1080", "SOCKS"),
        ("ftp://proxy:21", "not an http"),
        ("http://proxy:3128/path", "no path"),
        ("http://user:hunter2@proxy:99999", "not an http"),
    ],
)
def test_a_proxy_no_fetch_can_use_is_refused_naming_the_variable_not_the_password(
    value: str, says: str
) -> None:
    """Ignoring it would send every fetch direct where the operator said 'through the proxy'."""
    with pytest.raises(ProxyConfigError, match=says) as info:
        Proxies.from_env({"https_proxy": value})
    assert "https_proxy=" in str(info.value)
    assert "hunter2" not in str(info.value)
    assert isinstance(info.value, SettingsError)  # exit 2 at start, as any bad setting


@pytest.mark.parametrize(
    ("no_proxy", "direct", "proxied"),
    [
        (
            "example.com",
            ["example.com", "feeds.example.com", "EXAMPLE.COM."],
            ["badexample.com", "example.com.evil.net"],
        ),
        (".example.com", ["example.com", "a.b.example.com"], ["example.org"]),
        ("*.example.com", ["x.example.com"], ["example.net"]),
        (" intranet , corp.local", ["intranet", "feeds.corp.local"], ["internet"]),
        ("*", ["anything.example"], []),
        ("10.0.0.0/8,192.168.1.7", ["10.2.3.4", "192.168.1.7"], ["192.168.1.8", "ten.example"]),
        ("2001:db8::/32", ["[2001:db8::1]"], ["[2001:db9::1]"]),
        ("example.com:8443", ["example.com:8443"], ["example.com:443"]),
        ("", [], ["example.com"]),
    ],
)
def test_no_proxy_names_hosts_by_suffix_addresses_by_block_and_ports(
    no_proxy: str, direct: list[str], proxied: list[str]
) -> None:
    proxies = Proxies.from_env({"HTTPS_PROXY": "http://proxy:3128", "no_proxy": no_proxy})

    def goes(authority: str) -> bool:
        host, _, port = (
            authority.rpartition(":") if authority.count(":") == 1 else (authority, "", "")
        )
        return proxies.for_url("https", host, int(port or 443)) is not None

    assert [goes(a) for a in direct] == [False] * len(direct)
    assert [goes(a) for a in proxied] == [True] * len(proxied)


def test_loopback_is_never_proxied_whatever_no_proxy_says() -> None:
    """Through a proxy, 127.0.0.1 or localhost is the proxy's own machine, never this one."""
    proxies = Proxies.from_env({"HTTP_PROXY": "http://proxy:3128"})
    for host in ("127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost", "a.localhost", "0x7f.1"):
        assert proxies.for_url("http", host, 80) is None, host
    assert proxies.for_url("http", "10.0.0.1", 80) is not None
    assert proxies.for_url("ftp", "example.com", 21) is None


def test_describe_names_the_proxies_without_passwords() -> None:
    proxies = Proxies.from_env(
        {"HTTPS_PROXY": "http://u:pw@p:3128", "NO_PROXY": ".corp,10.0.0.0/8"}
    )
    assert proxies.describe() == {"https": "http://u:***@p:3128", "no_proxy": "corp,10.0.0.0/8"}

"""Which egress proxy a fetch goes through, read from the variables curl and requests read.

``HTTPS_PROXY`` for https URLs, ``HTTP_PROXY`` for http ones, ``ALL_PROXY`` for either when its
own is unset, each also in lower case (which wins, as in requests); ``NO_PROXY`` lists the hosts
fetched directly. They are the ones a platform already sets for every program in a container
(Docker's client config, Kubernetes manifests, systemd units, cloud images), so a worker behind
an egress proxy works as ``curl`` does from the same shell; a ``STORYWIRE_`` copy of each would
be one more place to forget. Only plain HTTP proxies (``http://``, and ``https://`` when the
proxy itself speaks TLS): a SOCKS proxy is refused at start rather than ignored, since going
direct where the operator said "through the proxy" breaks an egress policy silently.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from storywire.settings import SettingsError
from storywire.urls import REDACTED, as_dialled, literal_address, redacted_url


class ProxyConfigError(SettingsError):
    """A proxy variable holds something no fetch can use; the message names the variable and
    never its password."""


@dataclass(frozen=True, slots=True)
class Proxy:
    """One proxy: where it listens, and the Basic credentials its URL carried (if any)."""

    scheme: str  # "http" or "https": how the worker talks to the proxy itself
    host: str
    port: int
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The proxy's URL without credentials: what urllib3 dials."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def shown(self) -> str:
        """The proxy as logs, errors and health records may name it: the user, never the
        password."""
        if self.username is None:
            return self.url
        user = quote(self.username, safe="")
        return self.url.replace("://", f"://{user}:{REDACTED}@", 1)

    @property
    def authorization(self) -> str | None:
        """The ``Proxy-Authorization`` value its credentials make, or None without them."""
        if self.username is None:
            return None
        pair = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def scrub(self, text: str) -> str:
        """``text`` (an exception's message) with this proxy's password and the header made of
        it replaced, whatever a library put in it."""
        for secret in (self.authorization, self.password, quote(self.password or "", safe="")):
            if secret and len(secret) > 1:
                text = text.replace(secret, REDACTED)
        return text


@dataclass(frozen=True, slots=True)
class _Exempt:
    """One ``NO_PROXY`` entry: a name (itself and its subdomains), or a network."""

    name: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.network is not None:
            address = literal_address(host)
            return address is not None and address in self.network
        assert self.name is not None
        return host == self.name or host.endswith("." + self.name)


@dataclass(frozen=True, slots=True)
class Proxies:
    """The proxy for each URL scheme and the hosts exempt from both."""

    http: Proxy | None = None
    https: Proxy | None = None
    everything_direct: bool = False  # NO_PROXY=*
    exempt: tuple[_Exempt, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Proxies:
        """The proxies the environment names; ProxyConfigError on one no fetch could use."""
        environ = os.environ if environ is None else environ
        everything = _variable(environ, "all_proxy")
        http = _variable(environ, "http_proxy") or everything
        https = _variable(environ, "https_proxy") or everything
        no_proxy = _variable(environ, "no_proxy")
        entries = [e.strip() for e in (no_proxy[1] if no_proxy else "").split(",") if e.strip()]
        return cls(
            http=_proxy(*http) if http else None,
            https=_proxy(*https) if https else None,
            everything_direct="*" in entries,
            exempt=tuple(_exempt(entry) for entry in entries if entry != "*"),
        )

    def __bool__(self) -> bool:
        return self.http is not None or self.https is not None

    def for_url(self, scheme: str, host: str, port: int) -> Proxy | None:
        """The proxy a request for ``scheme://host:port`` goes through, or None: direct.

        A loopback host is always direct, as Go's http.ProxyFromEnvironment has it: through
        a proxy it would name the proxy's own machine, never this one.
        """
        proxy = self.https if scheme == "https" else self.http if scheme == "http" else None
        if proxy is None or self.everything_direct:
            return None
        host = host.lower().rstrip(".").strip("[]")
        if is_loopback_host(host):
            return None
        if any(entry.matches(host, port) for entry in self.exempt):
            return None
        return proxy

    def describe(self) -> dict[str, str]:
        """What a start-up log line says about them, credentials hidden."""
        shown = {}
        if self.https is not None:
            shown["https"] = self.https.shown
        if self.http is not None:
            shown["http"] = self.http.shown
        if self.everything_direct or self.exempt:
            shown["no_proxy"] = ",".join(
                (["*"] if self.everything_direct else []) + [_spelled(e) for e in self.exempt]
            )
        return shown


def is_loopback_host(host: str) -> bool:
    """``localhost``, a name under it (RFC 6761), or a loopback address literal."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = literal_address(host)
    return address is not None and address.is_loopback


def _variable(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """The variable's name as set and its value, lower case first; an empty one is unset."""
    for spelled in (name, name.upper()):
        value = environ.get(spelled, "").strip()
        if value:
            return spelled, value
    return None


def _proxy(variable: str, value: str) -> Proxy:
    # A proxy written without a scheme ("proxy.corp:3128") is an HTTP one, as curl and
    # requests read it.
    text = value if "://" in value else f"http://{value}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    scheme = parts.scheme.lower() if parts else ""
    if parts is None or scheme not in ("http", "https") or not parts.hostname:
        shown = redacted_url(text)
        if parts is not None and scheme.startswith("socks"):
            raise ProxyConfigError(
                f"{variable}={shown!r}: a SOCKS proxy, which storywire cannot use; name an "
                "HTTP proxy (http://host:port), or leave the variable unset to fetch directly"
            )
        raise ProxyConfigError(f"{variable}={shown!r}: not an http:// or https:// proxy URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ProxyConfigError(f"{variable}={redacted_url(text)!r}: a proxy URL has no path")
    return Proxy(
        scheme=scheme,
        host=parts.hostname,
        port=port or (443 if scheme == "https" else 80),
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def _exempt(entry: str) -> _Exempt:
    """A ``NO_PROXY`` entry as curl (7.86 on) and requests read it: ``example.com`` and
    ``.example.com`` both stand for the name and every name under it (``*.example.com``,
    Go's spelling, too); an address or CIDR block for URLs that name an address in it;
    ``host:port`` for that port alone."""
    text = entry.lower()
    port = None
    host, colon, tail = text.rpartition(":")
    if colon and tail.isdigit() and (host.endswith("]") or ":" not in host):
        text, port = host, int(tail)
    text = text.strip("[]")
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        network = None
    if network is not None:
        return _Exempt(network=network, port=port)
    with_address = literal_address(text)
    if with_address is not None:  # a numeric spelling ipaddress does not read
        return _Exempt(network=ipaddress.ip_network(as_dialled(str(with_address))), port=port)
    return _Exempt(name=text.removeprefix("*").lstrip(".").rstrip("."), port=port)


def _spelled(entry: _Exempt) -> str:
    text = str(entry.network) if entry.network is not None else str(entry.name)
    return f"{text}:{entry.port}" if entry.port is not None else text

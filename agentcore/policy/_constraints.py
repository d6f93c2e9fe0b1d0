"""Argument constraints: path prefixes, full-match regexes, numeric bounds, URL domain and origin allowlists.

Checks are lexical: paths are normalised without touching a filesystem (symlinks are the sandbox's business) and
URLs are parsed, never fetched.
"""

from __future__ import annotations

import ipaddress
import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from agentcore._provenance import ArgumentProvenance, for_argument

_DOMAIN_RE = re.compile(r'(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*')
_MISSING = object()


def normalise_path(path: str, cwd: str | None = None) -> str | None:
    """`path` normalised lexically (joined to `cwd` when relative), or `None` when it cannot be judged.

    `..` is resolved, so `/workspace/../etc` becomes `/etc`; above the root stays at the root. Paths with a NUL
    byte or starting with `~` (shell expansion) cannot be judged.
    """
    if not path or '\x00' in path or path.startswith('~'):
        return None
    if not path.startswith('/') and cwd is not None:
        path = cwd.rstrip('/') + '/' + path
    norm = posixpath.normpath(path)
    if norm.startswith('//'):
        norm = '/' + norm.lstrip('/')
    return norm


def path_within(path: str, prefix: str) -> bool:
    """Whether normalised `path` lies at or under normalised `prefix` (both absolute, or both relative)."""
    if path.startswith('/') != prefix.startswith('/'):
        return False
    if prefix == '.':
        return path != '..' and not path.startswith('../')
    if prefix == '/':
        return True
    return path == prefix or path.startswith(prefix + '/')


def normalise_host(host: str) -> str | None:
    """`host` lower-cased, without a trailing dot, IDNA-encoded; `None` when it is not a usable host name."""
    host = host.strip().lower().rstrip('.')
    if not host or any(c.isspace() for c in host):
        return None
    if not host.isascii():
        try:
            host = host.encode('idna').decode('ascii')
        except UnicodeError:
            return None
    return host


def domain_error(domain: str) -> str | None:
    """Why `domain` is not a valid allowlist entry, or `None` when it is."""
    if domain.startswith('*.') or '://' in domain or '/' in domain or ':' in domain:
        return f'{domain!r} is not a bare domain name (write e.g. example.com; subdomains are always included)'
    host = normalise_host(domain)
    if host is None or not _DOMAIN_RE.fullmatch(host):
        return f'{domain!r} is not a valid domain name'
    return None


def host_allowed(host: str, domains: tuple[str, ...]) -> bool:
    """Whether `host` equals one of `domains` or is a subdomain of one (`api.example.com` under `example.com`)."""
    norm = normalise_host(host)
    if norm is None:
        return False
    return any(norm == d or norm.endswith('.' + d) for d in domains)


#: The port a URL of each scheme uses when it names none.
DEFAULT_PORTS = {'http': 80, 'https': 443, 'ws': 80, 'wss': 443, 'ftp': 21}


@dataclass(frozen=True)
class Origin:
    """One entry of `network.allowed_domains`: a host (subdomains included), the schemes and the port allowed.

    `schemes` empty: http and https. `port` `None`: the default port of the URL's scheme only (80, 443);
    `-1`: any port.
    """

    host: str
    schemes: tuple[str, ...] = ()
    port: int | None = None

    def matches(self, scheme: str, host: str, port: int) -> bool:
        """Whether a URL with this (lower-case) scheme, normalised host and effective port is allowed."""
        if self.host != '*' and host != self.host and not host.endswith('.' + self.host):
            return False
        if scheme not in (self.schemes or ('http', 'https')):
            return False
        if self.port is None:
            return port == DEFAULT_PORTS.get(scheme)
        return self.port in (-1, port)

    def __str__(self) -> str:
        port = '' if self.port is None else ':*' if self.port == -1 else f':{self.port}'
        host = f'[{self.host}]' if ':' in self.host else self.host
        return f'{self.schemes[0]}://{host}{port}' if self.schemes else f'{host}{port}'


def _host_error(host: str) -> str | None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None if _DOMAIN_RE.fullmatch(host) else 'is not a valid host name'
    return None


def parse_origin(entry: str) -> Origin | str:
    """The `Origin` an allowlist entry names, or why it is not one.

    Accepted: `'*'` (any host, default ports), `host`, `host:PORT`, `host:*`, `SCHEME://host[:PORT]` with scheme
    `http` or `https`, IPv6 hosts in brackets. No path, query, user or `*.` wildcard.
    """
    entry = entry.strip()
    text = entry if '://' in entry else '//' + entry
    any_port = text.endswith(':*')
    if any_port:
        text = text[:-2]
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return f'{entry!r} has an invalid port'
    scheme = parts.scheme.lower()
    if '://' in entry and scheme not in ('http', 'https'):
        return f'{entry!r}: only http:// and https:// entries are allowed'
    if parts.path not in ('', '/') or parts.query or parts.fragment or parts.username is not None:
        return f'{entry!r} is not scheme://host[:port] (no path, query or user part)'
    raw = parts.hostname or ''
    if raw.startswith('*.'):
        return f'{entry!r}: write the domain without `*.` (subdomains are always included)'
    host = '*' if raw == '*' else normalise_host(raw)
    if host is None or (host != '*' and _host_error(host)):
        return f'{entry!r} does not name a valid host'
    if port == 0:
        return f'{entry!r} has an invalid port'
    return Origin(host, (scheme,) if scheme else (), -1 if any_port else port)


def origin_allowed(url: str, origins: tuple[Origin, ...]) -> bool:
    """Whether `url`'s scheme, host and port (the scheme's default when it names none) match one of `origins`."""
    parsed = url_origin(url)
    if parsed is None:
        return False
    scheme, host, port = parsed
    return any(o.matches(scheme, host, port) for o in origins)


def url_origin(url: str) -> tuple[str, str, int] | None:
    """`(scheme, normalised host, effective port)` of `url`, or `None` when it has no host or looks crafted."""
    host = url_host(url)
    if host is None:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port if parts.port is not None else DEFAULT_PORTS.get(scheme, -2)
    norm = normalise_host(host)
    return None if norm is None else (scheme, norm, port)


def url_host(url: str) -> str | None:
    """The host of `url`, or `None` when it has none or looks crafted (backslashes, whitespace, bad port)."""
    if any(c.isspace() or c == '\\' or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.hostname


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + '...'


@dataclass(frozen=True)
class Constraint:
    """Compiled constraints on one argument; see `ArgConstraint` for the meaning of each field."""

    argument: str
    prefixes: tuple[str, ...] | None = None
    cwd: str | None = None
    regex: re.Pattern[str] | None = None
    min: float | None = None
    max: float | None = None
    domains: tuple[str, ...] | None = None
    optional: bool = False
    trusted: bool = False

    def failure(
        self, arguments: dict[str, Any], provenance: Sequence[ArgumentProvenance] | None = None
    ) -> str | None:
        """Why `arguments` fail these constraints (naming the constraint and argument), or `None` if they hold.

        `provenance` is what a `trusted` constraint judges; without it (a caller that tracks none) a `trusted`
        constraint fails, so that it never passes unchecked.
        """
        value = arguments.get(self.argument, _MISSING)
        if value is _MISSING or value is None:
            return None if self.optional else f'argument {self.argument!r} is missing (a constraint applies to it)'
        checks = (self._prefix, self._regex, self._bounds, self._domain)
        for check in checks:
            problem = check(value)
            if problem:
                return problem
        return self._trusted(provenance)

    def _trusted(self, provenance: Sequence[ArgumentProvenance] | None) -> str | None:
        if not self.trusted:
            return None
        if provenance is None:
            return f'trusted constraint on argument {self.argument!r}: the provenance of the call is unknown'
        bad = [p for p in for_argument(provenance, self.argument) if p.trust == 'untrusted']
        if bad:
            return f'trusted constraint on argument {self.argument!r}: {bad[0].describe()}'
        return None

    def _prefix(self, value: Any) -> str | None:
        if self.prefixes is None:
            return None
        paths = value if isinstance(value, list) else [value]
        for path in paths:
            if not isinstance(path, str):
                return f'prefix constraint on argument {self.argument!r}: {_show(path)} is not a path string'
            norm = normalise_path(path, self.cwd)
            if norm is None or not any(path_within(norm, p) for p in self.prefixes):
                allowed = ', '.join(self.prefixes)
                return f'prefix constraint on argument {self.argument!r}: {_show(path)} is not under {allowed}'
        return None

    def _regex(self, value: Any) -> str | None:
        if self.regex is None:
            return None
        # A list argument (lessons, tags, file lists) must match item by item, like the prefix check.
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or not self.regex.fullmatch(item):
                return (
                    f'regex constraint on argument {self.argument!r}: {_show(item)} does not match '
                    f'{self.regex.pattern!r}'
                )
        return None

    def _bounds(self, value: Any) -> str | None:
        if self.min is None and self.max is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return f'numeric bounds on argument {self.argument!r}: {_show(value)} is not a number'
        if self.min is not None and value < self.min:
            return f'min constraint on argument {self.argument!r}: {value} is below {self.min:g}'
        if self.max is not None and value > self.max:
            return f'max constraint on argument {self.argument!r}: {value} is above {self.max:g}'
        return None

    def _domain(self, value: Any) -> str | None:
        if self.domains is None:
            return None
        host = url_host(value) if isinstance(value, str) else None
        if host is None:
            return f'domain constraint on argument {self.argument!r}: {_show(value)} is not a URL with a host'
        if not host_allowed(host, self.domains):
            allowed = ', '.join(self.domains)
            return f'domain constraint on argument {self.argument!r}: host {host!r} is not {allowed} or a subdomain'
        return None

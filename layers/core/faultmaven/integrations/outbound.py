"""The one gate every notification passes before leaving: its URL must be https, its host on the allow-list, and
every address the host resolves to public (never private, loopback, link-local, multicast or reserved), so a
configured URL cannot be turned against the deployment's own network. Tests may allow loopback (and plain http to
it) by an explicit test-only setting."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class OutboundRefused(Exception):
    """A URL the gate will not send to; never retried."""


def _host_allowed(host: str, allowed_hosts: list[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == entry or host.endswith("." + entry) for entry in (e.lower().strip(".") for e in allowed_hosts))


def check_outbound_url(url: str, allowed_hosts: list[str], *, allow_loopback: bool = False,
                       resolve: bool = True) -> None:
    """Raise `OutboundRefused` unless `url` may be sent to. `resolve=False` checks only the scheme and host (when
    settings are saved); delivery always resolves, just before it connects."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise OutboundRefused("the URL has no host")
    if parts.scheme != "https" and not (allow_loopback and parts.scheme == "http"):
        raise OutboundRefused("only https URLs are allowed")
    if not _host_allowed(host, allowed_hosts):
        raise OutboundRefused(f"host {host} is not on the notification allow-list")
    if not resolve:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OutboundRefused(f"host {host} does not resolve") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_loopback and allow_loopback:
            continue
        if not ip.is_global or ip.is_multicast or ip.is_reserved:
            raise OutboundRefused(f"host {host} resolves to a non-public address")

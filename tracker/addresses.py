"""Which IP addresses are public: the one rule the feed fetcher (which must not
be turned against the machine's own network) and the desk's evidence links
(which readers must be able to open) both follow."""

import ipaddress

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def _embedded_ipv4(address):
    """IPv4 addresses hidden inside an IPv6 one (mapped, 6to4, Teredo, NAT64, compatible)."""
    if address.version != 6:
        return []
    found = []
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)
    if address in _NAT64 or address in _NAT64_LOCAL:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated ::a.b.c.d
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _forbidden(address):
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (address.version == 6 and address.is_site_local)
    )


def address_refusal(ip, allowed_networks=()):
    """Why an address may not be fetched from, or None when it may."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return f"{ip!r} is not an IP address"
    candidates = [address, *_embedded_ipv4(address)]
    if any(candidate in network for candidate in candidates for network in allowed_networks):
        return None
    for candidate in candidates:
        if _forbidden(candidate):
            return f"{address} is not a public address"
    return None

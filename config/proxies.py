"""The client's address behind TRUSTED_PROXY_COUNT proxies, one rule for every
per-client decision: the API's rate limit (djangorestframework's NUM_PROXIES)
and django-axes' login lockout, which reads it through this function.

Each proxy appends the address it was reached from to X-Forwarded-For (nginx's
$proxy_add_x_forwarded_for), so the client is the Nth address from the right;
whatever stands left of it is the client's own claim and never believed."""

import ipaddress

from rest_framework.throttling import BaseThrottle


def client_address(request):
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Not an address (a request that skipped a proxy and wrote its own header):
        # the connection's own address is at least true.
        return request.META.get("REMOTE_ADDR")

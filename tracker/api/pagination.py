from rest_framework.pagination import LimitOffsetPagination


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """A page is at most MAX_LIMIT rows: a larger limit is cut to it rather than
    handed to the database (which refuses numbers past its integer range)."""

    max_limit = 500

from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """A page is at most MAX_LIMIT rows: a larger limit is cut to it rather than
    handed to the database (which refuses numbers past its integer range).
    A limit or offset that is not a whole number in range is a 400 naming it,
    not the default page."""

    max_limit = 500

    def get_limit(self, request):
        typed = request.query_params.get(self.limit_query_param)
        if typed is None:
            return self.default_limit
        if not (typed.isascii() and typed.isdigit()) or int(typed) < 1:
            message = f"A whole number, 1 or more (a page holds at most {self.max_limit})."
            raise exceptions.ValidationError({self.limit_query_param: [message]})
        return min(int(typed), self.max_limit)

    def get_offset(self, request):
        typed = request.query_params.get(self.offset_query_param)
        if typed is None:
            return 0
        if not (typed.isascii() and typed.isdigit()):
            message = "A whole number, 0 or more."
            raise exceptions.ValidationError({self.offset_query_param: [message]})
        return int(typed)

from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counting a million rows for every page of a changelist is what makes it
    slow. Count at most COUNT_CAP + 1 rows (a bounded subquery); beyond that,
    use PostgreSQL's row estimate for an unfiltered table, or the cap."""

    @cached_property
    def count(self):
        queryset = self.object_list
        bounded = queryset.order_by()[: COUNT_CAP + 1].count()
        if bounded <= COUNT_CAP:
            return bounded
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                estimate = cursor.fetchone()[0]
            if estimate and estimate > COUNT_CAP:
                return int(estimate)
        return COUNT_CAP

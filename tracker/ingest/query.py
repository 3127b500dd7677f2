"""Moved to tracker.watchquery, below the models; this name stays only until
the last import of it (in tracker/admin/actors.py) points there."""

from ..watchquery import actor_slugs, parse_query

__all__ = ["actor_slugs", "parse_query"]

"""The coverage pipeline: fetch → parse → clean → dedupe → match → flag.

Plain Python with no Celery imports: management commands call it directly and
tracker/tasks.py wraps it in thin tasks.
"""

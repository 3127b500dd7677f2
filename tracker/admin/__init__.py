"""The editorial panel at /admin/: one module per part of the domain."""

from . import actors, coverage, debates, positions, system  # noqa: F401

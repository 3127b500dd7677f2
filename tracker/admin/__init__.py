"""The editorial panel at /admin/: one module per part of the domain."""

from . import actors, coverage, debates, flags, positions, releases, system  # noqa: F401

"""Run local feed files through the same pipeline as fetched feeds."""

from pathlib import Path

from ..models import Outlet
from .parse import parse_feed
from .pipeline import IngestSummary, Pipeline

MAX_FILE_BYTES = 10 * 1024 * 1024


def feed_files(paths):
    """The files named, and the files inside the folders named, in a stable order."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        else:
            yield path


def import_file(pipeline, path, outlet=None, max_bytes=MAX_FILE_BYTES):
    """Ingest one file; returns its IngestSummary (warnings say what went wrong)."""
    summary = IngestSummary()
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        summary.warnings.append(f"could not read: {error.strerror or error}")
        return summary
    if len(data) > max_bytes:
        summary.warnings.append(f"refused: larger than {max_bytes} bytes")
        return summary
    parsed = parse_feed(data)
    summary.warnings.extend(parsed.warnings)
    if outlet is None:
        outlet = pipeline.outlet_for(parsed.link, parsed.title)
    result = pipeline.ingest(parsed.entries, outlet=outlet, base_url=parsed.link)
    summary.add(result)
    return summary


def import_files(paths, outlet_name=None, progress=None):
    """Import every file; returns (totals, {path: summary}) for the JSON report."""
    outlet = None
    if outlet_name:
        outlet, _ = Outlet.objects.get_or_create(name=outlet_name)
    pipeline = Pipeline()
    totals, per_file = IngestSummary(), {}
    files = list(feed_files(paths))
    for path in progress(files) if progress else files:
        summary = import_file(pipeline, path, outlet)
        per_file[str(path)] = summary
        totals.add(summary)
    return totals, per_file

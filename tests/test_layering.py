import ast
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"


def imported_modules(path):
    """Absolute names of the tracker modules a file imports, at any depth."""
    package = ".".join(path.relative_to(TRACKER.parent).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                names.add(".".join([*base, node.module] if node.module else base))
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_models_and_watch_queries_import_nothing_from_ingest():
    files = [*(TRACKER / "models").glob("*.py"), *(TRACKER / "watchquery").glob("*.py")]
    assert len(files) > 5
    offenders = {
        str(path.relative_to(TRACKER)): sorted(
            name for name in imported_modules(path) if name.startswith("tracker.ingest")
        )
        for path in files
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_import_scan_sees_relative_imports_into_ingest():
    assert "tracker.ingest.text" in imported_modules(TRACKER / "ingest" / "pipeline.py")
    assert "tracker.watchquery" in imported_modules(TRACKER / "models" / "debates.py")

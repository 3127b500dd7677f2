"""Run Python in a child process under a memory limit and a time limit, so a
document that would take the machine down takes only the child."""

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1024**3


@dataclass
class Outcome:
    returncode: int
    seconds: float
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)

    @property
    def peak_mb(self):
        last = self.stderr.strip().rsplit("\n", 1)[-1]
        return int(last.removeprefix("peak_mb=")) if last.startswith("peak_mb=") else None


# Sets the limit in the child itself, then runs `-c CODE ARGS...` or `SCRIPT ARGS...`.
# The peak resident size is the last line of its stderr. It is read from VmHWM:
# getrusage's maxrss carries over the size of the process that forked the child.
PEAK_MB = """
def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
"""
_UNDER_LIMIT = (
    PEAK_MB
    + """
import atexit, resource, runpy, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
atexit.register(lambda: print(f"peak_mb={peak_mb()}", file=sys.stderr))
sys.path.insert(0, ".")
if sys.argv[2] == "-c":
    code, sys.argv = sys.argv[3], ["-c", *sys.argv[4:]]
    exec(compile(code, "<child>", "exec"), {"__name__": "__main__"})
else:
    sys.argv = sys.argv[2:]
    runpy.run_path(sys.argv[0], run_name="__main__")
"""
)


def run_limited(args, memory=GIB, timeout=60, env=None):
    """Run `python ARGS` under an address-space limit; a time-out is a failed run."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _UNDER_LIMIT, str(memory), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as expired:
        return Outcome(-1, time.monotonic() - started, str(expired.stdout), "timed out")
    return Outcome(done.returncode, time.monotonic() - started, done.stdout, done.stderr)


# Parses one file with parse_feed and prints what came out, with the peak memory.
PARSE_ONE = (
    PEAK_MB
    + """
import json, sys
from tracker.ingest.parse import parse_feed
feed = parse_feed(open(sys.argv[1], "rb").read())
texts = [feed.title] + [e.title + e.summary + e.content for e in feed.entries]
print(json.dumps({
    "entries": len(feed.entries),
    "longest_text": max(map(len, texts)),
    "has_expansion": any("AAAAAAAAAA" in t for t in texts),
    "warnings": feed.warnings,
    "peak_mb": peak_mb(),
}))
"""
)

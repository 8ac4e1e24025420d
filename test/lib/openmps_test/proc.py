"""What the kernel says about a process the test started."""

from __future__ import annotations

from pathlib import Path


def ignored_signals(pid: int) -> set[int]:
    """The signals the process ignores (SigIgn in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            mask = int(line.split()[1], 16)
            return {n for n in range(1, 65) if mask & (1 << (n - 1))}
    raise AssertionError(f"/proc/{pid}/status has no SigIgn line")

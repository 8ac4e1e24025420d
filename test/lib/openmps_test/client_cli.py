"""Runs the real `openmps-client` binary for one command and returns what it
printed; a non-zero exit fails the test with its output unless check=False."""

import subprocess

from openmps_test.paths import client_binary


def client(*args: str, timeout: float = 300, check: bool = True,
           text: bool = True) -> subprocess.CompletedProcess:
    """text=False keeps the output as bytes (to see what was written raw)."""
    out = subprocess.run([str(client_binary()), *args], capture_output=True, text=text,
                         timeout=timeout)
    if check and out.returncode != 0:
        raise AssertionError(f"openmps-client {' '.join(args)} exited {out.returncode}:\n"
                             f"{out.stdout}\n{out.stderr}")
    return out

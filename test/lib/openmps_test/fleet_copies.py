"""Fleets larger than the project's four simulated printers, for benchmarks.

Discovery merges devices by serial and MAC, so a fleet of copies needs each
copy to carry its own: printer_copies() rewrites both in every copy.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from openmps_test.paths import source_dir


def fixtures() -> list[Path]:
    """The project's own recordings (test/fixtures/printers)."""
    files = sorted((source_dir() / "test" / "fixtures" / "printers").glob("*.snmprec"))
    if not files:
        pytest.skip("no simulated printers in test/fixtures/printers")
    return files


def printer_copies(files, count, folder: Path) -> list[Path]:
    """``count`` recordings, each with its own serial number and MAC."""
    texts = [f.read_text() for f in files]
    out = []
    for i in range(count):
        text = re.sub(r"OMPS([A-Z]{2})\d{4}", lambda m: f"OMPS{m.group(1)}{i:06d}",
                      texts[i % len(texts)])
        # HP's private serial object holds it hex-encoded behind a two-byte
        # header whose second byte is its length.
        text = re.sub(r"01[0-9a-f]{2}4f4d5053((?:[0-9a-f]{2}){2})(?:3[0-9]){4}",
                      lambda m: _hp_serial(bytes.fromhex(m.group(1)).decode(), i), text)
        text = re.sub(r"02005e10000\d", f"02005f{i:06x}", text)
        path = folder / f"printer{i}.snmprec"
        path.write_text(text)
        out.append(path)
    return out


def _hp_serial(vendor: str, i: int) -> str:
    serial = f"OMPS{vendor}{i:06d}".encode()
    return f"01{len(serial):02x}{serial.hex()}"


def free_port_everywhere(kind=socket.SOCK_DGRAM) -> int:
    """A port nobody has bound, not even on the wildcard address."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]

"""Where the tests find the tree and the built binaries.

ctest sets OPENMPS_BUILD_DIR and OPENMPS_SOURCE_DIR (test/CMakeLists.txt);
a binary that is missing is an error naming its path, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path


def source_dir() -> Path:
    return Path(os.environ.get("OPENMPS_SOURCE_DIR", Path(__file__).resolve().parents[3]))


def built(*parts: str) -> Path:
    """A file of the build, e.g. built("client", "openmps-client")."""
    build = os.environ.get("OPENMPS_BUILD_DIR")
    if not build:
        raise RuntimeError("OPENMPS_BUILD_DIR is not set (run the tests through ctest)")
    path = Path(build).joinpath(*parts)
    if not path.exists():
        raise RuntimeError(f"{path} not built")
    return path


def client_binary() -> Path:
    return built("client", "openmps-client")


def server_binary() -> Path:
    return built("server", "openmps-server")

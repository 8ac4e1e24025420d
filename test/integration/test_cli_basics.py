# ctest-timeout: 60
"""`--help`, `--version` and an unknown command of both binaries: what an
operator (and a package's smoke test) tries first, with the version the build
was made from."""

import re
import subprocess

import pytest

from openmps_test.paths import client_binary, server_binary, source_dir

BINARIES = {"openmps-client": client_binary, "openmps-server": server_binary}


def project_version() -> str:
    """The version CMakeLists.txt declares, read here rather than trusted
    from the binary under test."""
    text = (source_dir() / "CMakeLists.txt").read_text()
    match = re.search(r"^project\(OpenMPS VERSION (\d+\.\d+\.\d+)", text, re.MULTILINE)
    assert match, "no project(OpenMPS VERSION ...) in CMakeLists.txt"
    return match.group(1)


def run(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARIES[name]()), *args], capture_output=True, text=True,
                          timeout=30)


@pytest.mark.parametrize("name", BINARIES)
def test_help_prints_the_usage(name):
    out = run(name, "--help")
    assert out.returncode == 0, out.stderr
    assert f"Usage: {name} COMMAND [OPTIONS]" in out.stdout
    assert "Commands:" in out.stdout


@pytest.mark.parametrize("name", BINARIES)
def test_version_prints_the_project_version(name):
    out = run(name, "--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"{name} {project_version()}\n"


@pytest.mark.parametrize("name", BINARIES)
def test_an_unknown_command_is_named_and_fails(name):
    out = run(name, "frobnicate")
    assert out.returncode != 0
    assert "unknown command 'frobnicate'" in out.stderr
    assert out.stdout == ""

"""The real CDE files in ``tests/data`` are those PROVENANCE.md describes, byte for byte.

Each file the tests read must be listed in the checksum table of
``tests/data/PROVENANCE.md`` with its size and SHA-256, and match it: a file edited,
re-saved with other line ends or truncated fails here, not as a puzzling rate
mismatch elsewhere. A file added without provenance fails too.
"""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.helpers import DATA

#: One row of the checksum table: | `file` | bytes | `sha256` |
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<bytes>\d+) \| `(?P<sha256>[0-9a-f]{64})` \|$")


def listed() -> dict[str, tuple[int, str]]:
    """File -> (bytes, sha256) from the checksum table of PROVENANCE.md."""
    rows = {}
    for line in (DATA / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows[m["file"]] = (int(m["bytes"]), m["sha256"])
    return rows


def test_every_data_file_is_listed_and_every_listed_file_exists() -> None:
    present = {p.name for p in DATA.iterdir() if p.is_file() and p.name != "PROVENANCE.md"}
    assert present == set(listed())
    assert len(present) >= 6


@pytest.mark.parametrize("name", sorted(listed()))
def test_data_file_matches_its_size_and_checksum(name: str) -> None:
    size, sha256 = listed()[name]
    data = (DATA / name).read_bytes()
    assert len(data) == size
    assert hashlib.sha256(data).hexdigest() == sha256


def test_a_changed_byte_would_be_caught() -> None:
    # the check above can fail: one byte more gives another digest
    name, (_, sha256) = next(iter(sorted(listed().items())))
    data = (DATA / name).read_bytes()
    assert hashlib.sha256(data + b"\n").hexdigest() != sha256

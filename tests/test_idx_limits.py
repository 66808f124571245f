"""read_idx checks the header's count against the limit and the file size before the body."""

from __future__ import annotations

import gzip
import struct
import tracemalloc

import numpy as np
import pytest

import kmcore


def _header(n: int) -> bytes:
    return bytes([0, 0, 8, 3]) + struct.pack(">3I", n, 28, 28)


def _peak_while(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("claimed", [2_000_000, 200_000])
def test_a_header_claiming_more_than_the_file_holds_reads_nothing(tmp_path, compress, claimed):
    data = _header(claimed) + bytes(28 * 28 * 10)  # ten real images
    path = tmp_path / ("f.gz" if compress else "f")
    path.write_bytes(gzip.compress(data) if compress else data)

    def read():
        with pytest.raises(kmcore.IDXFormatError, match="header says"):
            kmcore.read_idx(path, 3)

    # 2M images would be 1.57 GB and 200,000 images 157 MB read before any check.
    assert _peak_while(read) < 2**20


def test_the_count_limit_is_a_parameter(tmp_path):
    images = np.zeros((10, 28, 28), np.uint8)
    kmcore.write_idx(tmp_path / "f.gz", images)
    assert kmcore.read_idx(tmp_path / "f.gz", 3, max_values=images.size).shape == images.shape
    with pytest.raises(kmcore.IDXFormatError, match="the limit is 7,839"):
        kmcore.read_idx(tmp_path / "f.gz", 3, max_values=images.size - 1)

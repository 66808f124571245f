"""Reading and writing the IDX files MNIST and Fashion-MNIST come in.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number
of dimensions), one big-endian uint32 per dimension, then the values. These
readers check that structure and accept any count, since subsets are common.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

_UBYTE = 0x08
MAX_VALUES = 256 * 2**20  # MNIST's train images hold 47 million


class IDXFormatError(ValueError):
    """A file that is not a well-formed unsigned-byte IDX file."""


def _stored_size(path: Path, gz: bool) -> int:
    """Bytes of the IDX data: the file size, or gzip's trailer (size mod 2**32)."""
    if not gz:
        return path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(-4, os.SEEK_END)
        return struct.unpack("<I", fh.read(4))[0]


def read_idx(path, expect_ndim: int, *, max_values: int = MAX_VALUES) -> np.ndarray:
    """Read an unsigned-byte IDX file (optionally gzip-compressed).

    Parameters
    ----------
    path : str or Path
    expect_ndim : int
        3 for images, 1 for labels.
    max_values : int
        Largest body accepted. The count in the header is checked against this
        and against the file's size before the body is read.

    Returns
    -------
    ndarray of uint8 with ``expect_ndim`` dimensions

    Raises
    ------
    IDXFormatError
        Wrong magic number, type or dimensions, a count over ``max_values``, or
        a body shorter or longer than the header says (a truncated download).
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            gz = fh.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if gz else open(path, "rb") as fh:
            head = fh.read(4)
            if len(head) < 4 or head[:2] != b"\x00\x00":
                raise IDXFormatError(f"{path.name} is not an IDX file (bad magic number)")
            if head[2] != _UBYTE or head[3] != expect_ndim:
                raise IDXFormatError(
                    f"{path.name}: expected unsigned bytes in {expect_ndim} dimension(s), "
                    f"found type 0x{head[2]:02x} in {head[3]}"
                )
            raw = fh.read(4 * expect_ndim)
            if len(raw) < 4 * expect_ndim:
                raise IDXFormatError(f"{path.name}: header is cut short")
            shape = struct.unpack(f">{expect_ndim}I", raw)
            size = math.prod(shape)
            if size > max_values:
                raise IDXFormatError(
                    f"{path.name}: header says {shape}, {size:,} values; "
                    f"the limit is {max_values:,}"
                )
            stored = _stored_size(path, gz)
            expected = 4 + 4 * expect_ndim + size
            if stored != (expected % 2**32 if gz else expected):
                have = "the file holds" if not gz else "gzip says the data is"
                raise IDXFormatError(
                    f"{path.name} does not match its header: header says {shape} "
                    f"({expected:,} bytes); {have} {stored:,} bytes"
                )
            body = fh.read(size + 1)
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise IDXFormatError(f"{path.name} could not be read: {exc}") from exc
    if len(body) != size:
        what = "is cut short" if len(body) < size else "has extra bytes"
        raise IDXFormatError(f"{path.name} {what}: header says {shape}, body has {len(body)} bytes")
    return np.frombuffer(body, dtype=np.uint8).reshape(shape)


def write_idx(path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write a uint8 array as an IDX file (gzip if the name ends in .gz).

    Parameters
    ----------
    path : str or Path
    array : ndarray of uint8
    compress : bool, optional
        Overrides the choice made from the file name.
    """
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=np.uint8)
    data = bytes([0, 0, _UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.tobytes()
    if compress if compress is not None else path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)

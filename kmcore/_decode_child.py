"""The decode worker's own program: reads untrusted image files, one request at a time.

Started by :class:`kmcore.sandbox.Decoder` as ``python -I <this file>``, never
imported. It loads ``images.py`` beside it by path, so the child holds numpy and
Pillow only (about 30 MB), not the whole engine (``import kmcore`` is 218 MB).
After its imports it caps its own address space (``RLIMIT_AS``) at what it uses
plus the budget it is given: a decode that needs more fails here with
``MemoryError`` instead of growing the server.

Protocol on stdin/stdout, all integers big-endian: a request is a 4-byte length
and a JSON header (``max_pixels``, ``formats``), then an 8-byte length and the
file's bytes. The reply is a 4-byte length and a JSON header (``ok``, with
``shape`` and ``notes``, or ``error`` and ``kind``), then the pixels as raw
uint8 bytes when ``ok``. JSON and raw bytes, never pickle: the parent trusts
nothing this process says beyond a shape and some text.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import resource
import struct
import sys
from pathlib import Path


def _load_images_module():
    path = Path(__file__).with_name("images.py")
    spec = importlib.util.spec_from_file_location("_kmlab_images", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _vm_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def _read_exact(stream, n: int) -> bytes:
    # A buffered read of n bytes allocates them once and fills them: the file is held once
    # (load_image takes bytes as they are), which counts against the cap.
    data = stream.read(n)
    if len(data) < n:
        raise EOFError
    return data


def _reply(out, header: dict, payload=b"") -> None:
    head = json.dumps(header).encode()
    out.write(struct.pack(">I", len(head)) + head)
    out.write(payload)  # the pixels as they are, not copied into one message
    out.flush()


def main() -> None:
    budget = int(sys.argv[1])
    images = _load_images_module()
    import numpy as np

    trim = None
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        pass
    try:
        os.nice(10)  # decoding must not starve the server's own threads
    except OSError:
        pass
    start_size = _vm_size()  # 0 where /proc is absent (macOS): no cap can be placed then
    if budget > 0 and start_size > 0 and hasattr(resource, "RLIMIT_AS"):
        limit = start_size + budget
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    _reply(stdout, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            (n,) = struct.unpack(">I", _read_exact(stdin, 4))
            request = json.loads(_read_exact(stdin, n))
            (size,) = struct.unpack(">Q", _read_exact(stdin, 8))
            data = _read_exact(stdin, size)
        except EOFError:
            return
        try:
            arr, notes = images.load_image(
                data,
                max_pixels=int(request["max_pixels"]),
                formats=request.get("formats"),
                return_notes=True,
            )
            arr = np.ascontiguousarray(arr, dtype=np.uint8)
            header = {"ok": True, "shape": list(arr.shape), "notes": list(notes)}
            payload = memoryview(arr).cast("B")
        except MemoryError:
            header, payload = {"ok": False, "kind": "memory"}, b""
        except images.ImageError as exc:
            header, payload = {"ok": False, "kind": "image", "error": str(exc)}, b""
        except Exception as exc:
            header, payload = {"ok": False, "kind": "damaged", "error": type(exc).__name__}, b""
        del data
        arr = None
        gc.collect()
        if trim is not None:
            trim(0)
        try:
            _reply(stdout, header, payload)
        except MemoryError:
            _reply(stdout, {"ok": False, "kind": "memory"})


if __name__ == "__main__":
    main()

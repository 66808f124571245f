"""Fetching a file from a list of mirrors: progress, MD5 check, atomic write."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

CHUNK = 1 << 16


class DownloadError(OSError):
    """No mirror gave a file with the expected checksum."""


def download(urls, dest, md5: str | None = None, *, progress=None, timeout: float = 5.0) -> Path:
    """Download ``dest`` from the first mirror that works.

    Parameters
    ----------
    urls : sequence of str
        Full URLs of the same file, tried in order.
    dest : str or Path
        Where the file goes. It appears there only when complete and checked:
        the bytes go to a temporary file in the same folder that is renamed.
    md5 : str, optional
        Expected MD5 hex digest; a mismatch counts as a failed mirror.
    progress : callable, optional
        Called as ``progress(done_bytes, total_bytes_or_None, url)``.
    timeout : float
        Seconds to wait for a connection or a read.

    Returns
    -------
    Path

    Raises
    ------
    DownloadError
        Every mirror failed; the message lists why for each.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the folder {dest.parent}: {exc}") from exc
    failures = []
    for url in urls:
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
            digest = hashlib.md5()
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                total = resp.headers.get("Content-Length")
                total = int(total) if total and total.isdigit() else None
                done = 0
                while chunk := resp.read(CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total, url)
            if md5 is not None and digest.hexdigest() != md5:
                raise DownloadError(f"checksum mismatch (got {digest.hexdigest()}, expected {md5})")
            os.replace(tmp, dest)
            return dest
        except (OSError, urllib.error.URLError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            failures.append(f"{url}: {reason}")
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
    raise DownloadError(f"could not download {dest.name}; " + "; ".join(failures))

"""A memory-limited control group for a test's or a bench's server (Linux cgroup v1 or v2).

Community Cloud runs the app in a container with 690 MB at the least; a server
started in this group is held to the same limit, and the kernel's OOM killer
acts inside it exactly as it would there. Children (the image decoder worker)
inherit the group, so the limit covers them too.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

ROOT_V1 = Path("/sys/fs/cgroup/memory")
ROOT_V2 = Path("/sys/fs/cgroup")


class CgroupUnavailable(RuntimeError):
    """No memory cgroup can be made here (no permission, or no memory controller)."""


def _own_path(controller: str) -> str:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(",") or (controller == "" and names == ""):
            return path.lstrip("/")
    return ""


class MemoryCgroup:
    """A new memory cgroup with a hard limit of ``limit_mb`` MB and no swap.

    Raises
    ------
    CgroupUnavailable
        Where the machine gives no writable memory controller.
    """

    def __init__(self, limit_mb: int):
        name = f"kmlab-{uuid.uuid4().hex[:8]}"
        limit = str(limit_mb * 2**20)
        try:
            if (ROOT_V2 / "cgroup.controllers").exists():
                self.v2 = True
                self.path = ROOT_V2 / _own_path("") / name
                self.path.mkdir()
                (self.path / "memory.max").write_text(limit)
                swap = self.path / "memory.swap.max"
                if swap.exists():
                    swap.write_text("0")
            elif (ROOT_V1 / "cgroup.procs").exists():
                self.v2 = False
                self.path = ROOT_V1 / _own_path("memory") / name
                self.path.mkdir()
                (self.path / "memory.limit_in_bytes").write_text(limit)
            else:
                raise CgroupUnavailable("no memory cgroup controller is mounted")
        except OSError as exc:
            raise CgroupUnavailable(f"cannot make a memory cgroup here: {exc}") from exc
        self.limit_mb = limit_mb

    def add(self, pid: int) -> None:
        """Move process ``pid`` into the group (its later children start there)."""
        (self.path / "cgroup.procs").write_text(str(pid))

    def _read(self, name: str) -> str:
        return (self.path / name).read_text()

    def usage_mb(self) -> float:
        """Memory charged to the group now (MB)."""
        name = "memory.current" if self.v2 else "memory.usage_in_bytes"
        return int(self._read(name)) / 2**20

    def peak_mb(self) -> float:
        """Highest memory charged to the group so far (MB)."""
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        return int(self._read(name)) / 2**20

    def oom_kills(self) -> int:
        """Processes of the group the kernel's OOM killer has killed."""
        text = self._read("memory.events" if self.v2 else "memory.oom_control")
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> list[int]:
        return [int(p) for p in self._read("cgroup.procs").split()]

    def remove(self) -> None:
        """Remove the group (once its processes have ended)."""
        for pid in self.pids():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        try:
            self.path.rmdir()
        except OSError:
            pass

"""Process plumbing shared by the real test servers: ports, PIDs, directories, logs.

Each server lives in its own fresh directory under /tmp (mode 755, so the
``postgres`` user can reach it when we run as root), listens on a free port
and is stopped by PID. Several test processes may run on one machine at once.
``STEERCO_TEST_SERVER_DIR`` (or ``parent_dir=``) puts those directories
elsewhere, e.g. /dev/shm: creating files is much faster on tmpfs.
"""

from __future__ import annotations

import os
import pwd
import socket
import tempfile
import time
from pathlib import Path

INSTALL_HINT = "run `.ci/ensure-system-packages {packages}` (as root, or with sudo) to install it"


class ServerError(RuntimeError):
    """Base class for errors raised by the helpers in this module."""


class ServerNotInstalled(ServerError):
    """The server's binaries are not on this machine."""


class ServerStartError(ServerError):
    """The server did not come up; the message includes the tail of its log."""


# --------------------------------------------------------------------------- generic helpers


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on *host* a moment ago.

    Another process may take it before the caller binds it: servers here retry
    with a new port when their start fails with "address already in use".
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def pid_alive(pid: int) -> bool:
    """True if *pid* is a running process (a zombie counts as gone: our PID 1
    may not reap the daemons it inherits)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def wait_pid_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def log_tail(path: str | os.PathLike, lines: int = 40) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"(no log: {e})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


def default_parent_dir() -> str:
    return os.environ.get("STEERCO_TEST_SERVER_DIR") or "/tmp"


def make_server_dir(prefix: str, owner: str | None = None, parent_dir: str | None = None) -> str:
    """A fresh directory under *parent_dir* (default /tmp), mode 755, owned by
    *owner* (when root)."""
    path = tempfile.mkdtemp(prefix=prefix, dir=parent_dir or default_parent_dir())
    os.chmod(path, 0o755)
    if owner and os.geteuid() == 0:
        pw = pwd.getpwnam(owner)
        os.chown(path, pw.pw_uid, pw.pw_gid)
    return path


def _clean_env() -> dict[str, str]:
    # PG*/LC_* from the caller's environment must not redirect our binaries.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_"))}
    env["LANG"] = "C"
    return env

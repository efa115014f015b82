"""Redis and SMTP servers for tests, started on 127.0.0.1 on free ports (issue 3).

Plain Python like servers.py, so benchmarks can use them too::

    with RedisServer() as redis, SmtpServer() as smtp:
        env["STEERCO_REDIS_URL"] = redis.url
        env["STEERCO_SMTP_HOST"], env["STEERCO_SMTP_PORT"] = smtp.host, str(smtp.port)
        ...
        smtp.wait_for(2)  # the two mails received

Redis runs as its own process (stopped by PID); SMTP is aiosmtpd in a thread
of the test process, keeping every message it receives.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from email import message_from_bytes
from email.message import Message

from support.processes import (
    ServerNotInstalled,
    ServerStartError,
    free_port,
    log_tail,
    make_server_dir,
    wait_pid_gone,
)

__all__ = ["RedisServer", "SmtpServer"]


class RedisServer:
    """A throw-away ``redis-server`` without persistence."""

    START_ATTEMPTS = 4

    def __init__(self, *, start_timeout: float = 20):
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.base_dir: str | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerNotInstalled("redis-server not found: run `.ci/ensure-system-packages redis-server`")
        self.base_dir = make_server_dir("steerco-redis-")
        log = os.path.join(self.base_dir, "redis.log")
        for _attempt in range(self.START_ATTEMPTS):
            self.port = free_port()
            with open(log, "ab") as out:
                self.proc = subprocess.Popen(
                    [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                     "--dir", self.base_dir], stdout=out, stderr=subprocess.STDOUT)
            if self._wait_ready():
                return self
            self._kill()
        raise ServerStartError(f"redis-server did not start:\n{log_tail(log)}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                time.sleep(0.02)
        return False

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            wait_pid_gone(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self._kill()
        self.proc = None
        if self.base_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class SmtpServer:
    """An SMTP server (aiosmtpd) that keeps the messages it receives in ``messages``."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.messages: list[Message] = []
        self._cond = threading.Condition()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        msg = message_from_bytes(envelope.original_content or envelope.content)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()
        return "250 OK"

    def start(self) -> "SmtpServer":
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._controller = Controller(self, hostname=self.host, port=self.port)
        try:
            self._controller.start()
        except Exception as e:  # aiosmtpd raises plain errors (bind, readiness timeout)
            raise ServerStartError(f"SMTP server did not start on port {self.port}: {e}") from e
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        """Wait until at least ``count`` messages arrived; return them all (maybe fewer on timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return list(self.messages)

    def __enter__(self) -> "SmtpServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

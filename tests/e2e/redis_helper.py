"""A real redis-server for end-to-end tests, on a free loopback port, in a private directory.

    with RedisServer() as r:
        r.command("SET", "k", "v")     # a minimal RESP client, for checking what flowlens wrote
        r.stop()                        # an outage ...
        r.start()                       # ... and the same server back on the same port

Every wait is bounded; the server persists nothing (--save "", no AOF).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from flowlens_harness import free_port

REDIS_SERVER = os.environ.get("REDIS_SERVER",
                              shutil.which("redis-server") or "/usr/bin/redis-server")


class RespError(Exception):
    """An error reply (-ERR ...) from the server."""


def _read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed mid-reply")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RespError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        if len(data) != n + 2:
            raise ConnectionError("connection closed mid-reply")
        return data[:-2]
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise ConnectionError(f"unexpected reply {line!r}")


def resp_command(port, *args, timeout=3.0):
    """Sends one command to 127.0.0.1:port; bulk strings come back as bytes."""
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    payload = b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload)
        with s.makefile("rb") as f:
            return _read_reply(f)


class RedisServer:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="flowlens-redis-")
        self.log_path = os.path.join(self.dir, "redis.log")
        self.proc = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def start(self, timeout=10.0, attempts=3):
        """Starts redis-server and waits until it answers. The first start moves to another free
        port if the chosen one was taken meanwhile; a restart keeps its port (or fails)."""
        keep_port = self.proc is not None
        for _ in range(1 if keep_port else attempts):
            if self._start_once(timeout):
                return
            if not keep_port:
                self.port = free_port()
        raise RuntimeError(
            f"redis-server did not start on 127.0.0.1:{self.port}:\n{self.read_log()}")

    def _start_once(self, timeout):
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self.dir,
                "--daemonize", "no", "--logfile", self.log_path, "--protected-mode", "yes"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                # Ours, not another suite's server that took the port: its pid must be ours.
                info = self.command("INFO", "server", timeout=1.0).decode()
                if f"process_id:{self.proc.pid}\r\n" in info:
                    return True
                self._kill()
                return False
            except (OSError, ConnectionError, RespError):
                time.sleep(0.05)
        self._kill()
        return False

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self, timeout=10.0):
        """SIGTERM and wait: afterwards the port refuses connections."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def command(self, *args, timeout=3.0):
        return resp_command(self.port, *args, timeout=timeout)

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

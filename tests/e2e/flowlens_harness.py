"""Starts the real flowlens daemon on a free loopback port for end-to-end tests.

    with Daemon(extra_args=["--lua-timeout", "500"], scripts={"t/x.lua": "print('hi')"}) as d:
        status, headers, body = d.get("/lua/t/x.lua")

`scripts` are installed into a private copy of the install directory (scripts/ and httpdocs/
of the repository plus the given files), so tests never write into the source tree.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

BIN = os.environ.get("FLOWLENS_BIN", os.path.join(os.path.dirname(__file__), "../../build/flowlens"))
SOURCE = os.environ.get("FLOWLENS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))


_LUA_API = None


def lua_api_functions():
    """The Lua functions the binary registers (`flowlens --lua-api`), e.g. {"ntop.getInfo", ...}.

    Tests of bindings still being built skip themselves with
    unittest.skipUnless("ntop.setCache" in lua_api_functions(), ...)."""
    global _LUA_API
    if _LUA_API is None:
        try:
            out = subprocess.run([BIN, "--lua-api"], capture_output=True, text=True, timeout=30,
                                 check=False).stdout
        except OSError:
            out = ""
        _LUA_API = frozenset(line.strip() for line in out.splitlines() if line.strip())
    return _LUA_API


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, extra_args=None, scripts=None, files=None, interfaces=("lo",),
                 port=None, use_install_copy=True, auth=False, drop_privileges=False):
        """auth=False runs with logins disabled (-l), as the foundation's tests expect;
        drop_privileges=False keeps the daemon as the starting user (--dont-change-user)."""
        self.extra_args = list(extra_args or [])
        if not auth and "-l" not in self.extra_args and "--disable-login" not in self.extra_args:
            self.extra_args.append("-l")
        if not drop_privileges and "--dont-change-user" not in self.extra_args:
            self.extra_args.append("--dont-change-user")
        self.scripts = scripts or {}
        self.files = files or {}
        self.interfaces = interfaces
        self.port = port or free_port()
        self.use_install_copy = use_install_copy or bool(self.scripts) or bool(self.files)
        self.drop_privileges = drop_privileges
        self.proc = None
        self.tmp = None
        self.log_path = None

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self, attempts=3):
        """Starts the daemon; retries on a new free port when another process took the port
        between free_port() and the daemon's bind (it then exits, or never logs that it listens
        on it)."""
        for attempt in range(attempts):
            try:
                self._start_once()
                return
            except RuntimeError:
                if attempt == attempts - 1 or self.proc is None or self.proc.poll() is None:
                    raise
                self.stop()
                self.port = free_port()

    def _start_once(self):
        self.tmp = tempfile.mkdtemp(prefix="flowlens-e2e-")
        if self.drop_privileges:
            # mkdtemp makes the directory 0700: the user the daemon drops to must still reach
            # its scripts and data directory below it.
            os.chmod(self.tmp, 0o755)
        self.data_dir = os.path.join(self.tmp, "data")
        self.install_dir = os.path.join(self.tmp, "install")
        shutil.copytree(os.path.join(SOURCE, "scripts"), os.path.join(self.install_dir, "scripts"))
        shutil.copytree(os.path.join(SOURCE, "httpdocs"), os.path.join(self.install_dir, "httpdocs"))
        for rel, text in self.scripts.items():
            self.write_file(os.path.join("scripts/lua", rel), text)
        for rel, data in self.files.items():
            self.write_file(rel, data)
        args = [BIN, "-w", f"127.0.0.1:{self.port}", "-d", self.data_dir,
                "-t", self.install_dir]
        for i in self.interfaces:
            args += ["-i", i]
        args += self.extra_args
        # Hermetic, as the unit tests' TestEnv: no reverse lookup reaches the machine's DNS
        # servers (a name arriving between two reads would change answers) unless a test
        # names its own.
        if "--dns-servers" not in self.extra_args:
            args += ["--dns-servers", "127.0.0.1:9"]
        self.log_path = os.path.join(self.tmp, "flowlens.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def write_file(self, rel, data):
        path = os.path.join(self.install_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(path, mode) as f:
            f.write(data)

    def wait_ready(self, timeout=10.0):
        """Waits for this daemon's own "listening" log line: a connect alone could reach another
        test suite's server that took the same port."""
        line = f"Web server listening on 127.0.0.1:{self.port} "
        # With -W the HTTPS endpoint follows the HTTP one: "127.0.0.1:<port>,127.0.0.1:<port>s".
        line_with_https = f"Web server listening on 127.0.0.1:{self.port},"
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"flowlens exited with {self.proc.returncode}:\n{self.read_log()}")
            log = self.read_log()
            if line in log or line_with_https in log:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError(f"flowlens did not listen on {self.port}:\n{self.read_log()}")

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- HTTP --------------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def connection(self, timeout=30):
        """A keep-alive capable connection to the daemon; the caller closes it."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def get(self, path, headers=None, timeout=30):
        return self.request("GET", path, headers=headers, timeout=timeout)

    def get_json(self, path, headers=None):
        status, hdrs, body = self.get(path, headers)
        return status, hdrs, json.loads(body)

    def post_json(self, path, obj, headers=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        status, hdrs, body = self.request("POST", path, json.dumps(obj), h)
        return status, hdrs, body

    def post_form(self, path, fields, headers=None):
        """POSTs `fields` (dict or list of pairs) as application/x-www-form-urlencoded."""
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, urllib.parse.urlencode(fields), h)


def raw_exchange(port, data, timeout=10.0, half_close=False):
    """Sends `data` (bytes) as is, nothing normalising the path or the headers, and returns all
    the server answered until it closed the connection or `timeout` passed."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            if half_close:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything; read its answer
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
    return out


def password_file(password):
    """A new temporary file holding `password`, for --admin-password-file; the caller unlinks it."""
    fd, path = tempfile.mkstemp(prefix="flowlens-e2e-pw-")
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return path


def start_owned(make_daemon):
    """Starts make_daemon() and returns it running on a port of its own (see Daemon.start)."""
    d = make_daemon()
    d.start()
    return d

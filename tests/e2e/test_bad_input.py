"""Hostile and broken input: every case gets a clear status, and the server keeps serving.

Requests whose target a client library would normalise or refuse (dot segments, raw bytes,
NUL) go out on a raw socket, byte for byte. Every wait is bounded by a socket or client timeout.
"""
import concurrent.futures
import http.client
import os
import socket
import subprocess
import time
import unittest

from flowlens_harness import Daemon, raw_exchange, start_owned

# Markers planted where a traversal would land: no answer may ever contain them.
SECRET = b"SECRET-MARKER"
PASSWD = b"root:"

OK_SCRIPT = "print('ok')"
ECHO_GET = "print('len=' .. #(_GET.p or '') .. ' head=' .. string.sub(_GET.p or '', 1, 8))"
ECHO_POST = "print('len=' .. #(_POST.p or '') .. ' tail=' .. string.sub(_POST.p or '', -4))"


def raw_request(port, data, timeout=10.0, half_close=False):
    """Sends `data` as is and returns (status or None, whole answer). Reads until the server
    closes, so requests should say "Connection: close"."""
    out = raw_exchange(port, data, timeout, half_close)
    status = None
    first = out.split(b"\r\n", 1)[0].split(b" ")
    if len(first) >= 2 and first[0].startswith(b"HTTP/1.") and first[1].isdigit():
        status = int(first[1])
    return status, out


def raw_get(port, target, timeout=10.0):
    return raw_request(port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Connection: close\r\n\r\n", timeout)




def body_of(answer):
    return answer.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in answer else b""


class ServerCase(unittest.TestCase):
    """Shared checks; subclasses start one daemon for the class."""
    daemon = None

    @classmethod
    def start(cls, **kwargs):
        cls.daemon = start_owned(lambda: Daemon(**kwargs))

    @classmethod
    def tearDownClass(cls):
        if cls.daemon:
            cls.daemon.stop()

    def assertServes(self):
        """A normal request still succeeds: the bad one before it left the server healthy."""
        d = self.daemon
        self.assertIsNone(d.proc.poll(), "daemon died:\n" + d.read_log())
        status, _, body = d.get("/lua/t/ok.lua", timeout=15)
        self.assertEqual((status, body), (200, b"ok"))
        status, _, body = d.get_json("/lua/rest/v2/get/ntopng/interfaces.lua")
        self.assertEqual(status, 200)
        self.assertEqual(body["rc"], 0)


class QueryAndPathTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        cls.start(scripts={"t/ok.lua": OK_SCRIPT, "t/get.lua": ECHO_GET, "t/post.lua": ECHO_POST,
                           "rest/x.lua": "print('SECRET-MARKER rest')"},
                  files={
                      # Where the traversal attempts below would land if they were followed.
                      "x.lua": "print('SECRET-MARKER install')",
                      "x": b"SECRET-MARKER install x",
                      "scripts/x.lua": "print('SECRET-MARKER scripts')",
                      "outside/secret.lua": "print('SECRET-MARKER outside')",
                      "outside/secret.txt": b"SECRET-MARKER outside txt",
                      "httpdocs/e2e-ok.txt": b"plain static file",
                  })
        d = cls.daemon
        # Symlinks out of the roots: one per root, to a file and to a directory.
        os.symlink("/etc/passwd", os.path.join(d.install_dir, "httpdocs/passwd.txt"))
        os.symlink("/", os.path.join(d.install_dir, "httpdocs/rootdir"))
        os.symlink(os.path.join(d.install_dir, "outside/secret.txt"),
                   os.path.join(d.install_dir, "httpdocs/secret.txt"))
        os.symlink(os.path.join(d.install_dir, "outside/secret.lua"),
                   os.path.join(d.install_dir, "scripts/lua/t/link.lua"))
        os.symlink(os.path.join(d.install_dir, "outside"),
                   os.path.join(d.install_dir, "scripts/lua/outdir"))

    def assertRefused(self, target, expected_status):
        status, answer = raw_get(self.daemon.port, target)
        self.assertEqual(status, expected_status, f"{target!r}: {answer[:300]!r}")
        self.assertNotIn(SECRET, answer, target)
        self.assertNotIn(PASSWD, answer, target)

    # -- query strings ---------------------------------------------------------------------
    def test_malformed_percent_escapes_in_query(self):
        for query in [b"p=%zz", b"p=%4", b"p=abc%", b"%zz=1", b"p=%g1&q=2"]:
            with self.subTest(query=query):
                status, answer = raw_get(self.daemon.port, b"/lua/t/get.lua?" + query)
                self.assertEqual(status, 400, answer[:300])
                self.assertIn(b"malformed", body_of(answer))
        self.assertServes()

    def test_well_formed_query_reaches_the_script(self):
        # The control for the cases around it: the same script answers a clean query.
        status, _, body = self.daemon.get("/lua/t/get.lua?p=%41bc%20d")
        self.assertEqual((status, body), (200, b"len=5 head=Abc d"))

    def test_one_megabyte_query_parameter(self):
        # civetweb refuses a request head over max_request_size (16 KiB) itself: 400.
        target = b"/lua/t/get.lua?p=" + b"x" * (1 << 20)
        status, answer = raw_get(self.daemon.port, target, timeout=20)
        self.assertIsNotNone(status, f"no HTTP answer: {answer[:200]!r}")
        self.assertTrue(400 <= status < 500, answer[:300])
        self.assertNotIn(b"len=", answer)
        self.assertServes()

    def test_non_utf8_query_value_escaped(self):
        for query in [b"p=%ff", b"p=%c0%ae", b"p=a%80b", b"%fe=1"]:
            with self.subTest(query=query):
                status, answer = raw_get(self.daemon.port, b"/lua/t/get.lua?" + query)
                self.assertEqual(status, 400, answer[:300])
                self.assertIn(b"UTF-8", body_of(answer))
        self.assertServes()

    def test_non_utf8_query_value_raw_bytes(self):
        status, answer = raw_get(self.daemon.port, b"/lua/t/get.lua?p=\xff\xfe")
        self.assertEqual(status, 400, answer[:300])
        self.assertNotIn(b"len=", answer)
        self.assertServes()

    # -- bodies within the limit -----------------------------------------------------------
    def test_one_megabyte_urlencoded_post_parameter(self):
        value = "y" * ((1 << 20) - 4) + "tail"
        status, _, body = self.daemon.request(
            "POST", "/lua/t/post.lua", body="p=" + value,
            headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
        self.assertEqual(status, 200)
        self.assertEqual(body, b"len=%d tail=tail" % (1 << 20))
        self.assertServes()

    # -- paths -----------------------------------------------------------------------------
    def test_non_utf8_path(self):
        for target in [b"/lua/%ff.lua", b"/lua/t/%fe%ff/ok.lua", b"/css/%e2%82.css"]:
            with self.subTest(target=target):
                self.assertRefused(target, 400)
        status, answer = raw_get(self.daemon.port, b"/lua/\xff.lua")  # raw byte, not escaped
        self.assertEqual(status, 400, answer[:300])
        self.assertServes()

    def test_unknown_paths_are_404(self):
        for target in [b"/lua/no_such_script.lua", b"/lua/no/such/dir/x.lua",
                       b"/lua/t/ok.txt", b"/lua/modules/lua_utils.lua", b"/no-such-file.css",
                       b"/css/no-such-dir/x.css", b"/lua/t"]:
            with self.subTest(target=target):
                status, answer = raw_get(self.daemon.port, target)
                self.assertEqual(status, 404, answer[:300])
        status, answer = raw_get(self.daemon.port, b"/e2e-ok.txt")  # the control: it exists
        self.assertEqual(status, 200)
        self.assertEqual(body_of(answer), b"plain static file")
        self.assertServes()

    def test_path_traversal_attempts(self):
        cases = [
            b"/lua/../x",
            b"/lua/../x.lua",
            b"/lua/../../x.lua",
            b"/lua/%2e%2e/x.lua",
            b"/lua/%2E%2E/%2e%2e/x.lua",
            b"/lua/..%2fx.lua",
            b"/lua/..%2Fx.lua",
            b"/%2e%2e/%2e%2e/etc/passwd",
            b"/../../../../etc/passwd",
            b"/css/..%5c..%5cx",
            b"/css/..\\..\\x",
            b"//etc/passwd",
            b"/lua//rest/v2/get/ntopng/interfaces.lua",
            b"/lua/rest/v2/../x.lua",
            b"/lua/./t/ok.lua",
            b"/lua/t/ok.lua/.",
            b"/lua/t/ok.lua%00.css",
            b"/lua/%00/../x.lua",
            b"/lua/t/%01ok.lua",
            b"/lua/%c0%ae%c0%ae/x.lua",
            b"/lua/%c0%ae%c0%ae/%c0%ae%c0%ae/x.lua",
            b"/%c0%af%c0%afetc/passwd",
            b"/lua/%e0%80%ae%e0%80%ae/x.lua",
        ]
        for target in cases:
            with self.subTest(target=target):
                self.assertRefused(target, 400)
        self.assertServes()

    def test_raw_nul_byte_in_path(self):
        status, answer = raw_get(self.daemon.port, b"/lua/t/ok.lua\x00.css")
        self.assertEqual(status, 400, answer[:300])
        self.assertServes()

    def test_symlinks_out_of_the_roots_are_not_followed(self):
        for target in [b"/passwd.txt", b"/rootdir/etc/passwd", b"/secret.txt",
                       b"/lua/t/link.lua", b"/lua/outdir/secret.lua"]:
            with self.subTest(target=target):
                self.assertRefused(target, 404)
        self.assertServes()


class BodyLimitTest(ServerCase):
    LIMIT = 4096

    @classmethod
    def setUpClass(cls):
        cls.start(extra_args=["--http-max-body", str(cls.LIMIT)],
                  scripts={"t/ok.lua": OK_SCRIPT, "t/post.lua": ECHO_POST})

    def post(self, body, **kw):
        return self.daemon.request("POST", "/lua/t/post.lua", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"}, **kw)

    def test_body_at_the_limit_is_accepted(self):
        value = "z" * (self.LIMIT - 6) + "tail"
        status, _, body = self.post("p=" + value)
        self.assertEqual((status, body), (200, b"len=%d tail=tail" % (self.LIMIT - 2)))

    def test_body_above_the_limit_is_413(self):
        status, _, body = self.post("p=" + "z" * (2 * self.LIMIT))
        self.assertEqual(status, 413, body)
        self.assertNotIn(b"len=", body)
        self.assertServes()

    def test_chunked_body_above_the_limit_is_413(self):
        # No Content-Length: the limit must hold while reading, too.
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=15)
        try:
            conn.request("POST", "/lua/t/post.lua",
                         body=iter([b"p=", b"z" * self.LIMIT, b"z" * self.LIMIT]),
                         headers={"Content-Type": "application/x-www-form-urlencoded"},
                         encode_chunked=True)
            r = conn.getresponse()
            status, body = r.status, r.read()
        finally:
            conn.close()
        self.assertEqual(status, 413, body)
        self.assertServes()

    def test_truncated_body_is_not_run_as_a_shorter_one(self):
        # Content-Length promises 3000 bytes; the client sends 7 and closes its side.
        # The script must not run with the 5-byte prefix as if it were the whole parameter.
        status, answer = raw_request(
            self.daemon.port,
            b"POST /lua/t/post.lua HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3000\r\n\r\n"
            b"p=yyyyy", half_close=True)
        self.assertNotIn(b"len=", answer, "the script ran on a truncated body")
        self.assertTrue(status is None or status == 400, answer[:300])
        self.assertServes()

    def test_malformed_chunked_body_is_400(self):
        status, answer = raw_request(
            self.daemon.port,
            b"POST /lua/t/post.lua HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n"
            b"\r\nzz\r\np=yyyyy\r\n0\r\n\r\n")
        self.assertEqual(status, 400, answer[:300])
        self.assertNotIn(b"len=", answer, "the script ran on a body that could not be read")
        self.assertServes()


class ScriptFailureTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        cls.start(extra_args=["--lua-timeout", "300"], scripts={
            "t/ok.lua": OK_SCRIPT,
            "t/raise.lua": "local x = 1\n\nerror('boom-' .. 'marker')\n",
            "t/nilcall.lua": "local a = 1\nno_such_function(a)\n",
            "t/syntax.lua": "print('a'\nlocal = = 3\n",
            "t/loop.lua": "while true do end\n",
            "t/pcall_loop.lua": "while true do pcall(function() while true do end end) end\n",
            "t/xpcall_loop.lua":
                "while true do xpcall(function() while true do end end, function() end) end\n",
            "t/coroutine_loop.lua":
                "local co = coroutine.wrap(function() while true do end end)\nco()\n",
        })

    def get_failure(self, name, timeout=15):
        t0 = time.monotonic()
        status, _, body = self.daemon.get(f"/lua/t/{name}.lua", timeout=timeout)
        return status, body, time.monotonic() - t0

    def test_error_call_is_500_and_logged_with_file_and_line(self):
        status, body, _ = self.get_failure("raise")
        self.assertEqual(status, 500, body)
        self.assertIn("t/raise.lua:3: boom-marker", self.daemon.read_log())
        self.assertServes()

    def test_call_of_nil_function_is_500(self):
        status, body, _ = self.get_failure("nilcall")
        self.assertEqual(status, 500, body)
        log = self.daemon.read_log()
        self.assertIn("t/nilcall.lua:2:", log)
        self.assertIn("no_such_function", log)
        self.assertServes()

    def test_syntax_error_is_500(self):
        status, body, _ = self.get_failure("syntax")
        self.assertEqual(status, 500, body)
        self.assertIn("t/syntax.lua:2:", self.daemon.read_log())
        self.assertServes()

    def assertTimedOut(self, name):
        status, body, elapsed = self.get_failure(name)
        self.assertEqual(status, 500, body)
        self.assertIn(b"exceeded its time limit", body)
        self.assertLess(elapsed, 5.0, "a 300 ms limit took seconds to act")
        self.assertIn(f"t/{name}.lua: script exceeded its time limit", self.daemon.read_log())
        self.assertServes()

    def test_endless_loop_is_stopped(self):
        self.assertTimedOut("loop")

    def test_endless_loop_hidden_in_pcall_is_stopped(self):
        self.assertTimedOut("pcall_loop")

    def test_endless_loop_hidden_in_xpcall_is_stopped(self):
        self.assertTimedOut("xpcall_loop")

    def test_endless_loop_in_a_coroutine_is_stopped(self):
        self.assertTimedOut("coroutine_loop")

    def test_server_survives_many_failures_in_a_row(self):
        for name in ["raise", "loop", "syntax", "pcall_loop", "nilcall"] * 2:
            status, body, _ = self.get_failure(name)
            self.assertEqual(status, 500, f"{name}: {body!r}")
        self.assertServes()


class MemoryLimitTest(ServerCase):
    """One daemon per test: a bomb that brings the daemon down fails its own test only."""
    SCRIPTS = {
        "t/ok.lua": OK_SCRIPT,
        "t/table_bomb.lua":
            "local t = {}\nfor i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\n",
        "t/string_bomb.lua": "local s = 'x'\nwhile true do s = s .. s end\n",
        "t/rep_bomb.lua": "local s = string.rep('x', 1 << 30)\nprint(#s)\n",
        # Only small live objects: when an allocation fails, almost nothing is left free.
        "t/list_bomb.lua": "local head\nwhile true do head = {head} end\n",
        "t/fits.lua": "local s = string.rep('x', 4 << 20)\nprint(#s)\n",
    }

    def setUp(self):
        # A generous time limit, so that what stops the bombs is the memory limit.
        self.daemon = start_owned(lambda: Daemon(
            extra_args=["--lua-memory", "32", "--lua-timeout", "20000"], scripts=self.SCRIPTS))
        self.addCleanup(self.daemon.stop)

    def assertMemoryLimited(self, name):
        t0 = time.monotonic()
        try:
            status, _, body = self.daemon.get(f"/lua/t/{name}.lua", timeout=30)
        except (OSError, http.client.HTTPException) as e:
            try:
                exit_status = self.daemon.proc.wait(2)
            except subprocess.TimeoutExpired:
                exit_status = "still running"
            self.fail(f"no answer ({e!r}); daemon exit status: {exit_status}; "
                      f"log:\n{self.daemon.read_log()[-3000:]}")
        self.assertEqual(status, 500, body)
        self.assertIn(b"memory limit", body)
        self.assertLess(time.monotonic() - t0, 15.0)
        self.assertIn(f"t/{name}.lua: script exceeded its memory limit", self.daemon.read_log())
        self.assertServes()

    def test_table_bomb(self):
        self.assertMemoryLimited("table_bomb")

    def test_string_doubling_bomb(self):
        self.assertMemoryLimited("string_bomb")

    def test_bomb_of_small_objects(self):
        self.assertMemoryLimited("list_bomb")

    def test_single_huge_allocation(self):
        self.assertMemoryLimited("rep_bomb")

    def test_allocation_under_the_limit_succeeds(self):
        status, _, body = self.daemon.get("/lua/t/fits.lua")
        self.assertEqual((status, body), (200, b"%d" % (4 << 20)))


class ConcurrentTimeoutTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        cls.start(extra_args=["--lua-states", "2", "--lua-timeout", "300"],
                  scripts={"t/ok.lua": OK_SCRIPT, "t/loop.lua": "while true do end\n"})

    def test_twenty_endless_scripts_on_two_states(self):
        def one(_):
            try:
                status, _, body = self.daemon.get("/lua/t/loop.lua", timeout=30)
                return status, body
            except Exception as e:  # a client timeout or reset is a failure, reported below
                return None, repr(e).encode()

        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
            results = list(pool.map(one, range(20), timeout=60))
        elapsed = time.monotonic() - t0
        statuses = [s for s, _ in results]
        self.assertTrue(all(s in (500, 503) for s in statuses), results)
        for status, body in results:
            if status == 500:
                self.assertIn(b"exceeded its time limit", body)
        self.assertLess(elapsed, 35.0)
        self.assertServes()


if __name__ == "__main__":
    unittest.main()

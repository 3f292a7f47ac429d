"""The HTTP side of the Lua API (spec sections 1 and 2): request parameters, how a script shapes
its response, the REST envelope, static files, keep-alive, redirects, the URL prefix and which
paths run scripts."""
import concurrent.futures
import hashlib
import json
import os
import re
import socket
import time
import unittest

from flowlens_harness import Daemon, raw_exchange

DUMP_PARAMS = """
local json = require("dkjson")
local function obj(t)
  local out = setmetatable({}, { __jsontype = "object" })
  for k, v in pairs(t) do out[k] = v end
  return out
end
sendHTTPHeader("application/json")
print(json.encode({ get = obj(_GET), post = obj(_POST) }))
"""

SCRIPTS = {
    "t/params.lua": DUMP_PARAMS,
    # Length and md5 of one _POST field: binary-safe checks of uploaded files.
    "t/field_digest.lua": """
local v = _POST[_GET["field"]]
flowlens.setContentType("text/plain")
print(v == nil and "nil" or (#v .. " " .. ntop.md5(v)))
""",
    "t/print_values.lua": 'print(1, 2.5, 10 / 2, 7 // 2, -3, true, false, nil, "s", "")\n'
                          'print("|")\nprint()\nprint("|", {})',
    "t/header.lua": """
require "lua_utils"
print("a,b\\n")
sendHTTPHeader("text/csv", "attachment; filename=e2e.csv",
               { ["X-E2e-One"] = "1", ["X-E2e-Two"] = "two words" }, 418)
print("1,2\\n")
""",
    "t/header_json.lua": """
sendHTTPHeader("application/json", nil, { ["Cache-Control"] = "max-age=60" }, 202)
print('{"x":1}')
""",
    "t/header_inject.lua": """
sendHTTPHeader("text/plain", nil, { ["X-Safe"] = "v\\r\\nX-Injected: 1" })
print("sent")
""",
    "t/raw_header.lua": """
print("HTTP/1.1 201 Created\\r\\nContent-Type: text/plain; charset=us-ascii\\r\\n"
   .. "X-Raw: yes\\r\\nLocation: /lua/t/raw_header.lua?id=7\\r\\nContent-Length: 999\\r\\n\\r\\n")
print("created ", 7)
""",
    "t/answer.lua": """
local rest_utils = require("rest_utils")
local kind, name = _GET["c"]:match("^(%a+)%.([%w_]+)$")
if _GET["nodata"] then
  rest_utils.answer(rest_utils.consts[kind][name])
else
  rest_utils.answer(rest_utils.consts[kind][name], { echo = _GET["c"], n = 1 })
end
""",
    "t/answer_bad.lua": 'require("rest_utils").answer({ http_code = 200 })',
    "t/error.lua": 'local t = nil\nprint("before")\nprint(t.field)',
    "t/prefix.lua": "print(ntop.getHttpPrefix())",
    "t/hello.lua": 'print("hello")',
}

STATIC = b"/* e2e static file */\nbody { color: #123456; }\n"
FILES = {"httpdocs/e2e/static.css": STATIC,
         "httpdocs/e2e/page.html": b"<!DOCTYPE html><p>static page</p>\n",
         "scripts/lua/readme.txt": b"not a script\n"}

# The REST v2 return codes of spec section 2: constant -> (HTTP status, rc, rc_str).
REST_CODES = {
    "success.ok": (200, 0, "OK"),
    "err.not_found": (404, -1, "NOT_FOUND"),
    "err.invalid_interface": (400, -2, "INVALID_INTERFACE"),
    "err.not_granted": (401, -3, "NOT_GRANTED"),
    "err.invalid_host": (400, -4, "INVALID_HOST"),
    "err.invalid_args": (400, -5, "INVALID_ARGUMENTS"),
    "err.internal_error": (500, -6, "INTERNAL_ERROR"),
    "err.bad_format": (400, -7, "BAD_FORMAT"),
    "err.bad_content": (400, -8, "BAD_CONTENT"),
}


def multipart(fields, boundary="----flowlensE2eBoundary7MA4YWxk"):
    """A multipart/form-data body: fields are (name, value bytes, filename or None)."""
    out = b""
    for name, value, filename in fields:
        disp = f'form-data; name="{name}"'
        if filename:
            disp += f'; filename="{filename}"'
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n".encode()
        if filename:
            out += b"Content-Type: application/octet-stream\r\n"
        out += b"\r\n" + value + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


class HttpTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(scripts=SCRIPTS, files=FILES)
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def params(self, query="", method="GET", body=None, headers=None):
        status, hdrs, raw = self.d.request(method, "/lua/t/params.lua" + query, body, headers)
        self.assertEqual(status, 200, raw)
        self.assertTrue(hdrs["content-type"].startswith("application/json"), hdrs)
        return json.loads(raw)

    # -- _GET ----------------------------------------------------------------------------------------
    def test_get_params(self):
        self.assertEqual(self.params("?ifid=0&host=192.168.1.1")["get"],
                         {"ifid": "0", "host": "192.168.1.1"})
        self.assertEqual(self.params()["get"], {})
        self.assertEqual(self.params("?")["get"], {})

    def test_get_plus_and_percent_escapes(self):
        got = self.params("?a=x+y&b=x%20y&c=%2B&d=100%25&e=caf%C3%A9&f=a%26b%3Dc&g%5B%5D=1")["get"]
        self.assertEqual(got, {"a": "x y", "b": "x y", "c": "+", "d": "100%", "e": "caf\u00e9",
                               "f": "a&b=c", "g[]": "1"})

    def test_get_repeated_and_empty_params(self):
        # A repeated name keeps its last value, as ntopng's parameter table does.
        self.assertEqual(self.params("?k=1&k=2&k=3")["get"], {"k": "3"})
        self.assertEqual(self.params("?empty=&flag&x=1")["get"], {"empty": "", "flag": "", "x": "1"})
        self.assertEqual(self.params("?a=1&&b=2&")["get"], {"a": "1", "b": "2"})

    def test_get_malformed_query_is_400(self):
        for query in ("?a=%zz", "?a=%4", "?=value", "?a=%FF%FE"):
            with self.subTest(query=query):
                status, _, body = self.d.get("/lua/t/params.lua" + query)
                self.assertEqual(status, 400, body)

    # -- _POST ---------------------------------------------------------------------------------------
    def test_post_urlencoded(self):
        body = "name=Jane+Doe&note=a%26b&empty=&n=5"
        got = self.params("?ifid=1", "POST", body,
                          {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(got["post"], {"name": "Jane Doe", "note": "a&b", "empty": "", "n": "5"})
        self.assertEqual(got["get"], {"ifid": "1"})
        # Form posts without a Content-Type are parsed as forms too.
        got = self.params("", "POST", "a=1&b=2", {})
        self.assertEqual(got["post"], {"a": "1", "b": "2"})

    def test_post_multipart_with_file(self):
        text = b"line one\r\nline two\n"
        body, ctype = multipart([("comment", b"hello world", None),
                                 ("upload", text, "notes.txt"),
                                 ("empty", b"", None),
                                 ("csrf", b"abc123", None)])
        got = self.params("?ifid=2", "POST", body, {"Content-Type": ctype})
        self.assertEqual(got["post"], {"comment": "hello world", "upload": text.decode(),
                                       "empty": "", "csrf": "abc123"})
        self.assertEqual(got["get"], {"ifid": "2"})

        # A binary file (every byte value, CR LF and a boundary look-alike) arrives intact.
        upload = bytes(range(256)) * 4 + b"\r\n--not-the-boundary\r\n" + bytes(range(256))
        body, ctype = multipart([("comment", b"x", None), ("upload", upload, "data.bin")])
        status, _, digest = self.d.request("POST", "/lua/t/field_digest.lua?field=upload", body,
                                           {"Content-Type": ctype})
        self.assertEqual(status, 200, digest)
        self.assertEqual(digest.decode(), f"{len(upload)} {hashlib.md5(upload).hexdigest()}")

    def test_post_json_body(self):
        raw = '{"username": "jane", "n": 5, "ratio": 0.5, "on": true, "obj": {"a": 1}, "list": [1]}'
        got = self.params("", "POST", raw, {"Content-Type": "application/json"})
        post = got["post"]
        self.assertEqual(post["JSON"], raw, "_POST.JSON is the body, byte for byte")
        self.assertEqual(post["username"], "jane")  # top-level scalars are copied
        self.assertEqual(post["n"], "5")
        self.assertEqual(post["on"], "true")
        self.assertNotIn("obj", post)
        self.assertNotIn("list", post)
        # JSON posted as a form (curl -d) is still JSON.
        got = self.params("", "POST", '{"a": "b"}',
                          {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(got["post"], {"JSON": '{"a": "b"}', "a": "b"})
        # A JSON array: the raw body only.
        got = self.params("", "POST", "[1, 2]", {"Content-Type": "application/json"})
        self.assertEqual(got["post"], {"JSON": "[1, 2]"})

    # -- print and headers -----------------------------------------------------------------------
    def test_print_values(self):
        status, hdrs, body = self.d.get("/lua/t/print_values.lua")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/html"), hdrs)
        # No separators and no newline; nil and booleans by name; integers without ".0".
        self.assertRegex(body.decode(), r"^12\.55\.03-3truefalsenils\|\|table: (0x)?[0-9a-f]+$")
        self.assertEqual(hdrs["content-length"], str(len(body)))

    def test_send_http_header(self):
        status, hdrs, body = self.d.get("/lua/t/header.lua")
        self.assertEqual(status, 418, "the status applies though the script printed first")
        self.assertEqual(hdrs["content-type"], "text/csv; charset=utf-8")
        self.assertEqual(hdrs["content-disposition"], "attachment; filename=e2e.csv")
        self.assertEqual(hdrs["x-e2e-one"], "1")
        self.assertEqual(hdrs["x-e2e-two"], "two words")
        self.assertEqual(hdrs["cache-control"], "no-store")
        self.assertEqual(body, b"a,b\n1,2\n")

        status, hdrs, body = self.d.get("/lua/t/header_json.lua")
        self.assertEqual(status, 202)
        self.assertEqual(hdrs["content-type"], "application/json; charset=utf-8")
        self.assertEqual(hdrs["cache-control"], "max-age=60", "the script's own Cache-Control")
        self.assertEqual(json.loads(body), {"x": 1})

        # A header value with CR LF is refused (no header injection): the script fails.
        status, hdrs, body = self.d.get("/lua/t/header_inject.lua")
        self.assertEqual(status, 500, body)
        self.assertNotIn("x-injected", hdrs)
        self.assertNotIn("x-safe", hdrs)

    def test_raw_printed_header_block(self):
        status, hdrs, body = self.d.get("/lua/t/raw_header.lua")
        self.assertEqual(status, 201)
        self.assertEqual(hdrs["content-type"], "text/plain; charset=us-ascii")
        self.assertEqual(hdrs["x-raw"], "yes")
        self.assertEqual(hdrs["location"], "/lua/t/raw_header.lua?id=7")
        self.assertEqual(body, b"created 7")
        self.assertEqual(hdrs["content-length"], str(len(body)), "printed Content-Length dropped")

    # -- REST envelope -----------------------------------------------------------------------------
    def test_rest_answer_envelope_for_each_code(self):
        for const, (http_status, rc, rc_str) in REST_CODES.items():
            with self.subTest(const=const):
                status, hdrs, body = self.d.get(f"/lua/t/answer.lua?c={const}")
                self.assertEqual(status, http_status, body)
                self.assertEqual(hdrs["content-type"], "application/json; charset=utf-8")
                doc = json.loads(body)
                self.assertEqual(set(doc), {"rc", "rc_str", "rc_str_hr", "rsp"})
                self.assertEqual(doc["rc"], rc)
                self.assertEqual(doc["rc_str"], rc_str)
                self.assertIsInstance(doc["rc_str_hr"], str)
                self.assertTrue(doc["rc_str_hr"])
                self.assertEqual(doc["rsp"], {"echo": const, "n": 1})

                status, _, body = self.d.get(f"/lua/t/answer.lua?c={const}&nodata=1")
                self.assertEqual(status, http_status, body)
                doc = json.loads(body)
                self.assertEqual((doc["rc"], doc["rc_str"]), (rc, rc_str))
                self.assertIn(doc["rsp"], ({}, []), "no data: an empty rsp")

    def test_rest_answer_rejects_a_non_constant(self):
        status, _, body = self.d.get("/lua/t/answer_bad.lua")
        self.assertEqual(status, 500, body)

    def test_failing_script_is_500(self):
        status, hdrs, body = self.d.get("/lua/t/error.lua")
        self.assertEqual(status, 500)
        self.assertNotIn(b"before", body, "output printed before the error is discarded")
        self.assertTrue(hdrs["content-type"].startswith("text/plain"), hdrs)

    def test_info_endpoint(self):
        status, hdrs, doc = self.d.get_json("/lua/rest/v2/get/ntopng/info.lua")
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "application/json; charset=utf-8")
        self.assertEqual((doc["rc"], doc["rc_str"]), (0, "OK"))
        info = doc["rsp"]
        self.assertEqual(info["product"], "flowlens")
        self.assertRegex(info["version"], r"^\d+\.\d+")
        self.assertEqual(info["pid"], self.d.proc.pid)
        self.assertEqual(info["http_port"], self.d.port)
        self.assertIsInstance(info["uptime_sec"], int)
        self.assertGreaterEqual(info["uptime_sec"], 0)
        self.assertEqual(info["pro.release"], False)
        self.assertRegex(info["version.lua"], r"^Lua 5\.\d")
        self.assertIn("command_line", info)

        status, _, doc = self.d.get_json("/lua/rest/v2/get/ntopng/info.lua?verbose=false")
        self.assertEqual(status, 200)
        short = doc["rsp"]
        self.assertEqual(short["product"], "flowlens")
        self.assertEqual(short["version"], info["version"])
        self.assertNotIn("version.lua", short)
        self.assertNotIn("command_line", short)

    # -- static files ------------------------------------------------------------------------------
    def test_static_file_caching(self):
        status, hdrs, body = self.d.get("/e2e/static.css")
        self.assertEqual(status, 200)
        self.assertEqual(body, STATIC)
        self.assertTrue(hdrs["content-type"].startswith("text/css"), hdrs)
        self.assertRegex(hdrs.get("cache-control", ""), r"max-age=\d+")
        self.assertGreater(int(re.search(r"max-age=(\d+)", hdrs["cache-control"]).group(1)), 0)
        etag = hdrs.get("etag")
        self.assertTrue(etag, hdrs)

        status, hdrs2, body = self.d.get("/e2e/static.css", headers={"If-None-Match": etag})
        self.assertEqual(status, 304)
        self.assertEqual(body, b"")
        status, _, body = self.d.get("/e2e/static.css", headers={"If-None-Match": '"other"'})
        self.assertEqual((status, body), (200, STATIC))

        # A changed file gets a new ETag, so the old one no longer matches.
        path = os.path.join(self.d.install_dir, "httpdocs/e2e/changed.css")
        with open(path, "wb") as f:
            f.write(b"a{}\n")
        status, hdrs, _ = self.d.get("/e2e/changed.css")
        self.assertEqual(status, 200)
        with open(path, "wb") as f:
            f.write(b"a{color:red}\n")
        os.utime(path, (os.path.getmtime(path) + 10,) * 2)
        status, hdrs2, body = self.d.get("/e2e/changed.css", headers={"If-None-Match": hdrs["etag"]})
        self.assertEqual((status, body), (200, b"a{color:red}\n"))
        self.assertNotEqual(hdrs2["etag"], hdrs["etag"])

    def test_static_errors(self):
        cases = {"/e2e/missing.css": 404, "/e2e": 404, "/e2e/": 404, "/nope/x.css": 404,
                 "/css/../e2e/static.css": 400, "/e2e/%2e%2e/e2e/static.css": 400,
                 "/e2e%2fstatic.css": 400, "/e2e//static.css": 400}
        for path, expect in cases.items():
            with self.subTest(path=path):
                status, _, body = self.d.get(path)
                self.assertEqual(status, expect, body)
                self.assertNotEqual(body, STATIC)
        status, _, _ = self.d.request("POST", "/e2e/static.css", "x=1")
        self.assertEqual(status, 405)

    def test_head(self):
        status, hdrs, body = self.d.request("HEAD", "/e2e/static.css")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(hdrs["content-length"], str(len(STATIC)))

        _, _, get_body = self.d.get("/lua/t/hello.lua")
        status, hdrs, body = self.d.request("HEAD", "/lua/t/hello.lua")
        self.assertEqual((status, body), (200, b""))
        self.assertEqual(hdrs["content-length"], str(len(get_body)))
        self.assertEqual(get_body, b"hello")

        status, _, body = self.d.request("HEAD", "/lua/rest/v2/get/ntopng/info.lua")
        self.assertEqual((status, body), (200, b""))

    def test_head_error_responses_have_no_body(self):
        # A HEAD answer ends with its header block (RFC 9110 9.3.2), whatever the status; body
        # bytes would be read as the start of the next response on a keep-alive connection.
        # HEAD and a GET are pipelined on one socket: the GET's status line must follow directly.
        for path, status in (("/lua/t/no_such_script.lua", 404), ("/e2e/missing.css", 404),
                             ("/lua/t/error.lua", 500), ("/lua/modules/lua_utils.lua", 404),
                             ("/lua/t/%2e%2e/hello.lua", 400), ("/lua/t/hello.lua", 200),
                             ("/e2e/static.css", 200)):
            with self.subTest(path=path):
                data = self.raw_exchange(
                    f"HEAD {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    "GET /lua/t/hello.lua HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                self.assertTrue(data.startswith(f"HTTP/1.1 {status} ".encode()), data[:200])
                head_end = data.find(b"\r\n\r\n")
                self.assertGreater(head_end, 0, data[:200])
                rest = data[head_end + 4:]
                self.assertTrue(rest.startswith(b"HTTP/1.1 200 "),
                                f"HEAD {path}: bytes after the header block: {rest[:80]!r}")
                self.assertTrue(rest.endswith(b"hello"), rest[-80:])

    def raw_exchange(self, text, timeout=5.0):
        """Sends `text` on a fresh socket and reads until the server closes it (bounded)."""
        return raw_exchange(self.d.port, text.encode(), timeout)

    # -- connections -------------------------------------------------------------------------------
    def test_keep_alive_reuses_the_connection(self):
        conn = self.d.connection()
        try:
            sock = None
            requests = [("GET", "/lua/t/hello.lua", None, {}, 200),
                        ("GET", "/e2e/static.css", None, {}, 200),
                        ("POST", "/lua/t/params.lua", "a=1", {
                            "Content-Type": "application/x-www-form-urlencoded"}, 200),
                        ("GET", "/lua/t/missing.lua", None, {}, 404),
                        ("GET", "/lua/rest/v2/get/ntopng/interfaces.lua", None, {}, 200),
                        ("HEAD", "/lua/t/hello.lua", None, {}, 200),
                        ("GET", "/lua/t/hello.lua", None, {}, 200)]
            for i, (method, path, body, headers, expect) in enumerate(requests):
                conn.request(method, path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                self.assertEqual(r.status, expect, (path, data))
                self.assertNotEqual((r.getheader("Connection") or "").lower(), "close", path)
                self.assertIsNotNone(conn.sock, f"the server closed the connection after {path}")
                if sock is None:
                    sock = conn.sock
                    local = sock.getsockname()
                self.assertIs(conn.sock, sock, f"request {i} ({path}) needed a new connection")
                self.assertEqual(conn.sock.getsockname(), local)
            self.assertEqual(data, b"hello")
        finally:
            conn.close()

    def test_root_redirects_to_index(self):
        status, hdrs, _ = self.d.get("/")
        self.assertEqual(status, 302)
        self.assertEqual(hdrs["location"], "/lua/index.lua")
        status, hdrs, body = self.d.get("/lua/index.lua")
        self.assertEqual(status, 200)
        self.assertTrue(hdrs["content-type"].startswith("text/html"), hdrs)
        self.assertIn(b"flowlens", body)
        self.assertIn(b"lo", body)

    # -- which paths run scripts ---------------------------------------------------------------------
    def test_script_paths(self):
        cases = {
            "/lua/t/no_such_script.lua": 404,
            "/lua/no/such/dir/x.lua": 404,
            "/lua/modules/lua_utils.lua": 404,
            "/lua/modules/rest_utils.lua": 404,
            "/lua/readme.txt": 404,
            "/lua/t/hello": 404,
            "/lua/t/": 404,
            "/lua/": 404,
            "/lua/t/hello.lua": 200,
            "/lua/t/hello.lua?x=1": 200,
        }
        for path, expect in cases.items():
            with self.subTest(path=path):
                status, _, body = self.d.get(path)
                self.assertEqual(status, expect, body)
                if expect == 404:
                    self.assertNotEqual(body, b"hello")
                    self.assertNotIn(b"not a script", body)

    def test_modules_are_not_served_as_files(self):
        # Not as scripts, and not as static files either: no source leaks.
        status, _, body = self.d.get("/lua/modules/lua_utils.lua")
        self.assertEqual(status, 404)
        self.assertNotIn(b"function isEmptyString", body)
        status, _, body = self.d.get("/scripts/lua/modules/lua_utils.lua")
        self.assertEqual(status, 404)
        self.assertNotIn(b"function isEmptyString", body)

    def test_path_traversal_is_refused(self):
        outside = os.path.join(self.d.tmp, "outside.lua")
        with open(outside, "w") as f:
            f.write('print("escaped")')
        os.symlink(outside, os.path.join(self.d.install_dir, "scripts/lua/t/link.lua"))
        cases = {"/lua/t/link.lua": 404, "/lua/../outside.lua": 400,
                 "/lua/t/%2e%2e/%2e%2e/outside.lua": 400, "/lua/t%2f..%2f..%2foutside.lua": 400,
                 "/lua/t/../hello.lua": 400, "/lua/t/./hello.lua": 400}
        for path, expect in cases.items():
            with self.subTest(path=path):
                status, _, body = self.d.get(path)
                self.assertEqual(status, expect, body)
                self.assertNotIn(b"escaped", body)
                self.assertNotEqual(body, b"hello")


class StatePoolTest(unittest.TestCase):
    """The time limit and the bounded pool of Lua states, as HTTP clients see them (endless
    loops and body limits: test_bad_input)."""

    def test_sleep_past_time_limit_is_stopped(self):
        # ntop.msleep() is cut short at the deadline; the run must then end as timed out rather
        # than carry on as if it had slept (and answer 200).
        scripts = {"t/sleep.lua": "ntop.msleep(20000) print('woke')",
                   "t/hello.lua": 'print("hello")'}
        with Daemon(extra_args=["--lua-timeout", "300", "--lua-states", "1"],
                    scripts=scripts) as d:
            start = time.monotonic()
            status, _, body = d.get("/lua/t/sleep.lua", timeout=30)
            self.assertLess(time.monotonic() - start, 10, "the sleep ended near the limit")
            self.assertNotIn(b"woke", body)
            self.assertEqual(status, 500, body)
            self.assertEqual(d.get("/lua/t/hello.lua")[::2], (200, b"hello"))

    def test_busy_pool_answers_503(self):
        scripts = {"t/slow.lua": 'local f = assert(io.open(_GET["flag"], "w")) f:close()\n'
                                 "ntop.msleep(8000) print('slow done')",
                   "t/hello.lua": 'print("hello")'}
        with Daemon(extra_args=["--lua-states", "1"], scripts=scripts) as d:
            flag = os.path.join(d.tmp, "slow-started")
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                slow = pool.submit(d.get, "/lua/t/slow.lua?flag=" + flag, None, 30)
                deadline = time.monotonic() + 10
                while not os.path.exists(flag) and time.monotonic() < deadline:
                    time.sleep(0.02)
                self.assertTrue(os.path.exists(flag), "the slow script holds the only state")
                start = time.monotonic()
                status, hdrs, body = d.get("/lua/t/hello.lua", timeout=30)
                waited = time.monotonic() - start
                self.assertEqual(status, 503, body)
                self.assertEqual(hdrs.get("retry-after"), "1")
                self.assertGreaterEqual(waited, 4.0, "waited for a state before giving up")
                self.assertEqual(slow.result()[::2], (200, b"slow done"))
            self.assertEqual(d.get("/lua/t/hello.lua")[::2], (200, b"hello"))


class HttpPrefixTest(unittest.TestCase):
    def test_everything_under_the_prefix(self):
        with Daemon(extra_args=["--http-prefix", "/flowlens"], scripts=SCRIPTS, files=FILES) as d:
            status, hdrs, _ = d.get("/flowlens/")
            self.assertEqual(status, 302)
            self.assertEqual(hdrs["location"], "/flowlens/lua/index.lua")
            status, hdrs, _ = d.get("/flowlens")
            self.assertEqual((status, hdrs.get("location")), (302, "/flowlens/lua/index.lua"))
            status, _, body = d.get("/flowlens/lua/index.lua")
            self.assertEqual(status, 200)
            self.assertIn(b'src="/flowlens/dist/assets/', body)  # the UI bundle, under the prefix

            status, _, body = d.get("/flowlens/lua/t/hello.lua")
            self.assertEqual((status, body), (200, b"hello"))
            status, _, body = d.get("/flowlens/lua/t/prefix.lua")
            self.assertEqual((status, body), (200, b"/flowlens"))
            status, _, doc = d.get_json("/flowlens/lua/rest/v2/get/ntopng/interfaces.lua")
            self.assertEqual((status, doc["rc"]), (200, 0))
            status, _, body = d.get("/flowlens/e2e/static.css")
            self.assertEqual((status, body), (200, STATIC))
            status, _, _ = d.get("/flowlens/css/flowlens.css")
            self.assertEqual(status, 200)

            for path in ("/lua/t/hello.lua", "/e2e/static.css", "/css/flowlens.css", "/",
                         "/lua/index.lua", "/flowlensx/lua/t/hello.lua", "/flowlenslua/t/hello.lua",
                         "/other/flowlens/lua/t/hello.lua"):
                with self.subTest(path=path):
                    status, _, body = d.get(path)
                    self.assertEqual(status, 404, body)
                    self.assertNotIn(b"hello", body)

    def test_nested_prefix(self):
        with Daemon(extra_args=["--http-prefix", "/a/b"], scripts=SCRIPTS) as d:
            status, _, body = d.get("/a/b/lua/t/hello.lua")
            self.assertEqual((status, body), (200, b"hello"))
            status, _, _ = d.get("/a/lua/t/hello.lua")
            self.assertEqual(status, 404)


class TotpPageTest(unittest.TestCase):
    def test_enrolment_page_shows_a_qr_code_and_the_provisioning_uri(self):
        with Daemon() as d:  # -l: the page acts for admin
            status, headers, body = d.get("/lua/totp.lua")
            self.assertEqual(status, 200, body)
            self.assertIn("text/html", headers["content-type"])
            self.assertIn(b"<svg xmlns=", body)
            self.assertIn(b"otpauth://totp/flowlens:admin?secret=", body)
            self.assertIn(b'name="csrf"', body)
            # A new secret each time the page is shown while TOTP is off.
            _, _, again = d.get("/lua/totp.lua")
            secret = lambda b: b.split(b"secret=")[1].split(b"&amp;")[0]
            self.assertNotEqual(secret(body), secret(again))


if __name__ == "__main__":
    unittest.main()

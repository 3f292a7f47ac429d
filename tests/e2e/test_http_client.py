"""Spec section 11, HTTP Client: ntop.http* called from scripts served by the daemon.

The requests go to a real HTTP server run by this test (it records what it received) and to
the daemon's own REST API, which checks the credentials the functions send.
"""
import base64
import http.server
import json
import os
import re
import tempfile
import threading
import time
import unittest
import urllib.parse

from flowlens_harness import Daemon, password_file

ADMIN_PASSWORD = "http-Client-pw-5"
ADMIN = {"Authorization": "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()}

SCRIPT = r"""
local json = require("dkjson")
local g = _GET
local out = {}
local c = g.case
if c == "get" then
  out.rsp = ntop.httpGet(g.url, g.user, g.pass, 5, true)
elseif c == "get_nocontent" then
  out.rsp = ntop.httpGet(g.url, nil, nil, 5, false)
elseif c == "get_noredirect" then
  out.rsp = ntop.httpGet(g.url, nil, nil, 5, true, false, false, false)
elseif c == "timeout" then
  local t0 = ntop.gettimemsec()
  out.rsp = ntop.httpGet(g.url, nil, nil, 1, true)
  out.took = ntop.gettimemsec() - t0
elseif c == "post_table" then
  out.rsp = ntop.httpPost(g.url, '{"k":1}', { return_content = true, bearer = "b1",
                                             x_api_key = "k1", extra_header = "X-Extra: e" })
elseif c == "post_positional" then
  out.rsp = ntop.httpPost(g.url, "a=1", "u", "p", 5, true)
elseif c == "post_default" then
  out.rsp = ntop.httpPost(g.url, "a=1")
elseif c == "token_get" then
  out.token = ntop.createUserAPIToken("admin")
  out.rsp = ntop.httpGetAuthToken(g.url, out.token, 5)
elseif c == "token_body" then
  out.post = ntop.httpPostAuthToken(g.url, "t1", '{"p":1}', 5, "application/vnd.x+json")
  out.put = ntop.httpPutAuthToken(g.url, "t2", "put-body")
  out.patch = ntop.httpPatchAuthToken(g.url, "t3", "patch-body", 5)
elseif c == "json" then
  out.ok = ntop.postHTTPJsonData(g.url, '{"a":2}')
  out.missing = ntop.postHTTPJsonData(g.url .. "/missing", '{}')
  out.ntopng_order = ntop.postHTTPJsonData("u", "p", g.url, '{"b":3}')
elseif c == "textfile" then
  local path = os.tmpname()
  local f = io.open(path, "w"); f:write("line one\nline two\n"); f:close()
  out.ok = ntop.postHTTPTextFile(g.url, path)
  out.kept = ntop.exists(path)
  out.rsp = ntop.postHTTPTextFile("u", "p", g.url, path, true)
  out.deleted = not ntop.exists(path)
  out.unreadable = ntop.postHTTPTextFile(g.url, path)
elseif c == "fetch" then
  out.rsp = ntop.httpFetch({ url = g.url, method = "PUT", body = "fetched",
                             headers = { ["X-A"] = "1", "X-B: 2" }, timeout = 5 })
  local path = os.tmpname()
  out.file_rsp = ntop.httpFetch(g.url, path, 5)
  local f = io.open(path, "rb"); out.file = f:read("a"); f:close(); os.remove(path)
elseif c == "scheme" then
  out.rsp = ntop.httpGet("file:///etc/passwd")
elseif c == "redirect" then
  print(ntop.httpRedirect("/lua/t/elsewhere.lua?x=1"))
  return
elseif c == "csrf" then
  out.csrf = ntop.getRandomCSRFValue()
  out.session_csrf = _SESSION["csrf"]
elseif c == "bad_args" then
  ntop.httpGet({})
elseif c == "header_injection" then
  ntop.httpPost(g.url, "x", { bearer = "a\r\nX-Evil: 1" })
end
print(json.encode(out))
"""


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers what it received as JSON; /redirect sends to /echo, /slow waits 5 s."""
    seen = []

    def log_message(self, *args):
        pass

    def _handle(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        rec = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
               "body": body}
        Recorder.seen.append(rec)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/echo")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/slow"):
            time.sleep(5)
        status = 404 if "missing" in self.path else 200
        data = json.dumps(rec).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Recorder", "yes")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = _handle


class HttpClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        cls.server.daemon_threads = True
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        cls.pw_file = password_file(ADMIN_PASSWORD)
        cls.d = Daemon(auth=True, scripts={"t/http.lua": SCRIPT},
                       extra_args=["--admin-password-file", cls.pw_file])
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.server.shutdown()
        os.unlink(cls.pw_file)

    def run_case(self, case, headers=ADMIN, **params):
        Recorder.seen.clear()
        q = urllib.parse.urlencode(dict(case=case, **params))
        status, hdrs, body = self.d.get("/lua/t/http.lua?" + q, headers)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_get_answers_ntopng_table(self):
        out = self.run_case("get", url=self.base + "/echo?x=1", user="alice")
        rsp = out["rsp"]
        self.assertEqual(rsp["RESPONSE_CODE"], 200)
        self.assertEqual(rsp["CONTENT_TYPE"], "application/json")
        self.assertEqual(rsp["EFFECTIVE_URL"], self.base + "/echo?x=1")
        self.assertEqual(rsp["RESOLVED_IP"], "127.0.0.1")
        self.assertEqual(rsp["HTTP_HEADER"]["x-recorder"], "yes")
        self.assertEqual(rsp["CONTENT_LEN"], len(rsp["CONTENT"]))
        self.assertEqual(rsp["BYTES_DOWNLOAD"], len(rsp["CONTENT"]))
        self.assertGreater(rsp["HTTP_STATS"]["TOTAL_TIME"], 0)
        self.assertNotIn("ERROR", rsp)
        seen = json.loads(rsp["CONTENT"])
        self.assertEqual(seen["method"], "GET")
        self.assertEqual(seen["path"], "/echo?x=1")
        self.assertTrue(seen["headers"]["User-Agent"].startswith("flowlens/"))
        self.assertEqual(seen["headers"]["Authorization"],
                         "Basic " + base64.b64encode(b"alice:").decode())

    def test_get_of_flowlens_own_api_with_basic_auth(self):
        url = f"http://127.0.0.1:{self.d.port}/lua/rest/v2/get/ntopng/interfaces.lua"
        out = self.run_case("get", url=url, user="admin", **{"pass": ADMIN_PASSWORD})
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 200)
        self.assertEqual(json.loads(out["rsp"]["CONTENT"])["rc_str"], "OK")
        out = self.run_case("get", url=url, user="admin", **{"pass": "wrong-password"})
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 401)

    def test_token_get_is_accepted_by_flowlens(self):
        url = f"http://127.0.0.1:{self.d.port}/lua/rest/v2/get/ntopng/interfaces.lua"
        out = self.run_case("token_get", url=url)
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 200, out)
        self.assertEqual(json.loads(out["rsp"]["CONTENT"])["rc_str"], "OK")

    def test_content_dropped_and_redirects(self):
        out = self.run_case("get_nocontent", url=self.base + "/echo")
        self.assertNotIn("CONTENT", out["rsp"])
        self.assertGreater(out["rsp"]["BYTES_DOWNLOAD"], 0)
        out = self.run_case("get", url=self.base + "/redirect")
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 200)
        self.assertEqual(out["rsp"]["EFFECTIVE_URL"], self.base + "/echo")
        out = self.run_case("get_noredirect", url=self.base + "/redirect")
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 302)
        self.assertEqual(out["rsp"]["HTTP_HEADER"]["location"], "/echo")

    def test_timeout_answers_error_and_partial(self):
        out = self.run_case("timeout", url=self.base + "/slow")
        self.assertTrue(out["rsp"]["IS_PARTIAL"])
        self.assertIn("ERROR", out["rsp"])
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 0)
        self.assertLess(out["took"], 3000)

    def test_post_options_table_and_positions(self):
        out = self.run_case("post_table", url=self.base + "/echo")
        seen = json.loads(out["rsp"]["CONTENT"])
        self.assertEqual(seen["method"], "POST")
        self.assertEqual(seen["body"], '{"k":1}')
        self.assertEqual(seen["headers"]["Content-Type"], "application/json")
        self.assertEqual(seen["headers"]["Authorization"], "Bearer b1")
        self.assertEqual(seen["headers"]["X-API-Key"], "k1")
        self.assertEqual(seen["headers"]["X-Extra"], "e")

        out = self.run_case("post_positional", url=self.base + "/echo")
        seen = json.loads(out["rsp"]["CONTENT"])
        self.assertEqual(seen["body"], "a=1")
        self.assertEqual(seen["headers"]["Content-Type"], "application/x-www-form-urlencoded")
        self.assertEqual(seen["headers"]["Authorization"],
                         "Basic " + base64.b64encode(b"u:p").decode())

        out = self.run_case("post_default", url=self.base + "/echo")
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 200)
        self.assertNotIn("CONTENT", out["rsp"])  # ntopng's default for a POST
        self.assertEqual(Recorder.seen[0]["body"], "a=1")

    def test_token_bodies(self):
        self.run_case("token_body", url=self.base + "/echo")
        got = [(r["method"], r["headers"]["Authorization"], r["body"],
                r["headers"].get("Content-Type")) for r in Recorder.seen]
        self.assertEqual(got, [
            ("POST", "Bearer t1", '{"p":1}', "application/vnd.x+json"),
            ("PUT", "Bearer t2", "put-body", "application/x-www-form-urlencoded"),
            ("PATCH", "Bearer t3", "patch-body", "application/x-www-form-urlencoded"),
        ])

    def test_post_json_data(self):
        out = self.run_case("json", url=self.base + "/echo")
        self.assertIs(out["ok"], True)
        self.assertIs(out["missing"], False)  # a 404 is not a success
        self.assertIs(out["ntopng_order"], True)
        first, _, third = Recorder.seen
        self.assertEqual(first["headers"]["Content-Type"], "application/json")
        self.assertEqual(first["body"], '{"a":2}')
        self.assertEqual(third["body"], '{"b":3}')
        self.assertEqual(third["headers"]["Authorization"],
                         "Basic " + base64.b64encode(b"u:p").decode())

    def test_post_text_file(self):
        out = self.run_case("textfile", url=self.base + "/echo")
        self.assertIs(out["ok"], True)
        self.assertIs(out["kept"], True)
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 200)  # ntopng's order answers the table
        self.assertIs(out["deleted"], True)                 # delete_after
        self.assertIs(out["unreadable"], False)
        self.assertEqual([r["body"] for r in Recorder.seen], ["line one\nline two\n"] * 2)
        self.assertEqual(Recorder.seen[0]["headers"]["Content-Type"], "text/plain; charset=utf-8")

    def test_fetch_table_and_file(self):
        out = self.run_case("fetch", url=self.base + "/echo")
        seen = json.loads(out["rsp"]["CONTENT"])
        self.assertEqual(seen["method"], "PUT")
        self.assertEqual(seen["body"], "fetched")
        self.assertEqual(seen["headers"]["X-A"], "1")
        self.assertEqual(seen["headers"]["X-B"], "2")
        self.assertEqual(json.loads(out["file"])["method"], "GET")
        self.assertEqual(out["file_rsp"]["RESPONSE_CODE"], 200)
        self.assertNotIn("CONTENT", out["file_rsp"])

    def test_only_http_schemes(self):
        out = self.run_case("scheme")
        self.assertIn("ERROR", out["rsp"])
        self.assertNotIn("CONTENT", out["rsp"])

    def test_redirect_from_a_page(self):
        status, headers, _ = self.d.get("/lua/t/http.lua?case=redirect", ADMIN)
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/lua/t/elsewhere.lua?x=1")

    def test_csrf_value_is_the_sessions(self):
        status, headers, _ = self.d.post_form("/authorize.html",
                                              {"user": "admin", "password": ADMIN_PASSWORD})
        self.assertEqual(status, 302)
        m = re.match(r"\s*(session_\d+_\d+)=([^;]*)", headers["set-cookie"])
        out = self.run_case("csrf", headers={"Cookie": f"{m.group(1)}={m.group(2)}"})
        self.assertRegex(out["csrf"], r"^[0-9a-f]{32,}$")
        self.assertEqual(out["csrf"], out["session_csrf"])

    def test_bad_arguments_are_500_and_server_keeps_serving(self):
        Recorder.seen.clear()
        for case in ("bad_args", "header_injection"):
            status, _, body = self.d.get(f"/lua/t/http.lua?case={case}&url={self.base}", ADMIN)
            self.assertEqual(status, 500, body)
        self.assertEqual(Recorder.seen, [])  # nothing was sent
        out = self.run_case("get", url=self.base + "/echo")
        self.assertEqual(out["rsp"]["RESPONSE_CODE"], 200)


if __name__ == "__main__":
    unittest.main()

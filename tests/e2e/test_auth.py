"""Authentication and authorisation over real HTTP (spec sections 7, 8 and 29): HTTP Basic, API
tokens, login sessions and their cookie, CSRF, TOTP, the failed-login blacklist, the default admin
password, privileges of unprivileged users, paths that try to slip past the checks, escaping,
HTTPS, the access-control list and the privilege drop.

Every test talks to the real daemon with logins enabled (Daemon(auth=True)); most start it with
--admin-password-file so that the administrator's password is known and not the default one."""
import base64
import hashlib
import hmac
import http.client
import json
import os
import pwd
import re
import secrets
import socket
import ssl
import stat
import struct
import tempfile
import time
import unittest
import urllib.parse

from flowlens_harness import Daemon, free_port, raw_exchange

ADMIN_PASSWORD = "e2e-Admin-pw-7"
USERS_PATH = "/lua/rest/v2/get/ntopng/users.lua"
ADD_USER = "/lua/rest/v2/add/ntopng/user.lua"
EDIT_USER = "/lua/rest/v2/edit/ntopng/user.lua"
DELETE_USER = "/lua/rest/v2/delete/ntopng/user.lua"
NEW_TOKEN = "/lua/rest/v2/create/ntopng/api_token.lua"
NEW_SESSION = "/lua/rest/v2/create/ntopng/session.lua"
XSS = "<script>alert(1)</script>"

SCRIPTS = {
    "t/ping.lua": """
local json = require("dkjson")
ntop.pingHost("127.0.0.1", false)
local rtt
for _ = 1, 60 do
   rtt = ntop.collectPingResults()["127.0.0.1"]
   if rtt then break end
   ntop.msleep(50)
end
print(json.encode({available = ntop.isPingAvailable(), rtt = rtt}))
""",
    # Who the daemon thinks is asking.
    "t/whoami.lua": """
local json = require("dkjson")
sendHTTPHeader("application/json")
print(json.encode({ user = _SESSION["user"], group = _SESSION["group"], csrf = _SESSION["csrf"],
                    session = _SESSION["session"], admin = isAdministrator() }))
""",
    # The same as a REST endpoint: refusals are 401 envelopes instead of redirects.
    "rest/v2/get/e2e/whoami.lua": """
local rest_utils = require("rest_utils")
rest_utils.answer(rest_utils.consts.success.ok,
                  { user = _SESSION["user"], group = _SESSION["group"] })
""",
    # What the caller may see of the interfaces.
    "t/ifaces.lua": """
local json = require("dkjson")
local names = {}
for _, name in pairs(interface.getIfNames()) do names[#names + 1] = name end
table.sort(names)
local sel = interface.select("lo")
sendHTTPHeader("application/json")
print(json.encode({ names = names, n = #names, select_lo = (sel == true),
                    select_nil = (sel == nil), allowed_lo = ntop.isAllowedInterface("lo") }))
""",
    "t/allowed_net.lua": 'print(tostring(ntop.isAllowedNetwork(_GET["net"])))',
    "t/blacklisted.lua": 'print(tostring(ntop.isLoginBlacklisted(_GET["user"])))',
    "t/gui_restricted.lua": "print(tostring(ntop.isGuiAccessRestricted()))",
    # The stored password record of a user, as the key-value store holds it.
    "t/stored_hash.lua":
        'print(tostring(ntop.getCache("ntopng.user." .. _GET["user"] .. ".password")))',
    "t/purify.lua": 'flowlens.setContentType("text/plain")\nprint(ntop.httpPurifyParam(_GET["p"]))',
    # Turns TOTP on for a user (administrators, or the user itself).
    "t/totp_setup.lua": """
local json = require("dkjson")
local user = _GET["user"]
local secret = ntop.generateTOTPSecret()
local set = ntop.setUserTOTPSecret(user, secret)
local enabled = ntop.setUserTOTPEnabled(user, true)
sendHTTPHeader("application/json")
print(json.encode({ secret = secret, set = set, enabled = enabled,
                    is_enabled = ntop.isTOTPEnabled(user),
                    uri = ntop.getTOTPProvisioningUri(user) }))
""",
    # What an unprivileged caller gets when it reaches for the administrator's powers.
    "t/escalate.lua": """
local json = require("dkjson")
local function show(v) if v == nil then return "nil" end return tostring(v) end
local r = {}
r.getUsers = show(ntop.getUsers())
r.getUserTOTPSecret = show(ntop.getUserTOTPSecret("admin"))
r.setUserTOTPSecret = show(ntop.setUserTOTPSecret("admin", ntop.generateTOTPSecret()))
r.resetUserPassword = show(ntop.resetUserPassword("admin", "admin", "", "pwned-pw-1"))
r.createUserAPIToken = show(ntop.createUserAPIToken("admin"))
r.getUserAPIToken = show(ntop.getUserAPIToken("admin"))
r.createUserSession = show(ntop.createUserSession("admin"))
r.addUser = show(ntop.addUser("intruder", "x", "intruder-pw-1", "administrator", "", ""))
r.changeUserRole = show(ntop.changeUserRole(_SESSION["user"], "administrator"))
r.deleteUser = show(ntop.deleteUser("admin"))
r.gainWriteCapabilities = show(ntop.gainWriteCapabilities())
sendHTTPHeader("application/json")
print(json.encode(r))
""",
    "t/caps.lua": """
local json = require("dkjson")
local gained = ntop.gainWriteCapabilities()
local dropped = ntop.dropWriteCapabilities()
sendHTTPHeader("application/json")
print(json.encode({ gained = gained, dropped = dropped }))
""",
    "t/store_rw.lua": """
ntop.setCache("e2e.auth.store_rw", _GET["v"])
print(tostring(ntop.getCache("e2e.auth.store_rw")))
""",
}


# -- helpers -------------------------------------------------------------------------------------

def basic(user, password):
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def token_header(token):
    return {"Authorization": "Token " + token}


def totp_code(secret_b32, t, step=30, digits=6):
    """RFC 6238 (HMAC-SHA1) computed independently of the daemon's liboath."""
    s = secret_b32.upper().replace(" ", "").rstrip("=")
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % (10 ** digits)
    return f"{code:0{digits}d}"


def cookie_from(headers):
    """(name, value) of the session cookie a response sets, or None."""
    sc = headers.get("set-cookie")
    if not sc:
        return None
    m = re.match(r"\s*(session_\d+_\d+)=([^;]*)", sc)
    return (m.group(1), m.group(2)) if m else None


def raw_request(port, request_bytes, timeout=10):
    """Sends bytes as they are (nothing normalises the path or the headers) and returns
    (status or None, head text, body bytes)."""
    data = raw_exchange(port, request_bytes, timeout)
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(m.group(1)) if m else None), head.decode("latin-1"), body


def raw_get(port, target, headers=()):
    lines = [f"GET {target} HTTP/1.1".encode("latin-1"), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [h if isinstance(h, bytes) else h.encode("latin-1") for h in headers]
    return raw_request(port, b"\r\n".join(lines) + b"\r\n\r\n")


def write_password_file(password):
    fd, path = tempfile.mkstemp(prefix="flowlens-e2e-pw-")
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return path


def start_daemon(admin_password=ADMIN_PASSWORD, extra_args=(), **kw):
    """A daemon with real logins; the admin password from a file unless admin_password is None.
    Returns (daemon, password file or None); stop_daemon() cleans up both."""
    args = list(extra_args)
    pw_file = None
    if admin_password is not None:
        pw_file = write_password_file(admin_password)
        args += ["--admin-password-file", pw_file]
    d = Daemon(extra_args=args, scripts=dict(SCRIPTS), auth=True, **kw)
    try:
        d.start()
    except Exception:
        if pw_file:
            os.unlink(pw_file)
        raise
    return d, pw_file


def stop_daemon(d, pw_file):
    d.stop()
    if pw_file and os.path.exists(pw_file):
        os.unlink(pw_file)


class AuthClient:
    """Requests against one daemon with a given identity."""

    def __init__(self, d):
        self.d = d

    def admin(self):
        return basic("admin", ADMIN_PASSWORD)

    def add_user(self, name, password, role="unprivileged", **fields):
        body = {"username": name, "full_name": fields.pop("full_name", name), "password": password,
                "user_role": role}
        body.update(fields)
        return self.d.post_json(ADD_USER, body, self.admin())

    def users(self, headers):
        status, _, body = self.d.get(USERS_PATH, headers)
        return status, body

    def login(self, user, password, totp=None, referer=None):
        fields = {"user": user, "password": password}
        if totp is not None:
            fields["totp"] = totp
        if referer is not None:
            fields["referer"] = referer
        status, headers, _ = self.d.post_form("/authorize.html", fields)
        return status, headers

    def session(self, user, password, totp=None):
        """Logs in through the form; returns {"Cookie": ...} or fails the test."""
        status, headers = self.login(user, password, totp)
        c = cookie_from(headers)
        if status != 302 or c is None or not c[1]:
            raise AssertionError(f"login of {user} failed: {status} {headers}")
        return {"Cookie": f"{c[0]}={c[1]}"}

    def rest_whoami(self, headers):
        """(HTTP status, user) of the REST probe: 401 when the credentials are refused."""
        status, _, body = self.d.get("/lua/rest/v2/get/e2e/whoami.lua", headers)
        rsp = json.loads(body) if body.startswith(b"{") else {}
        return status, (rsp.get("rsp") or {}).get("user")

    def whoami(self, headers):
        status, _, body = self.d.get("/lua/t/whoami.lua", headers)
        return status, (json.loads(body) if status == 200 else None)


def listed_users(body):
    try:
        return json.loads(body).get("rsp") or {}
    except (ValueError, AttributeError):
        return {}


def is_users_list(status, body):
    """Whether an answer carries the users list (what a bypass would leak)."""
    return status == 200 or b'"full_name"' in body or b'"group"' in body


# -- one daemon for most tests -------------------------------------------------------------------

class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d, cls.pw_file = start_daemon()
        cls.c = AuthClient(cls.d)
        for name, pw, role, extra in [
            ("analyst", "analyst-pw-1", "unprivileged", {"allowed_networks": "192.168.1.0/24"}),
            ("ifuser", "ifuser-pw-1", "unprivileged", {"allowed_interface": "nonexistent"}),
            ("louser", "louser-pw-1", "unprivileged", {"allowed_interface": "lo"}),
            ("xss", "xss-pw-1", "unprivileged", {"full_name": XSS}),
        ]:
            status, _, body = cls.c.add_user(name, pw, role, **extra)
            if status != 200:
                stop_daemon(cls.d, cls.pw_file)
                raise AssertionError(f"cannot create {name}: {status} {body!r}")

    @classmethod
    def tearDownClass(cls):
        stop_daemon(cls.d, cls.pw_file)

    # -- who are you -----------------------------------------------------------------------------
    def test_no_credentials_rest_gets_401_envelope(self):
        status, headers, body = self.d.get(USERS_PATH)
        self.assertEqual(status, 401)
        self.assertTrue(headers["content-type"].startswith("application/json"))
        env = json.loads(body)
        self.assertEqual(env["rc"], -3)
        self.assertEqual(env["rc_str"], "NOT_GRANTED")
        self.assertEqual(env["rsp"], {})
        # The same for a POST to an admin endpoint: nothing is created.
        status, _, body = self.d.post_json(ADD_USER, {"username": "anon1", "password": "anon-pw-1"})
        self.assertEqual(status, 401)
        self.assertNotIn("anon1", listed_users(self.c.users(self.c.admin())[1]))

    def test_no_credentials_page_redirects_to_login_with_referer(self):
        status, headers, _ = self.d.get("/lua/index.lua?a=1&b=x%20y")
        self.assertEqual(status, 302)
        loc = urllib.parse.urlsplit(headers["location"])
        self.assertEqual(loc.path, "/lua/login.lua")
        referer = urllib.parse.parse_qs(loc.query)["referer"][0]
        self.assertEqual(referer, "/lua/index.lua?a=1&b=x%20y")
        self.assertNotIn("set-cookie", headers)
        # A query that carries CR/LF cannot split the redirect's header.
        status, head, _ = raw_get(self.d.port, "/lua/index.lua?x=%0d%0aSet-Cookie:%20evil=1")
        self.assertEqual(status, 302)
        self.assertNotIn("evil=1\r\n", head)
        self.assertNotRegex(head.lower(), r"\r\nset-cookie:")
        # The login page and static files are public.
        status, _, body = self.d.get("/lua/login.lua")
        self.assertEqual(status, 200)
        self.assertIn(b'action="/authorize.html"', body)
        self.assertEqual(self.d.get("/css/flowlens.css")[0], 200)

    def test_wrong_password_is_refused(self):
        for headers in (basic("admin", "not-the-password"), basic("admin", ""),
                        basic("nosuchuser", "whatever-1"), basic("admin", ADMIN_PASSWORD + "x")):
            status, body = self.c.users(headers)
            self.assertEqual(status, 401, headers)
            self.assertEqual(json.loads(body)["rc_str"], "NOT_GRANTED")
        status, headers = self.c.login("admin", "not-the-password")
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/lua/login.lua?failed=1")
        self.assertIsNone(cookie_from(headers))
        # A right login clears the admin's failure count: later tests are not blacklisted.
        self.c.session("admin", ADMIN_PASSWORD)

    def test_malformed_authorization_is_400(self):
        no_colon = "Basic " + base64.b64encode(b"nocolon").decode()
        for value in ("Basic", "Basic !!!notbase64", no_colon, "Bearer",
                      "Digest username=admin"):
            status, _, _ = self.d.get(USERS_PATH, {"Authorization": value})
            self.assertEqual(status, 400, value)

    def test_basic_ok(self):
        status, body = self.c.users(self.c.admin())
        self.assertEqual(status, 200)
        users = listed_users(body)
        self.assertEqual(users["admin"]["group"], "administrator")
        self.assertEqual(users["analyst"]["group"], "unprivileged")
        # No password (nor hash) in the answer.
        self.assertNotIn(b"password", body.lower())
        self.assertNotIn(b"$argon2", body)

    def test_password_is_stored_as_argon2id(self):
        for user, password in (("admin", ADMIN_PASSWORD), ("analyst", "analyst-pw-1")):
            status, _, body = self.d.get("/lua/t/stored_hash.lua?user=" + user, self.c.admin())
            self.assertEqual(status, 200, body)
            stored = body.decode().strip()
            self.assertRegex(stored, r"^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+"
                                     r"\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$")
            self.assertNotIn(password, stored)
            self.assertNotEqual(stored, hashlib.md5(password.encode()).hexdigest())

    def test_token_ok_and_revoked_token_refused(self):
        status, _, body = self.d.post_json(NEW_TOKEN, {}, self.c.admin())
        self.assertEqual(status, 200, body)
        first = json.loads(body)["rsp"]["api_token"]
        self.assertRegex(first, r"^[0-9a-f]{32}$")
        status, body = self.c.users(token_header(first))
        self.assertEqual(status, 200)
        self.assertIn("admin", listed_users(body))
        self.assertEqual(self.c.whoami(token_header(first))[1]["user"], "admin")

        status, _, body = self.d.post_json(NEW_TOKEN, {}, token_header(first))
        self.assertEqual(status, 200)
        second = json.loads(body)["rsp"]["api_token"]
        self.assertNotEqual(first, second)
        status, body = self.c.users(token_header(first))
        self.assertEqual(status, 401, "a replaced token must be revoked")
        self.assertEqual(json.loads(body)["rc"], -3)
        self.assertEqual(self.c.users(token_header(second))[0], 200)
        # Forged tokens.
        for forged in ("0" * 32, secrets.token_hex(16), second[:-1], second + "0", second.upper()):
            self.assertNotEqual(self.c.users(token_header(forged))[0], 200, forged)

    def test_token_of_deleted_user_refused(self):
        self.assertEqual(self.c.add_user("tokdel", "tokdel-pw-1")[0], 200)
        status, _, body = self.d.post_json(NEW_TOKEN, {}, basic("tokdel", "tokdel-pw-1"))
        self.assertEqual(status, 200, body)
        token = json.loads(body)["rsp"]["api_token"]
        self.assertEqual(self.c.whoami(token_header(token))[1]["user"], "tokdel")
        status, _, _ = self.d.post_json(DELETE_USER, {"username": "tokdel"}, self.c.admin())
        self.assertEqual(status, 200)
        self.assertEqual(self.c.whoami(token_header(token))[0], 302)
        self.assertEqual(self.c.rest_whoami(token_header(token))[0], 401)

    # -- sessions --------------------------------------------------------------------------------
    def test_login_sets_hardened_cookie_and_session_works(self):
        status, headers = self.c.login("analyst", "analyst-pw-1", referer="/lua/t/whoami.lua?x=1")
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/lua/t/whoami.lua?x=1")
        sc = headers["set-cookie"]
        name, value = cookie_from(headers)
        self.assertRegex(name, r"^session_\d+_\d+$")
        self.assertTrue(name.startswith(f"session_{self.d.port}_"), name)
        self.assertRegex(value, r"^[0-9a-f]{64}$")
        self.assertIn("HttpOnly", sc)
        self.assertIn("SameSite=Strict", sc)
        self.assertNotIn("Secure", sc)  # plain HTTP
        status, who = self.c.whoami({"Cookie": f"{name}={value}"})
        self.assertEqual(status, 200)
        self.assertEqual(who["user"], "analyst")
        self.assertEqual(who["group"], "unprivileged")
        self.assertEqual(who["session"], value)
        self.assertRegex(who["csrf"], r"^[0-9a-f]{32}$")

    def test_logout_destroys_session(self):
        cookie = self.c.session("analyst", "analyst-pw-1")
        self.assertEqual(self.c.whoami(cookie)[0], 200)
        status, headers, _ = self.d.get("/lua/logout.lua", cookie)
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/lua/login.lua")
        cleared = headers["set-cookie"]
        self.assertRegex(cleared, r"^session_\d+_\d+=;")
        self.assertIn("Max-Age=0", cleared)
        # The old cookie, replayed, no longer works.
        status, headers, _ = self.d.get("/lua/t/whoami.lua", cookie)
        self.assertEqual(status, 302)
        self.assertTrue(headers["location"].startswith("/lua/login.lua"))
        status, _, body = self.d.get("/lua/rest/v2/get/ntopng/interfaces.lua", cookie)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["rc_str"], "NOT_GRANTED")

    def test_session_expires_after_its_duration(self):
        status, _, body = self.d.post_json(NEW_SESSION, {"duration": 2},
                                           basic("analyst", "analyst-pw-1"))
        self.assertEqual(status, 200, body)
        sid = json.loads(body)["rsp"]["session"]
        self.assertRegex(sid, r"^[0-9a-f]{64}$")
        _, headers = self.c.login("analyst", "analyst-pw-1")
        name = cookie_from(headers)[0]
        time.sleep(3.5)
        self.assertEqual(self.c.whoami({"Cookie": f"{name}={sid}"})[0], 302)

    def test_used_session_keeps_its_own_duration(self):
        """A session asked for with a short duration must not live longer because it was used:
        its use extends it by at most its own duration, not by --session-duration."""
        status, _, body = self.d.post_json(NEW_SESSION, {"duration": 2},
                                           basic("analyst", "analyst-pw-1"))
        self.assertEqual(status, 200, body)
        sid = json.loads(body)["rsp"]["session"]
        _, headers = self.c.login("analyst", "analyst-pw-1")
        cookie = {"Cookie": f"{cookie_from(headers)[0]}={sid}"}
        self.assertEqual(self.c.whoami(cookie)[0], 200)
        # Not used again: it must be gone once its 2 s are over (bounded wait).
        deadline = time.time() + 10
        time.sleep(3)
        status = self.c.whoami(cookie)[0]
        while status == 200 and time.time() < deadline:
            time.sleep(1)
            status = self.c.whoami(cookie)[0]
        self.assertEqual(status, 302, "a 2 s session, used once, still worked 10 s later")

    def test_forged_session_ids_refused(self):
        _, headers = self.c.login("analyst", "analyst-pw-1")
        name, real = cookie_from(headers)
        forged = [
            "", real[:-1], real + "0", real + "00", "0" * 64, secrets.token_hex(32),
            "g" * 64, "z" + real[1:], real.upper(), real[:32], "*", "sessions." + real,
            " " + real, '"' + real + '"', "%30" * 64, "../" + real, real[:63] + "\x00",
        ]
        for f in forged:
            status, _, body = raw_get(self.d.port, "/lua/rest/v2/get/ntopng/interfaces.lua",
                                      [f"Cookie: {name}={f}".encode("latin-1")])
            self.assertIn(status, (400, 401), repr(f))
        # The real id under another cookie name (another port's session) is not accepted either.
        status, _, _ = self.d.get("/lua/rest/v2/get/ntopng/interfaces.lua",
                                  {"Cookie": f"session_1_0={real}"})
        self.assertEqual(status, 401)
        self.assertEqual(self.c.whoami({"Cookie": f"{name}={real}"})[0], 200)

    def test_user_names_that_could_forge_a_session_value_are_refused(self):
        bad = ["evil|administrator", "a|administrator|" + "0" * 32 + "|1", "a.b", "a*", "*",
               "a b", "", " ", "a\nb", "a/b", "../admin", "ad:min", "x" * 65, "nologin",
               "<script>"]
        for name in bad:
            status, _, body = self.c.add_user(name, "some-pw-123")
            self.assertIn(status, (400, 409), f"{name!r}: {status} {body!r}")
            self.assertNotEqual(json.loads(body)["rc"], 0, name)
        users = listed_users(self.c.users(self.c.admin())[1])
        for name in bad:
            self.assertNotIn(name, users)
        for u in users:
            self.assertRegex(u, r"^[A-Za-z0-9_@-]{1,64}$")
        # Such a name cannot log in, nor become part of a session.
        status, headers = self.c.login("evil|administrator", "some-pw-123")
        self.assertEqual(headers["location"], "/lua/login.lua?failed=1")
        self.assertIsNone(cookie_from(headers))
        self.assertNotEqual(self.c.users(basic("evil|administrator", "some-pw-123"))[0], 200)

    def test_duplicate_user_is_409(self):
        status, _, body = self.c.add_user("analyst", "other-pw-123", "administrator")
        self.assertEqual(status, 409)
        self.assertEqual(json.loads(body)["rc_str"], "USER_ALREADY_EXISTING")
        # The existing user is unchanged: still unprivileged, old password.
        self.assertEqual(self.c.whoami(basic("analyst", "analyst-pw-1"))[1]["group"],
                         "unprivileged")
        self.assertEqual(self.c.rest_whoami(basic("analyst", "other-pw-123"))[0], 401)

    def test_password_change_revokes_old_basic_credentials(self):
        """After a password change, the old password must stop working at once, also for Basic
        (whose verified credentials are cached for speed)."""
        self.assertEqual(self.c.add_user("pwchange", "pwchange-old-1")[0], 200)
        old = basic("pwchange", "pwchange-old-1")
        self.assertEqual(self.c.whoami(old)[0], 200)  # verified: now cached
        status, _, body = self.d.post_json(
            EDIT_USER, {"username": "pwchange", "password": "pwchange-new-1",
                        "old_password": "pwchange-old-1"}, old)
        self.assertEqual(status, 200, body)
        self.assertEqual(self.c.whoami(basic("pwchange", "pwchange-new-1"))[0], 200)
        self.assertEqual(self.c.rest_whoami(old)[0], 401, "the old password still authenticates")

    def test_deleted_user_loses_basic_and_session_at_once(self):
        self.assertEqual(self.c.add_user("gone", "gone-pw-1")[0], 200)
        creds = basic("gone", "gone-pw-1")
        self.assertEqual(self.c.whoami(creds)[0], 200)
        cookie = self.c.session("gone", "gone-pw-1")
        status, _, _ = self.d.post_json(DELETE_USER, {"username": "gone"}, self.c.admin())
        self.assertEqual(status, 200)
        self.assertEqual(self.c.whoami(creds)[0], 302)
        self.assertEqual(self.c.whoami(cookie)[0], 302)
        self.assertEqual(self.c.rest_whoami(creds)[0], 401)
        self.assertEqual(self.c.rest_whoami(cookie)[0], 401)

    # -- privileges ------------------------------------------------------------------------------
    def test_unprivileged_user_not_granted_on_admin_endpoints(self):
        creds = basic("analyst", "analyst-pw-1")
        status, body = self.c.users(creds)
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["rc_str"], "NOT_GRANTED")
        attempts = [
            (ADD_USER, {"username": "sneaky", "password": "sneaky-pw-1",
                        "user_role": "administrator"}),
            (DELETE_USER, {"username": "louser"}),
            (EDIT_USER, {"username": "analyst", "user_role": "administrator"}),
            (EDIT_USER, {"username": "louser", "password": "hijack-pw-1"}),
            (EDIT_USER, {"username": "analyst", "allowed_networks": ""}),
            (NEW_TOKEN, {"username": "admin"}),
            (NEW_SESSION, {"username": "admin"}),
        ]
        for path, body in attempts:
            status, _, answer = self.d.post_json(path, body, creds)
            self.assertEqual(status, 401, f"{path} {body}: {answer!r}")
            self.assertEqual(json.loads(answer)["rc"], -3)
        users = listed_users(self.c.users(self.c.admin())[1])
        self.assertNotIn("sneaky", users)
        self.assertIn("louser", users)
        self.assertEqual(users["analyst"]["group"], "unprivileged")
        self.assertEqual(users["analyst"]["allowed_nets"], "192.168.1.0/24")
        self.assertEqual(self.c.whoami(basic("louser", "louser-pw-1"))[0], 200)
        self.assertEqual(self.c.rest_whoami(basic("louser", "hijack-pw-1"))[0], 401)

    def test_unprivileged_user_cannot_escalate_through_lua(self):
        status, _, body = self.d.get("/lua/t/escalate.lua", basic("louser", "louser-pw-1"))
        self.assertEqual(status, 200, body)
        r = json.loads(body)
        for fn in ("getUsers", "getUserTOTPSecret", "createUserAPIToken", "getUserAPIToken",
                   "createUserSession", "gainWriteCapabilities"):
            self.assertIn(r[fn], ("nil", "false"), fn)  # no table, no token, no session id
        for fn in ("setUserTOTPSecret", "resetUserPassword", "addUser", "changeUserRole",
                   "deleteUser"):
            self.assertEqual(r[fn], "false", fn)
        users = listed_users(self.c.users(self.c.admin())[1])
        self.assertNotIn("intruder", users)
        self.assertEqual(users["louser"]["group"], "unprivileged")
        self.assertFalse(users["admin"]["totp_enabled"])
        self.assertEqual(self.c.whoami(self.c.admin())[0], 200)  # admin password unchanged

    def test_unprivileged_user_restricted_to_an_interface(self):
        status, _, body = self.d.get("/lua/t/ifaces.lua", basic("ifuser", "ifuser-pw-1"))
        self.assertEqual(status, 200, body)
        r = json.loads(body)
        self.assertEqual(r["n"], 0, r)
        self.assertTrue(r["select_nil"], r)
        self.assertFalse(r["allowed_lo"])
        # The administrator, and a user allowed on lo, see lo.
        for creds in (self.c.admin(), basic("louser", "louser-pw-1")):
            r = json.loads(self.d.get("/lua/t/ifaces.lua", creds)[2])
            self.assertEqual(r["names"], ["lo"])
            self.assertTrue(r["select_lo"])
            self.assertTrue(r["allowed_lo"])
        # The landing page lists no interface for the restricted user.
        cookie = self.c.session("ifuser", "ifuser-pw-1")
        lo = b"&quot;name&quot;:&quot;lo&quot;"  # in the page's configuration (HTML-escaped JSON)
        status, _, page = self.d.get("/lua/index.lua", cookie)
        self.assertEqual(status, 200)
        self.assertNotIn(lo, page)
        status, _, page = self.d.get("/lua/index.lua", self.c.admin())
        self.assertIn(lo, page)

    def test_allowed_networks(self):
        def allowed(creds, net):
            status, _, body = self.d.get("/lua/t/allowed_net.lua?net=" + urllib.parse.quote(net),
                                         creds)
            self.assertEqual(status, 200, body)
            return body.strip()
        analyst = basic("analyst", "analyst-pw-1")
        self.assertEqual(allowed(analyst, "192.168.1.0/25"), b"true")
        self.assertEqual(allowed(analyst, "192.168.1.7/32"), b"true")
        self.assertEqual(allowed(analyst, "192.168.0.0/16"), b"false")
        self.assertEqual(allowed(analyst, "10.0.0.0/8"), b"false")
        self.assertEqual(allowed(self.c.admin(), "10.0.0.0/8"), b"true")

    # -- CSRF ------------------------------------------------------------------------------------
    def _session_with_csrf(self):
        cookie = self.c.session("admin", ADMIN_PASSWORD)
        status, who = self.c.whoami(cookie)
        self.assertEqual(status, 200)
        return cookie, who["csrf"]

    def test_csrf_on_session_posts(self):
        cookie, csrf = self._session_with_csrf()
        _, other_csrf = self._session_with_csrf()
        self.assertNotEqual(csrf, other_csrf)

        def add(name, body_extra=None, headers=None, form=False):
            body = {"username": name, "password": name + "-pw-1"}
            body.update(body_extra or {})
            h = dict(cookie)
            h.update(headers or {})
            if form:
                return self.d.post_form(ADD_USER, body, h)
            return self.d.post_json(ADD_USER, body, h)

        refused = [
            ("csrfnone", {}, None),
            ("csrfwrong", {"csrf": "0" * 32}, None),
            ("csrfother", {"csrf": other_csrf}, None),
            ("csrfshort", {"csrf": csrf[:-1]}, None),
            ("csrfempty", {"csrf": ""}, None),
            ("csrfhdrwrong", {}, {"X-CSRF-Token": "f" * 32}),
        ]
        for name, extra, headers in refused:
            status, _, body = add(name, extra, headers)
            self.assertEqual(status, 403, f"{name}: {body!r}")
            self.assertEqual(json.loads(body)["rc_str"], "NOT_GRANTED")
        status, _, _ = add("csrfformbad", {"csrf": "1" * 32}, form=True)
        self.assertEqual(status, 403)
        # A DELETE / PUT by session without the token is refused too.
        for method in ("PUT", "DELETE", "PATCH"):
            status, _, _ = self.d.request(method, DELETE_USER, json.dumps({"username": "louser"}),
                                          dict(cookie, **{"Content-Type": "application/json"}))
            self.assertEqual(status, 403, method)

        accepted = [
            ("csrfjson", {"csrf": csrf}, None, False),
            ("csrfheader", {}, {"X-CSRF-Token": csrf}, False),
            ("csrfform", {"csrf": csrf}, None, True),
        ]
        for name, extra, headers, form in accepted:
            status, _, body = add(name, extra, headers, form)
            self.assertEqual(status, 200, f"{name}: {body!r}")
        users = listed_users(self.c.users(self.c.admin())[1])
        for name, *_ in refused:
            self.assertNotIn(name, users)
        self.assertNotIn("csrfformbad", users)
        self.assertIn("louser", users)
        for name, *_ in accepted:
            self.assertIn(name, users)

    def test_basic_and_token_posts_need_no_csrf(self):
        status, _, body = self.c.add_user("csrfbasic", "csrfbasic-pw-1")
        self.assertEqual(status, 200, body)
        status, _, body = self.d.post_json(NEW_TOKEN, {"username": "louser"}, self.c.admin())
        token = json.loads(body)["rsp"]["api_token"]
        status, _, body = self.d.post_json(
            EDIT_USER, {"username": "louser", "full_name": "Lo User"}, token_header(token))
        self.assertEqual(status, 200, body)
        self.assertEqual(listed_users(self.c.users(self.c.admin())[1])["louser"]["full_name"],
                         "Lo User")

    # -- TOTP ------------------------------------------------------------------------------------
    def test_totp_right_wrong_and_replayed(self):
        self.assertEqual(self.c.add_user("totpuser", "totpuser-pw-1")[0], 200)
        status, _, body = self.d.get("/lua/t/totp_setup.lua?user=totpuser", self.c.admin())
        self.assertEqual(status, 200, body)
        setup = json.loads(body)
        secret = setup["secret"]
        self.assertTrue(setup["set"] and setup["enabled"] and setup["is_enabled"], setup)
        self.assertRegex(secret, r"^[A-Z2-7]+=*$")
        self.assertTrue(setup["uri"].startswith("otpauth://totp/"), setup["uri"])
        self.assertIn("secret=" + secret, setup["uri"])
        self.assertTrue(listed_users(self.c.users(self.c.admin())[1])["totpuser"]["totp_enabled"])

        def attempt(code):
            status, headers = self.c.login("totpuser", "totpuser-pw-1", totp=code)
            self.assertEqual(status, 302)
            return cookie_from(headers), headers["location"]

        # Password alone, or with a wrong code, is not enough.
        self.assertEqual(attempt(None), (None, "/lua/login.lua?failed=1"))
        self.assertEqual(attempt(""), (None, "/lua/login.lua?failed=1"))
        now = time.time()
        near = {totp_code(secret, now + k * 30) for k in range(-3, 4)}
        wrong = next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in near)
        self.assertEqual(attempt(wrong), (None, "/lua/login.lua?failed=1"))
        self.assertEqual(attempt("abcdef"), (None, "/lua/login.lua?failed=1"))
        # Not too close to the end of a step, so that "the previous step" is well defined below.
        if 30 - time.time() % 30 < 3:
            time.sleep(30 - time.time() % 30 + 0.2)
        now = time.time()
        code = totp_code(secret, now)
        cookie, location = attempt(code)
        self.assertIsNotNone(cookie, "the right code was refused")
        self.assertEqual(location, "/lua/index.lua")
        who = self.c.whoami({"Cookie": f"{cookie[0]}={cookie[1]}"})[1]
        self.assertEqual(who["user"], "totpuser")
        # The same code again (a replay), or the previous step's, is refused.
        self.assertEqual(attempt(code), (None, "/lua/login.lua?failed=1"))
        self.assertEqual(attempt(totp_code(secret, now - 30)), (None, "/lua/login.lua?failed=1"))
        # A correct code with a wrong password is refused too.
        status, headers = self.c.login("totpuser", "wrong-password",
                                       totp=totp_code(secret, now + 30))
        self.assertIsNone(cookie_from(headers))

    # -- blacklist -------------------------------------------------------------------------------
    def test_blacklist_after_five_failures(self):
        self.assertEqual(self.c.add_user("victim", "victim-pw-1")[0], 200)
        self.assertEqual(self.c.add_user("nearly", "nearly-pw-1")[0], 200)

        def blacklisted(name):
            status, _, body = self.d.get("/lua/t/blacklisted.lua?user=" + name, self.c.admin())
            self.assertEqual(status, 200, body)
            return body.strip() == b"true"

        # Four failures are not yet a block.
        for _ in range(4):
            self.assertEqual(self.c.login("nearly", "bad-pw")[1]["location"],
                             "/lua/login.lua?failed=1")
        self.assertFalse(blacklisted("nearly"))
        self.c.session("nearly", "nearly-pw-1")

        for i in range(5):
            status, headers = self.c.login("victim", f"bad-pw-{i}")
            self.assertEqual(headers["location"], "/lua/login.lua?failed=1")
        self.assertTrue(blacklisted("victim"))
        self.assertFalse(blacklisted("admin"))
        # Now even the right password is refused, by form and by Basic.
        status, headers = self.c.login("victim", "victim-pw-1")
        self.assertEqual(status, 302)
        self.assertEqual(headers["location"], "/lua/login.lua?failed=1")
        self.assertIsNone(cookie_from(headers))
        self.assertEqual(self.c.rest_whoami(basic("victim", "victim-pw-1"))[0], 401)
        self.assertTrue(blacklisted("victim"))
        log = self.d.read_log()
        self.assertIn("Login failed for 'victim'", log)
        self.assertIn("'victim' blocked", log)

    def test_blacklist_counts_basic_failures(self):
        self.assertEqual(self.c.add_user("basicvictim", "basicvictim-pw-1")[0], 200)
        for i in range(5):
            self.assertEqual(self.c.rest_whoami(basic("basicvictim", f"nope-{i}"))[0], 401)
        self.assertEqual(self.c.rest_whoami(basic("basicvictim", "basicvictim-pw-1"))[0], 401)
        status, headers = self.c.login("basicvictim", "basicvictim-pw-1")
        self.assertIsNone(cookie_from(headers))

    # -- login redirect --------------------------------------------------------------------------
    def test_login_redirect_stays_on_this_server(self):
        for referer in ("//evil.example/x", "http://evil", "https://evil.example/", "evil.example",
                        "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
                        "/lua/../../evil", "/%2F/evil.example", "javascript:alert(1)",
                        "/lua/index.lua\r\nSet-Cookie: evil=1", " //evil.example"):
            status, headers = self.c.login("analyst", "analyst-pw-1", referer=referer)
            self.assertEqual(status, 302)
            self.assertEqual(headers["location"], "/lua/index.lua", repr(referer))
            self.assertIsNotNone(cookie_from(headers))
        status, headers = self.c.login("analyst", "analyst-pw-1", referer="/lua/t/whoami.lua?a=b")
        self.assertEqual(headers["location"], "/lua/t/whoami.lua?a=b")
        # Only POST logs in.
        status, _, _ = self.d.get("/authorize.html?user=admin&password=" + ADMIN_PASSWORD)
        self.assertEqual(status, 405)

    # -- paths that try to slip past the checks --------------------------------------------------
    def test_bypass_paths_do_not_reach_users_list(self):
        # The check is meaningful: the canonical path gives the list to the administrator.
        status, head, body = raw_get(self.d.port, USERS_PATH,
                                     ["Authorization: " + self.c.admin()["Authorization"]])
        self.assertEqual(status, 200)
        self.assertTrue(is_users_list(status, body))
        targets = [
            USERS_PATH,
            "/lua//rest/v2/get/ntopng/users.lua",
            "//lua/rest/v2/get/ntopng/users.lua",
            "/lua/%2e%2e/lua/rest/v2/get/ntopng/users.lua",
            "/lua/%2E%2E/lua/rest/v2/get/ntopng/users.lua",
            "/lua/rest/v2/../rest/v2/get/ntopng/users.lua",
            "/lua/./rest/v2/get/ntopng/users.lua",
            "/lua/login.lua/../rest/v2/get/ntopng/users.lua",
            "/lua/rest/v2/get/ntopng/users.lua/",
            "/lua/rest/v2/get/ntopng/users.lua.",
            "/lua/rest/v2/get/ntopng/users.lua%00",
            "/lua/rest/v2/get/ntopng/users.lua%00.lua",
            "/lua/%c0%af../rest/v2/get/ntopng/users.lua",
            "/lua/rest%c0%afv2/get/ntopng/users.lua",
            "/lua/rest%2fv2/get/ntopng/users.lua",
            "/lua/rest%5cv2%5cget%5cntopng%5cusers.lua",
            "/lua/rest/v2/get/ntopng/users.lu%61",
            "/lua/rest/v2/get/ntopng/users.lua;login.lua",
            "/lua/rest/v2/get/ntopng/users.lua?/lua/login.lua",
            "/lua/rest/v2/get/ntopng/users.lua#x",
            "/LUA/rest/v2/get/ntopng/users.lua",
            "/Lua/rest/v2/get/ntopng/users.lua",
            "/lua/REST/v2/get/ntopng/users.lua",
            "/lua/rest/v2/get/ntopng/USERS.LUA",
            "/lua/modules/../rest/v2/get/ntopng/users.lua",
            "/lua/rest/v2/get/ntopng/users.lua%20",
            "/authorize.html/../lua/rest/v2/get/ntopng/users.lua",
            "http://127.0.0.1/lua/rest/v2/get/ntopng/users.lua",
        ]
        for target in targets:
            unprivileged = "Authorization: " + basic("analyst", "analyst-pw-1")["Authorization"]
            for headers in ([], [unprivileged]):
                status, head, body = raw_get(self.d.port, target, headers)
                if not target.startswith("http:"):  # absolute-form: civetweb may just close
                    self.assertIsNotNone(status, f"{target}: no HTTP answer")
                self.assertFalse(is_users_list(status or 0, body),
                                 f"{target} {headers}: {status} {body[:200]!r}")
        # None of them broke the server.
        self.assertEqual(self.c.users(self.c.admin())[0], 200)

    def test_duplicate_authorization_headers_refused(self):
        good = "Authorization: " + self.c.admin()["Authorization"]
        bad = "Authorization: " + basic("admin", "wrong-pw")["Authorization"]
        status, _, _ = self.d.post_json(NEW_TOKEN, {"username": "analyst"}, self.c.admin())
        for headers in ([good, bad], [bad, good], [good, good],
                        [good, "authorization: Token " + "0" * 32],
                        [good, "Authorization:"]):
            status, head, body = raw_get(self.d.port, USERS_PATH, headers)
            self.assertEqual(status, 400, f"{headers}: {head}")
            self.assertFalse(is_users_list(status, body))
        # A session cookie does not rescue a request with a bad Authorization header.
        cookie = self.c.session("admin", ADMIN_PASSWORD)
        status, _, body = raw_get(self.d.port, USERS_PATH, [bad, "Cookie: " + cookie["Cookie"]])
        self.assertEqual(status, 401)

    # -- escaping --------------------------------------------------------------------------------
    def test_full_name_with_markup_is_escaped_in_every_page(self):
        users = listed_users(self.c.users(self.c.admin())[1])
        self.assertEqual(users["xss"]["full_name"], XSS)  # stored as given
        status, headers, _ = self.d.get(USERS_PATH, self.c.admin())
        self.assertTrue(headers["content-type"].startswith("application/json"))
        self.assertEqual(headers.get("x-content-type-options"), "nosniff")
        pages = ["/lua/index.lua", "/lua/change_password.lua", "/lua/login.lua",
                 "/lua/login.lua?failed=1"]
        for who in (self.c.session("xss", "xss-pw-1"), self.c.session("admin", ADMIN_PASSWORD),
                    basic("xss", "xss-pw-1")):
            for page in pages:
                status, headers, body = self.d.get(page, who)
                self.assertEqual(status, 200, page)
                self.assertTrue(headers["content-type"].startswith("text/html"), page)
                self.assertNotIn(XSS.encode(), body, page)
                # The only scripts are the UI bundle's, by URL: nothing inline, nothing injected.
                for tag in re.findall(rb"<script[^>]*>", body, re.I):
                    self.assertRegex(tag, rb'^<script type="module" src="/dist/assets/[\w.-]+\.js">$',
                                     page)

    def test_reflected_referer_is_escaped(self):
        payload = '"><script>alert(1)</script><x y=\''
        status, _, body = self.d.get("/lua/login.lua?referer=" + urllib.parse.quote(payload))
        self.assertEqual(status, 200)
        self.assertNotIn(b"<script", body.lower())
        self.assertIn(b"&lt;script&gt;", body)
        m = re.search(rb'name="referer" value="([^"]*)"', body)
        self.assertIsNotNone(m, body)
        self.assertNotIn(b"'", m.group(1))
        self.assertNotIn(b"<", m.group(1))

    def test_http_purify_param_neutralises_markup(self):
        for raw in ('<script>alert("x")</script>', "a'b\"c<d>e", "<img src=x onerror='1'>"):
            status, _, body = self.d.get("/lua/t/purify.lua?p=" + urllib.parse.quote(raw),
                                         self.c.admin())
            self.assertEqual(status, 200, body)
            out = body.decode().rstrip("\n")
            for ch in "<>\"'":
                self.assertNotIn(ch, out, raw)
            self.assertEqual(len(out), len(raw))
        status, _, body = self.d.get("/lua/t/purify.lua?p=" + urllib.parse.quote("a-b_c.d"),
                                     self.c.admin())
        self.assertEqual(body.strip(), b"a-b_c.d")


# -- the default admin password ------------------------------------------------------------------

class DefaultAdminTest(unittest.TestCase):
    def setUp(self):
        self.d, self.pw_file = start_daemon(admin_password=None)
        self.c = AuthClient(self.d)

    def tearDown(self):
        stop_daemon(self.d, self.pw_file)

    def _csrf_from_form(self, cookie):
        status, headers, body = self.d.get("/lua/change_password.lua", cookie)
        self.assertEqual(status, 200, headers)
        m = re.search(rb'name="csrf" value="([0-9a-f]{32})"', body)
        self.assertIsNotNone(m, body)
        return m.group(1).decode()

    def test_default_admin_must_change_password_first(self):
        self.assertIn("Created user 'admin' with password 'admin'", self.d.read_log())
        admin = basic("admin", "admin")
        # REST: 403 with the NOT_GRANTED envelope, by Basic, by token and by session.
        status, body = self.c.users(admin)
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(body)["rc_str"], "NOT_GRANTED")
        self.assertEqual(self.d.post_json(ADD_USER, {"username": "early", "password": "early-pw-1"},
                                          admin)[0], 403)
        self.assertEqual(self.d.post_json(NEW_TOKEN, {}, admin)[0], 403)
        cookie = self.c.session("admin", "admin")
        self.assertEqual(self.c.users(cookie)[0], 403)
        # Pages lead to the form.
        for page in ("/lua/index.lua", "/lua/t/whoami.lua", "/lua/t/escalate.lua"):
            status, headers, _ = self.d.get(page, cookie)
            self.assertEqual(status, 302, page)
            self.assertEqual(headers["location"], "/lua/change_password.lua", page)
        csrf = self._csrf_from_form(cookie)
        form = {"old_password": "admin", "new_password": "Brand-new-pw-9",
                "confirm_password": "Brand-new-pw-9"}
        # Without (or with a wrong) CSRF token the change is refused.
        self.assertEqual(self.d.post_form("/lua/change_password.lua", form, cookie)[0], 403)
        self.assertEqual(self.d.post_form("/lua/change_password.lua", dict(form, csrf="0" * 32),
                                          cookie)[0], 403)
        # The default password again, or a mismatch, is not accepted.
        status, _, body = self.d.post_form("/lua/change_password.lua",
                                           dict(form, new_password="admin",
                                                confirm_password="admin", csrf=csrf), cookie)
        self.assertEqual(status, 200)
        self.assertIn(b'class="error"', body)
        status, _, body = self.d.post_form("/lua/change_password.lua",
                                           dict(form, confirm_password="different-pw", csrf=csrf),
                                           cookie)
        self.assertEqual(status, 200)
        self.assertIn(b'class="error"', body)
        self.assertEqual(self.c.users(admin)[0], 403)
        # The change itself.
        status, headers, _ = self.d.post_form("/lua/change_password.lua", dict(form, csrf=csrf),
                                              cookie)
        self.assertEqual(status, 302)
        # The change ends every session of the user, this one included: log in again.
        self.assertEqual(headers["location"], "/lua/login.lua?changed=1")
        self.assertNotEqual(self.d.get("/lua/index.lua", cookie)[0], 200)
        cookie = self.c.session("admin", "Brand-new-pw-9")
        # Now everything works, with the new password only.
        self.assertEqual(self.d.get("/lua/index.lua", cookie)[0], 200)
        self.assertEqual(self.c.users(cookie)[0], 200)
        self.assertEqual(self.c.users(basic("admin", "Brand-new-pw-9"))[0], 200)
        self.assertEqual(self.d.post_json(ADD_USER, {"username": "later", "password": "later-pw-1"},
                                          basic("admin", "Brand-new-pw-9"))[0], 200)
        self.assertEqual(self.c.rest_whoami(self.c.session("later", "later-pw-1"))[1], "later")
        # admin/admin is dead at once (it was used, and verified, over Basic above).
        self.assertEqual(self.c.users(admin)[0], 401, "admin/admin still works after the change")

    def test_change_password_requires_old_password(self):
        """Whoever holds the admin's session (not its password) must not be able to take the
        account over: change_password.lua asks for the current password and must check it."""
        cookie = self.c.session("admin", "admin")
        csrf = self._csrf_from_form(cookie)
        status, _, body = self.d.post_form(
            "/lua/change_password.lua",
            {"old_password": "not-the-old-one", "new_password": "Taken-over-pw-1",
             "confirm_password": "Taken-over-pw-1", "csrf": csrf}, cookie)
        self.assertEqual(status, 200, "the password was changed without the old one")
        self.assertIn(b"old password is wrong", body)
        self.assertEqual(self.c.users(basic("admin", "Taken-over-pw-1"))[0], 401)


# -- HTTPS -----------------------------------------------------------------------------------------

class HttpsTest(unittest.TestCase):
    def test_https_login_sets_secure_cookie(self):
        https_port = free_port()
        d, pw_file = start_daemon(extra_args=["-W", f"127.0.0.1:{https_port}"])
        try:
            cert = os.path.join(d.data_dir, "ssl", "flowlens-cert.pem")
            self.assertTrue(os.path.isfile(cert), os.listdir(d.data_dir))
            with open(cert) as f:
                pem = f.read()
            self.assertIn("BEGIN CERTIFICATE", pem)
            self.assertIn("PRIVATE KEY", pem)
            self.assertEqual(stat.S_IMODE(os.stat(cert).st_mode) & 0o077, 0,
                             "the private key is readable by others")
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE

            def https(method, path, body=None, headers=None):
                conn = http.client.HTTPSConnection("127.0.0.1", https_port, context=ctx, timeout=30)
                try:
                    conn.request(method, path, body=body, headers=headers or {})
                    r = conn.getresponse()
                    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
                finally:
                    conn.close()

            try:
                status, headers, _ = https(
                    "POST", "/authorize.html",
                    urllib.parse.urlencode({"user": "admin", "password": ADMIN_PASSWORD}),
                    {"Content-Type": "application/x-www-form-urlencoded"})
            except (OSError, http.client.HTTPException) as e:
                time.sleep(0.5)
                self.fail(f"HTTPS request failed: {e!r}; daemon exit status {d.proc.poll()} "
                          "(-11 = SIGSEGV)")
            self.assertEqual(status, 302)
            sc = headers["set-cookie"]
            self.assertIn("Secure", sc)
            self.assertIn("HttpOnly", sc)
            self.assertIn("SameSite=Strict", sc)
            name, value = cookie_from(headers)
            self.assertEqual(name, f"session_{d.port}_{https_port}")
            status, _, body = https("GET", "/lua/t/whoami.lua",
                                    headers={"Cookie": f"{name}={value}"})
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["user"], "admin")
            # Unauthenticated over HTTPS: the same refusal.
            self.assertEqual(https("GET", USERS_PATH)[0], 401)
            # Plain HTTP login on the same daemon: no Secure flag.
            status, headers, _ = d.post_form("/authorize.html",
                                             {"user": "admin", "password": ADMIN_PASSWORD})
            self.assertNotIn("Secure", headers["set-cookie"])
        finally:
            stop_daemon(d, pw_file)


# -- access-control list ---------------------------------------------------------------------------

class AclTest(unittest.TestCase):
    def test_acl_allowing_localhost(self):
        d, pw_file = start_daemon(extra_args=["--http-acl", "-0.0.0.0/0,+127.0.0.1"])
        try:
            status, _, body = d.get("/lua/t/gui_restricted.lua", basic("admin", ADMIN_PASSWORD))
            self.assertEqual(status, 200, body)
            self.assertEqual(body.strip(), b"true")
        finally:
            stop_daemon(d, pw_file)

    def test_acl_denying_localhost(self):
        d, pw_file = start_daemon(extra_args=["--http-acl", "-0.0.0.0/0"])
        try:
            try:
                status, _, body = d.get(USERS_PATH, basic("admin", ADMIN_PASSWORD), timeout=10)
            except (OSError, http.client.HTTPException):
                status, body = None, b""
            self.assertFalse(is_users_list(status or 0, body), status)
            self.assertNotEqual(status, 200)
        finally:
            stop_daemon(d, pw_file)


# -- privilege drop --------------------------------------------------------------------------------

@unittest.skipUnless(os.geteuid() == 0, "the privilege drop needs root")
class PrivilegeDropTest(unittest.TestCase):
    def test_daemon_drops_to_unprivileged_user(self):
        try:
            target = pwd.getpwnam("flowlens")
        except KeyError:
            target = pwd.getpwnam("nobody")
        d = Daemon(scripts=dict(SCRIPTS), drop_privileges=True)
        d.start()
        try:
            deadline = time.time() + 10
            while time.time() < deadline and "Running as user" not in d.read_log():
                time.sleep(0.05)
            self.assertIn(f"Running as user '{target.pw_name}'", d.read_log())
            with open(f"/proc/{d.proc.pid}/status") as f:
                status = f.read()
            uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", status, re.M).groups()
            self.assertEqual(set(uids), {str(target.pw_uid)}, uids)
            self.assertNotEqual(target.pw_uid, 0)
            gids = re.search(r"^Gid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", status, re.M).groups()
            self.assertEqual(set(gids), {str(target.pw_gid)}, gids)
            # Every thread (the HTTP workers too) runs as that user.
            for tid in os.listdir(f"/proc/{d.proc.pid}/task"):
                with open(f"/proc/{d.proc.pid}/task/{tid}/status") as f:
                    t_uids = re.search(r"^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", f.read(),
                                       re.M).groups()
                self.assertEqual(set(t_uids), {str(target.pw_uid)}, (tid, t_uids))
            # It still answers and writes its store.
            value = secrets.token_hex(8)
            st, _, body = d.get("/lua/t/store_rw.lua?v=" + value)
            self.assertEqual(st, 200, body)
            self.assertEqual(body.strip(), value.encode())
            store = os.path.join(d.data_dir, "flowlens-store.sqlite")
            self.assertEqual(os.stat(d.data_dir).st_uid, target.pw_uid)
            self.assertEqual(os.stat(store).st_uid, target.pw_uid)
            # No thread keeps more than CAP_NET_RAW, CAP_NET_ADMIN, CAP_NET_BIND_SERVICE
            # (effective) and CAP_DAC_OVERRIDE (permitted only) of root's capabilities.
            kept = (1 << 13) | (1 << 12) | (1 << 10) | (1 << 1)
            for tid in os.listdir(f"/proc/{d.proc.pid}/task"):
                with open(f"/proc/{d.proc.pid}/task/{tid}/status") as f:
                    text = f.read()
                prm = int(re.search(r"^CapPrm:\s+(\w+)", text, re.M).group(1), 16)
                eff = int(re.search(r"^CapEff:\s+(\w+)", text, re.M).group(1), 16)
                self.assertEqual(prm & ~kept, 0, f"thread {tid} CapPrm {prm:x}")
                self.assertEqual(eff & (1 << 1), 0, f"thread {tid} writes as root: {eff:x}")
            # The write capability can be raised and lowered again by a script (which runs on
            # an HTTP worker thread, not on the thread that dropped the privileges).
            st, _, body = d.get("/lua/t/caps.lua")
            self.assertEqual(st, 200, body)
            self.assertEqual(json.loads(body), {"gained": True, "dropped": True})
            st, _, body = d.get("/lua/t/caps.lua")  # whichever worker serves it
            self.assertEqual(json.loads(body), {"gained": True, "dropped": True})
            # CAP_NET_RAW, kept, lets scripts ping (spec section 19) as the unprivileged user.
            st, _, body = d.get("/lua/t/ping.lua")
            self.assertEqual(st, 200, body)
            answer = json.loads(body)
            self.assertTrue(answer["available"], answer)
            self.assertIsNotNone(answer.get("rtt"), answer)
        finally:
            d.stop()

    def test_dont_change_user_keeps_root_and_caps_calls_are_false(self):
        d = Daemon(scripts=dict(SCRIPTS))  # --dont-change-user
        d.start()
        try:
            with open(f"/proc/{d.proc.pid}/status") as f:
                uids = re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1)
            self.assertEqual(uids, "0")
            st, _, body = d.get("/lua/t/caps.lua")
            self.assertEqual(json.loads(body), {"gained": False, "dropped": False})
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()

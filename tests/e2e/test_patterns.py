"""The spec's "Quick-Reference: Common REST API patterns" 1-4, installed as REST endpoints.

Each pattern's Lua text is copied from the spec unchanged. Patterns 3 and 4 are fragments: the GET
and POST halves of Pattern 3 become two endpoints, and Pattern 4's store/read lines get the few
wrapper lines that give `username` and `value` a value.
"""
import json
import unittest

from flowlens_harness import Daemon, lua_api_functions

# Pattern 1 — Simple GET with interface context (verbatim).
PATTERN1 = """\
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local ifid = _GET["ifid"]
if isEmptyString(ifid) then
rest_utils.answer(rest_utils.consts.err.invalid_interface)
return
end
interface.select(ifid)
local data = interface.getStats()
rest_utils.answer(rest_utils.consts.success.ok, data)
"""

# Pattern 2 — Admin-only POST endpoint (verbatim).
PATTERN2 = """\
local dirs = ntop.getDirs()
package.path = dirs.installdir .. "/scripts/lua/modules/?.lua;" .. package.path
local rest_utils = require("rest_utils")
require "lua_utils"
local json = require("dkjson")
if not isAdministrator() then
rest_utils.answer(rest_utils.consts.err.not_granted)
return
end
local body = json.decode(_POST["JSON"] or "{}")
local username = body and body["username"]
if isEmptyString(username) then
rest_utils.answer(rest_utils.consts.err.invalid_args)
return
end
local ok = ntop.addUser(username, body["full_name"] or "", body["password"] or "",
"unprivileged", "", "")
if ok then
rest_utils.answer(rest_utils.consts.success.ok)
else
rest_utils.answer(rest_utils.consts.err.internal_error)
end
"""

# Pattern 3 — Redis-backed configuration: its header, then the GET half or the POST half.
PATTERN3_HEAD = """\
local CONF_KEY = "ntopng.prefs.my_feature"
local json = require("dkjson")
require "lua_utils"
local rest_utils = require("rest_utils")
"""
PATTERN3_GET = PATTERN3_HEAD + """\
-- GET: read config
local raw = ntop.getCache(CONF_KEY)
local conf = json.decode(raw or "{}") or {}
rest_utils.answer(rest_utils.consts.success.ok, conf)
"""
PATTERN3_POST = PATTERN3_HEAD + """\
-- POST: write config
local body = json.decode(_POST["JSON"] or "{}")
ntop.setCache(CONF_KEY, json.encode(body))
rest_utils.answer(rest_utils.consts.success.ok)
"""

# Pattern 4 — Hash-based per-user settings. The spec's two lines, with `username` taken from the
# session (or ?user= so that two users can be compared while only one session exists).
PATTERN4_WRAP = """\
require "lua_utils"
local rest_utils = require("rest_utils")
local username = _GET["user"] or _SESSION["user"]
"""
PATTERN4_SET = PATTERN4_WRAP + """\
local value = _POST["value"]
-- Store
ntop.setHashCache("ntopng.user." .. username, "my_setting", value)
rest_utils.answer(rest_utils.consts.success.ok)
"""
PATTERN4_GET = PATTERN4_WRAP + """\
-- Read
local v = ntop.getHashCache("ntopng.user." .. username, "my_setting")
rest_utils.answer(rest_utils.consts.success.ok, { user = username, my_setting = v })
"""

SCRIPTS = {
    "rest/v2/get/pattern/interface_stats.lua": PATTERN1,
    "rest/v2/add/pattern/user.lua": PATTERN2,
    "rest/v2/get/my_feature/config.lua": PATTERN3_GET,
    "rest/v2/set/my_feature/config.lua": PATTERN3_POST,
    "rest/v2/set/pattern/user_setting.lua": PATTERN4_SET,
    "rest/v2/get/pattern/user_setting.lua": PATTERN4_GET,
    # Not a pattern: lets the Pattern 2 test see the user it added.
    "e2e_users.lua": 'local json = require("dkjson")\n'
                     'sendHTTPHeader("application/json")\n'
                     'print(json.encode(ntop.getUsers()))\n',
}

HAS_ADD_USER = "ntop.addUser" in lua_api_functions()
HAS_CACHE = {"ntop.setCache", "ntop.getCache", "ntop.setHashCache",
             "ntop.getHashCache"} <= lua_api_functions()


def envelope(testcase, body):
    """Decodes a REST v2 answer and checks that it is the {rc, rc_str, rc_str_hr, rsp} envelope."""
    doc = json.loads(body)
    testcase.assertEqual(set(doc), {"rc", "rc_str", "rc_str_hr", "rsp"}, doc)
    return doc


class PatternTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(scripts=SCRIPTS)
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    # -- Pattern 1 ---------------------------------------------------------------------------------
    def test_pattern1_interface_stats(self):
        for ifid in ("0", "lo"):  # interface.select takes an id or a name
            with self.subTest(ifid=ifid):
                status, hdrs, body = self.d.get(f"/lua/rest/v2/get/pattern/interface_stats.lua?ifid={ifid}")
                self.assertEqual(status, 200, body)
                self.assertTrue(hdrs["content-type"].startswith("application/json"), hdrs)
                doc = envelope(self, body)
                self.assertEqual(doc["rc"], 0)
                self.assertEqual(doc["rc_str"], "OK")
                rsp = doc["rsp"]
                self.assertEqual(rsp["id"], 0)
                self.assertEqual(rsp["ifname"], "lo")
                self.assertIsInstance(rsp["stats"]["packets"], int)
                self.assertIsInstance(rsp["stats"]["bytes"], int)

    def test_pattern1_missing_ifid_is_invalid_interface(self):
        for query in ("", "?ifid=", "?other=0"):
            with self.subTest(query=query):
                status, _, body = self.d.get("/lua/rest/v2/get/pattern/interface_stats.lua" + query)
                self.assertEqual(status, 400, body)
                doc = envelope(self, body)
                self.assertEqual(doc["rc"], -2)
                self.assertEqual(doc["rc_str"], "INVALID_INTERFACE")

    # -- Pattern 2 ---------------------------------------------------------------------------------
    def test_pattern2_without_username_is_invalid_args(self):
        for obj in ({}, {"full_name": "No Name", "password": "x"}, {"username": ""}):
            with self.subTest(body=obj):
                status, hdrs, body = self.d.post_json("/lua/rest/v2/add/pattern/user.lua", obj)
                self.assertEqual(status, 400, body)
                self.assertTrue(hdrs["content-type"].startswith("application/json"), hdrs)
                doc = envelope(self, body)
                self.assertEqual(doc["rc"], -5)
                self.assertEqual(doc["rc_str"], "INVALID_ARGUMENTS")
        # No body at all: _POST["JSON"] is nil and the pattern decodes "{}".
        status, _, body = self.d.request("POST", "/lua/rest/v2/add/pattern/user.lua")
        self.assertEqual(status, 400, body)
        self.assertEqual(envelope(self, body)["rc_str"], "INVALID_ARGUMENTS")

    @unittest.skipUnless(HAS_ADD_USER, "ntop.addUser is not registered yet (users issue)")
    def test_pattern2_adds_user(self):
        new_user = {"username": "pattern2_alice", "full_name": "Alice Example",
                    "password": "s3cr3t-Passw0rd"}
        status, _, body = self.d.post_json("/lua/rest/v2/add/pattern/user.lua", new_user)
        self.assertEqual(status, 200, body)
        doc = envelope(self, body)
        self.assertEqual(doc["rc"], 0)
        self.assertEqual(doc["rc_str"], "OK")
        # ntop.addUser refuses an existing user: the pattern answers INTERNAL_ERROR.
        status, _, body = self.d.post_json("/lua/rest/v2/add/pattern/user.lua", new_user)
        self.assertEqual(status, 500, body)
        self.assertEqual(envelope(self, body)["rc"], -6)
        if "ntop.getUsers" in lua_api_functions():
            status, _, users = self.d.get_json("/lua/e2e_users.lua")
            self.assertEqual(status, 200)
            self.assertIn("pattern2_alice", users)
            self.assertEqual(users["pattern2_alice"]["full_name"], "Alice Example")
            self.assertEqual(users["pattern2_alice"]["group"], "unprivileged")

    # -- Pattern 3 ---------------------------------------------------------------------------------
    @unittest.skipUnless(HAS_CACHE, "ntop.getCache/setCache are not registered yet (key-value store)")
    def test_pattern3_config_round_trip(self):
        get_url = "/lua/rest/v2/get/my_feature/config.lua"
        set_url = "/lua/rest/v2/set/my_feature/config.lua"
        status, _, body = self.d.get(get_url)
        self.assertEqual(status, 200, body)
        doc = envelope(self, body)
        self.assertEqual(doc["rc"], 0)
        self.assertIn(doc["rsp"], ({}, []), "nothing configured yet")

        conf = {"enabled": True, "threshold": 100, "name": "caf\u00e9 <&>",
                "targets": ["10.0.0.1", "10.0.0.2"], "nested": {"depth": 2, "off": False}}
        status, _, body = self.d.post_json(set_url, conf)
        self.assertEqual(status, 200, body)
        self.assertEqual(envelope(self, body)["rc"], 0)
        status, _, body = self.d.get(get_url)
        self.assertEqual(status, 200, body)
        self.assertEqual(envelope(self, body)["rsp"], conf)

        # A second POST replaces the configuration (no merge with the first).
        conf2 = {"enabled": False}
        status, _, body = self.d.post_json(set_url, conf2)
        self.assertEqual(status, 200, body)
        status, _, body = self.d.get(get_url)
        self.assertEqual(envelope(self, body)["rsp"], conf2)

    # -- Pattern 4 ---------------------------------------------------------------------------------
    @unittest.skipUnless(HAS_CACHE, "ntop.getHashCache/setHashCache are not registered yet")
    def test_pattern4_per_user_setting_round_trip(self):
        set_url = "/lua/rest/v2/set/pattern/user_setting.lua"
        get_url = "/lua/rest/v2/get/pattern/user_setting.lua"
        # The session's user (admin) stores a value in one request and reads it in the next.
        status, _, body = self.d.post_form(set_url, {"value": "dark mode"})
        self.assertEqual(status, 200, body)
        self.assertEqual(envelope(self, body)["rc"], 0)
        status, _, body = self.d.get(get_url)
        self.assertEqual(status, 200, body)
        rsp = envelope(self, body)["rsp"]
        self.assertEqual(rsp, {"user": "admin", "my_setting": "dark mode"})

        # Another user's hash is separate.
        status, _, body = self.d.post_form(set_url + "?user=bob", {"value": "light"})
        self.assertEqual(status, 200, body)
        status, _, body = self.d.get(get_url + "?user=bob")
        self.assertEqual(envelope(self, body)["rsp"]["my_setting"], "light")
        status, _, body = self.d.get(get_url)
        self.assertEqual(envelope(self, body)["rsp"]["my_setting"], "dark mode")

        # Overwriting the field replaces the value.
        status, _, body = self.d.post_form(set_url, {"value": "auto"})
        self.assertEqual(status, 200, body)
        status, _, body = self.d.get(get_url)
        self.assertEqual(envelope(self, body)["rsp"]["my_setting"], "auto")


if __name__ == "__main__":
    unittest.main()

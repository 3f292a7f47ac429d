"""Smoke test: the daemon starts on a free port and answers a REST endpoint."""
import unittest

from flowlens_harness import Daemon


class SmokeTest(unittest.TestCase):
    def test_interfaces_endpoint(self):
        with Daemon() as d:
            status, _, body = d.get_json("/lua/rest/v2/get/ntopng/interfaces.lua")
            self.assertEqual(status, 200)
            self.assertEqual(body["rc"], 0)
            self.assertEqual(body["rc_str"], "OK")
            self.assertEqual(body["rsp"][0]["ifid"], 0)
            self.assertEqual(body["rsp"][0]["ifname"], "lo")


if __name__ == "__main__":
    unittest.main()

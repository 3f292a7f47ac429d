"""The web UI in a real browser: Debian's chromium, headless, driven by playwright-core
(ui/tests/ui_flow.mjs) against the real daemon reading tests/data/enrich/enrich.pcap with the
GeoIP test databases. Screenshots go to $FLOWLENS_ARTIFACTS (build/test-artifacts/ui).

Skips when chromium or node is missing; fails when the UI is not built (`make ui`)."""
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from flowlens_harness import Daemon, SOURCE  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")
UI = os.path.join(SOURCE, "ui")
ARTIFACTS = os.environ.get("FLOWLENS_ARTIFACTS",
                           os.path.join(SOURCE, "build", "test-artifacts", "ui"))
# A name with markup, as an attacker could give a host through DNS.
XSS_IP = "81.2.69.142"
XSS_NAME = '<img src=x onerror="window.__xss=1">'


# Skipped where chromium or node is missing, except in CI (CI=true), where install-deps.sh
# provides them: a missing browser there is a failure, not a silent pass.
@unittest.skipUnless((os.access(CHROMIUM, os.X_OK) and NODE) or os.environ.get("CI"),
                     f"browser test skipped: needs {CHROMIUM} and node")
class WebUiTest(unittest.TestCase):
    def test_login_dashboard_host_flows_logout(self):
        self.assertTrue(os.path.exists(os.path.join(SOURCE, "httpdocs/dist/.vite/manifest.json")),
                        "the web UI is not built: run `make ui`")
        self.assertTrue(os.path.isdir(os.path.join(UI, "node_modules", "playwright-core")),
                        "ui/node_modules is missing: run `make ui`")
        name = XSS_NAME.replace("\\", "\\\\").replace('"', '\\"')
        script = (f'ntop.setResolvedAddress("{XSS_IP}", "{name}")\n'
                  'sendHTTPContentTypeHeader("text/plain")\nprint("ok")\n')
        with Daemon(auth=True,
                    interfaces=[os.path.join(SOURCE, "tests/data/enrich/enrich.pcap")],
                    extra_args=["--geoip-dir", os.path.join(SOURCE, "tests/data/geoip")],
                    scripts={"t/set_name.lua": script}) as d:
            env = dict(os.environ, BASE_URL=f"http://127.0.0.1:{d.port}", ARTIFACTS=ARTIFACTS,
                       XSS_IP=XSS_IP, XSS_NAME=XSS_NAME, CHROMIUM=CHROMIUM)
            run = subprocess.run([NODE, os.path.join(UI, "tests", "ui_flow.mjs")], env=env,
                                 capture_output=True, text=True, timeout=240, check=False)
            print(run.stdout)
            self.assertEqual(run.returncode, 0,
                             f"{run.stdout}\n{run.stderr}\n--- daemon log ---\n{d.read_log()[-4000:]}")


if __name__ == "__main__":
    unittest.main()

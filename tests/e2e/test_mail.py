"""Spec section 33, ntop.sendMail: a script sends through a real SMTP exchange with a small
SMTP server run by this test (it speaks RFC 5321's commands and records each message).
"""
import json
import socketserver
import threading
import unittest
import urllib.parse

from flowlens_harness import Daemon

SCRIPT = r"""
local json = require("dkjson")
local g = _GET
local out = {}
if g.case == "table" then
  out.ok = ntop.sendMail({ server = g.server, from = "flowlens <alerts@example.org>",
                           to = { "noc@example.org", "Ops <ops@example.org>" }, cc = "boss@example.org",
                           subject = "Link down: sw1 ge-0/0/1", body = "line one\n.starts with a dot\nline three" })
elseif g.case == "ntopng" then
  out.ok = ntop.sendMail("alerts@example.org", "noc@example.org", "",
                         "Subject: raw\r\nFrom: alerts@example.org\r\n\r\nraw body\r\n", g.server)
elseif g.case == "refused" then
  out.ok = ntop.sendMail({ server = g.server, from = "alerts@example.org", to = "nobody@refused.example",
                           subject = "x", body = "y" })
elseif g.case == "unreachable" then
  out.ok = ntop.sendMail({ server = "smtp://127.0.0.1:1", from = "a@example.org", to = "b@example.org",
                           subject = "x", body = "y", timeout = 2 })
elseif g.case == "auth_plain" then
  -- credentials, and a server without STARTTLS: not sent
  out.ok = ntop.sendMail({ server = g.server, username = "u", password = "p", from = "a@example.org",
                           to = "b@example.org", subject = "x", body = "y" })
elseif g.case == "injection" then
  out.ok = pcall(ntop.sendMail, { server = g.server, from = "a@example.org", to = "b@example.org",
                                  subject = "hi\r\nBcc: victim@example.org", body = "y" })
elseif g.case == "scheme" then
  out.ok = pcall(ntop.sendMail, { server = "http://127.0.0.1/", from = "a@example.org",
                                  to = "b@example.org", subject = "x", body = "y" })
end
print(json.encode(out))
"""


class SmtpHandler(socketserver.StreamRequestHandler):
    messages = []

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 test ESMTP")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode().rstrip("\r\n")
            upper = cmd.upper()
            if upper.startswith("EHLO") or upper.startswith("HELO"):
                self.reply("250 test")
            elif upper.startswith("MAIL FROM:"):
                mail_from, rcpts = cmd[10:].strip(), []
                self.reply("250 ok")
            elif upper.startswith("RCPT TO:"):
                rcpt = cmd[8:].strip()
                if "refused" in rcpt:
                    self.reply("550 no such user")
                else:
                    rcpts.append(rcpt)
                    self.reply("250 ok")
            elif upper == "DATA":
                self.reply("354 go on")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                SmtpHandler.messages.append({"from": mail_from, "rcpt": rcpts,
                                             "data": data.decode("utf-8")})
                self.reply("250 queued")
            elif upper == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class MailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SmtpHandler)
        cls.smtp.daemon_threads = True
        threading.Thread(target=cls.smtp.serve_forever, daemon=True).start()
        cls.server = f"smtp://127.0.0.1:{cls.smtp.server_address[1]}"
        cls.d = Daemon(scripts={"t/mail.lua": SCRIPT})
        cls.d.start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()
        cls.smtp.shutdown()

    def run_case(self, case, expect=200):
        SmtpHandler.messages.clear()
        q = urllib.parse.urlencode({"case": case, "server": self.server})
        status, _, body = self.d.get("/lua/t/mail.lua?" + q)
        self.assertEqual(status, expect, body)
        return json.loads(body)

    def test_message_from_subject_and_body(self):
        self.assertIs(self.run_case("table")["ok"], True)
        [m] = SmtpHandler.messages
        self.assertEqual(m["from"], "<alerts@example.org>")
        self.assertEqual(m["rcpt"], ["<noc@example.org>", "<ops@example.org>", "<boss@example.org>"])
        data = m["data"]
        self.assertIn("Subject: Link down: sw1 ge-0/0/1\r\n", data)
        self.assertIn("To: noc@example.org, Ops <ops@example.org>\r\n", data)
        self.assertIn("Cc: boss@example.org\r\n", data)
        self.assertIn("Content-Type: text/plain; charset=utf-8\r\n", data)
        self.assertRegex(data, r"Message-ID: <[^>]+@example.org>\r\n")
        # The body with CRLF line ends, a leading dot doubled on the wire (RFC 5321 4.5.2).
        self.assertIn("\r\n\r\nline one\r\n..starts with a dot\r\nline three\r\n.\r\n", data)

    def test_ntopng_form_sends_the_message_as_given(self):
        self.assertIs(self.run_case("ntopng")["ok"], True)
        [m] = SmtpHandler.messages
        self.assertTrue(m["data"].startswith("Subject: raw\r\nFrom: alerts@example.org\r\n\r\nraw body"))

    def test_failures_answer_false(self):
        self.assertIs(self.run_case("refused")["ok"], False)
        self.assertEqual(SmtpHandler.messages, [])
        self.assertIs(self.run_case("unreachable")["ok"], False)

    def test_credentials_never_go_in_clear(self):
        self.assertIs(self.run_case("auth_plain")["ok"], False)
        self.assertEqual(SmtpHandler.messages, [])

    def test_bad_arguments_raise(self):
        self.assertIs(self.run_case("injection")["ok"], False)
        self.assertIs(self.run_case("scheme")["ok"], False)
        self.assertEqual(SmtpHandler.messages, [])


if __name__ == "__main__":
    unittest.main()

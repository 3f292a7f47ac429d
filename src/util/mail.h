#pragma once
// Sending e-mail for scripts (spec section 33, sendMail) over libcurl's SMTP: smtp:// (with
// STARTTLS when the server offers it) or smtps://. One message per call, bounded by its
// timeout. Thread-safe.

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include "core/result.h"

namespace flowlens::util {

struct Mail {
  std::string server;  // "smtp://mail.example.org:587" or "smtps://mail.example.org"
  std::string username, password;  // AUTH when username is set
  std::string from;
  std::vector<std::string> to, cc;
  // Either a whole message with its headers (ntopng's form), or a subject and a text body
  // from which the message is made.
  std::string message;
  std::string subject, body;
  std::chrono::milliseconds timeout{30000};
  bool verify_cert = true;
  // smtp:// upgrades with STARTTLS when the server offers it; with a username (or this), TLS is
  // required and a server without STARTTLS is an error.
  bool require_tls = false;
};

// The message for a subject and body: Date, From, To, Cc, Subject, Message-ID, MIME headers
// (UTF-8 text), lines ending CRLF. `mail` must pass validate().
std::string composeMessage(const Mail& mail, time_t now);
// Addresses and header values are one line each, and a recipient is there.
Status validate(const Mail& mail);
Status sendMail(const Mail& mail);

}  // namespace flowlens::util

#include "util/mail.h"


#include <algorithm>
#include <cstring>
#include <memory>
#include <random>

#include "core/build_info.h"
#include "util/curl_api.h"

namespace flowlens::util {
namespace {

// Callers checked curlApi() first (sendMail).
const CurlApi& C() { return *curlApi(); }

bool oneLine(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

// "Name <addr@x>" -> "<addr@x>"; "addr@x" -> "<addr@x>": what MAIL FROM / RCPT TO take.
std::string envelope(const std::string& address) {
  const size_t lt = address.rfind('<');
  const size_t gt = address.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
    return address.substr(lt, gt - lt + 1);
  }
  return "<" + address + ">";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Lines end in CRLF; a line starting with '.' is sent as '..' by libcurl itself.
std::string crlf(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t onRead(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, u->data->size() - u->pos);
  std::memcpy(buf, u->data->data() + u->pos, len);
  u->pos += len;
  return len;
}

}  // namespace

Status validate(const Mail& m) {
  if (m.server.rfind("smtp://", 0) != 0 && m.server.rfind("smtps://", 0) != 0) {
    return Error{"the server must be an smtp:// or smtps:// URL"};
  }
  if (m.from.empty()) return Error{"no sender"};
  if (m.to.empty() && m.cc.empty()) return Error{"no recipient"};
  for (const std::string* s : {&m.from, &m.subject, &m.username, &m.server}) {
    if (!oneLine(*s)) return Error{"addresses, subject and server must be one line"};
  }
  for (const auto* list : {&m.to, &m.cc}) {
    for (const std::string& a : *list) {
      if (a.empty() || !oneLine(a)) return Error{"addresses must be one line"};
    }
  }
  return {};
}

std::string composeMessage(const Mail& m, time_t now) {
  char date[64];
  struct tm tm;
  gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::mt19937_64 rng(std::random_device{}());
  const std::string domain = m.from.find('@') != std::string::npos
                                 ? m.from.substr(m.from.find('@') + 1)
                                 : std::string("flowlens");
  std::string id = std::to_string(now) + "." + std::to_string(rng()) + "@" + domain;
  id.erase(std::remove_if(id.begin(), id.end(), [](char c) { return c == '>' || c == '<'; }),
           id.end());
  std::string msg = std::string("Date: ") + date + "\r\n";
  msg += "From: " + m.from + "\r\n";
  if (!m.to.empty()) msg += "To: " + join(m.to) + "\r\n";
  if (!m.cc.empty()) msg += "Cc: " + join(m.cc) + "\r\n";
  msg += "Subject: " + m.subject + "\r\n";
  msg += "Message-ID: <" + id + ">\r\n";
  msg += "MIME-Version: 1.0\r\n";
  msg += "Content-Type: text/plain; charset=utf-8\r\n";
  msg += "Content-Transfer-Encoding: 8bit\r\n";
  msg += std::string("X-Mailer: flowlens/") + build::kVersion + "\r\n\r\n";
  msg += crlf(m.body);
  if (msg.size() < 2 || msg.compare(msg.size() - 2, 2, "\r\n") != 0) msg += "\r\n";
  return msg;
}

Status sendMail(const Mail& m) {
  if (Status st = validate(m); !st) return st;
  const std::string message = m.message.empty() ? composeMessage(m, std::time(nullptr))
                                                : crlf(m.message);
  if (!curlApi()) return Error{kNoLibcurl};
  auto cleanup = [](CURL* c) { C().easy_cleanup(c); };
  std::unique_ptr<CURL, decltype(cleanup)> curl(C().easy_init(), cleanup);
  if (!curl) return Error{"cannot start a transfer (out of memory)"};
  CURL* c = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  C().easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  if (C().easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK) {
    return Error{"this libcurl has no SMTP"};
  }
  C().easy_setopt(c, CURLOPT_URL, m.server.c_str());
  C().easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // With credentials, TLS or nothing: STARTTLS stripped on the way would send them in clear.
  C().easy_setopt(c, CURLOPT_USE_SSL,
                  static_cast<long>(m.username.empty() && !m.require_tls ? CURLUSESSL_TRY
                                                                        : CURLUSESSL_ALL));
  C().easy_setopt(c, CURLOPT_SSL_VERIFYPEER, m.verify_cert ? 1L : 0L);
  C().easy_setopt(c, CURLOPT_SSL_VERIFYHOST, m.verify_cert ? 2L : 0L);
  const long ms = std::max<long>(1, static_cast<long>(m.timeout.count()));
  C().easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
  C().easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
  if (!m.username.empty()) {
    C().easy_setopt(c, CURLOPT_USERNAME, m.username.c_str());
    C().easy_setopt(c, CURLOPT_PASSWORD, m.password.c_str());
  }
  const std::string from = envelope(m.from);
  C().easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_slist* rcpt = nullptr;
  for (const auto* list : {&m.to, &m.cc}) {
    for (const std::string& a : *list) rcpt = C().slist_append(rcpt, envelope(a).c_str());
  }
  auto free_list = [](curl_slist* l) { C().slist_free_all(l); };
  std::unique_ptr<curl_slist, decltype(free_list)> rcpt_list(rcpt, free_list);
  C().easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  Upload up{&message};
  C().easy_setopt(c, CURLOPT_READFUNCTION, onRead);
  C().easy_setopt(c, CURLOPT_READDATA, &up);
  C().easy_setopt(c, CURLOPT_UPLOAD, 1L);
  const CURLcode rc = C().easy_perform(c);
  if (rc != CURLE_OK) return Error{errbuf[0] ? errbuf : C().easy_strerror(rc)};
  return {};
}

}  // namespace flowlens::util

// util::httpRequest against a real HTTP server (civetweb, in process, on a free loopback port).

#include "util/http_client.h"

#include <civetweb.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace flowlens::util {
namespace {

std::string header(mg_connection* c, const char* name) {
  const char* v = mg_get_header(c, name);
  return v ? v : "";
}

void reply(mg_connection* c, int status, const std::string& type, const std::string& body,
           const std::string& extra = "") {
  mg_printf(c,
            "HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n"
            "\r\n",
            status, type.c_str(), body.size(), extra.c_str());
  mg_write(c, body.data(), body.size());
}

// Answers what it received, one "name=value" per line.
int echo(mg_connection* c, void*) {
  const mg_request_info* ri = mg_get_request_info(c);
  std::string body;
  char buf[4096];
  for (int n; (n = mg_read(c, buf, sizeof buf)) > 0;) body.append(buf, n);
  std::string out = std::string("method=") + ri->request_method + "\n";
  for (const char* h : {"Authorization", "Content-Type", "X-API-Key", "Cookie", "X-Extra",
                        "User-Agent", "Accept-Encoding"}) {
    out += std::string(h) + "=" + header(c, h) + "\n";
  }
  out += "body=" + body;
  reply(c, 200, "text/plain", out, "X-Test:  yes \r\n");
  return 200;
}

int redirect(mg_connection* c, void*) {
  mg_printf(c, "HTTP/1.1 302 Found\r\nLocation: /echo\r\nContent-Length: 9\r\n\r\nredirect!");
  return 302;
}

// /to?code=307&url=... redirects there with that status (302 by default); without a url, to
// itself.
int redirectTo(mg_connection* c, void*) {
  const mg_request_info* ri = mg_get_request_info(c);
  char code[8] = "302", url[512] = "";
  const char* q = ri->query_string ? ri->query_string : "";
  mg_get_var(q, std::strlen(q), "code", code, sizeof code);
  mg_get_var(q, std::strlen(q), "url", url, sizeof url);
  if (!code[0]) std::strcpy(code, "302");  // mg_get_var empties what it does not find
  if (!url[0]) std::strcpy(url, "/to");
  std::string body;
  char buf[4096];
  for (int n; (n = mg_read(c, buf, sizeof buf)) > 0;) body.append(buf, n);  // drain a body
  mg_printf(c, "HTTP/1.1 %s Moved\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n", code, url);
  return std::atoi(code);
}

int big(mg_connection* c, void*) {
  const size_t total = kMaxHttpContent + 1;
  mg_printf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
               "Content-Length: %zu\r\n\r\n", total);
  const std::string chunk(1 << 16, 'x');
  for (size_t sent = 0; sent < total;) {
    const size_t n = std::min(chunk.size(), total - sent);
    if (mg_write(c, chunk.data(), n) <= 0) break;
    sent += n;
  }
  return 200;
}

int slow(mg_connection* c, void*) {
  std::this_thread::sleep_for(std::chrono::seconds(3));
  reply(c, 200, "text/plain", "late");
  return 200;
}

int notFound(mg_connection* c, void*) {
  reply(c, 404, "text/plain", "nf");
  return 404;
}

int binary(mg_connection* c, void*) {
  reply(c, 200, "application/octet-stream", std::string("a\0b\0c", 5));
  return 200;
}

class HttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "8", nullptr};
    ctx_ = mg_start(nullptr, nullptr, options);
    ASSERT_NE(ctx_, nullptr);
    mg_set_request_handler(ctx_, "/echo", echo, nullptr);
    mg_set_request_handler(ctx_, "/redirect", redirect, nullptr);
    mg_set_request_handler(ctx_, "/to", redirectTo, nullptr);
    mg_set_request_handler(ctx_, "/big", big, nullptr);
    mg_set_request_handler(ctx_, "/slow", slow, nullptr);
    mg_set_request_handler(ctx_, "/missing", notFound, nullptr);
    mg_set_request_handler(ctx_, "/binary", binary, nullptr);
    mg_server_port ports[1];
    ASSERT_EQ(mg_get_server_ports(ctx_, 1, ports), 1);
    base_ = "http://127.0.0.1:" + std::to_string(ports[0].port);
    other_origin_ = "http://localhost:" + std::to_string(ports[0].port);
  }
  static void TearDownTestSuite() { mg_stop(ctx_); }

  static HttpRequest get(const std::string& path) {
    HttpRequest r;
    r.url = base_ + path;
    r.timeout = std::chrono::seconds(10);
    return r;
  }
  static std::string headerOf(const HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "<none>";
  }

  static inline mg_context* ctx_ = nullptr;
  static inline std::string base_;
  static inline std::string other_origin_;  // the same server under another name
};

TEST_F(HttpClientTest, GetAnswersBodyStatusHeadersAndTimes) {
  const HttpResponse r = httpRequest(get("/echo"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.code, 200);
  EXPECT_TRUE(r.content_kept);
  EXPECT_NE(r.content.find("method=GET\n"), std::string::npos);
  EXPECT_NE(r.content.find("User-Agent=" + httpUserAgent() + "\n"), std::string::npos);
  EXPECT_NE(r.content.find("Authorization=\n"), std::string::npos);  // none sent
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(headerOf(r, "x-test"), "yes");  // names lower-cased, values trimmed
  EXPECT_EQ(r.effective_url, base_ + "/echo");
  EXPECT_EQ(r.resolved_ip, "127.0.0.1");
  EXPECT_EQ(r.bytes_download, r.content.size());
  EXPECT_GT(r.times.total, 0.0);
  EXPECT_LE(r.times.connect, r.times.total);
}

TEST_F(HttpClientTest, BodiesMethodsAndContentTypes) {
  HttpRequest r = get("/echo");
  r.method = HttpRequest::Method::kPost;
  r.body = "{\"a\":1}";
  HttpResponse rsp = httpRequest(r);
  ASSERT_TRUE(rsp.ok()) << rsp.error;
  EXPECT_NE(rsp.content.find("method=POST\n"), std::string::npos);
  EXPECT_NE(rsp.content.find("Content-Type=application/json\n"), std::string::npos);
  EXPECT_NE(rsp.content.find("body={\"a\":1}"), std::string::npos);
  EXPECT_EQ(rsp.bytes_upload, r.body.size());

  r.body = "a=1&b=2";  // not JSON: libcurl's form encoding
  rsp = httpRequest(r);
  EXPECT_NE(rsp.content.find("Content-Type=application/x-www-form-urlencoded\n"),
            std::string::npos);

  for (auto [method, name] : {std::pair{HttpRequest::Method::kPut, "PUT"},
                              std::pair{HttpRequest::Method::kPatch, "PATCH"}}) {
    r.method = method;
    r.body = "payload";
    r.content_type = "text/csv";
    rsp = httpRequest(r);
    ASSERT_TRUE(rsp.ok()) << rsp.error;
    EXPECT_NE(rsp.content.find(std::string("method=") + name + "\n"), std::string::npos);
    EXPECT_NE(rsp.content.find("Content-Type=text/csv\n"), std::string::npos);
    EXPECT_NE(rsp.content.find("body=payload"), std::string::npos);
  }
}

TEST_F(HttpClientTest, Authentication) {
  HttpRequest r = get("/echo");
  r.username = "alice";
  r.password = "s3cret";
  HttpResponse rsp = httpRequest(r);
  EXPECT_NE(rsp.content.find("Authorization=Basic YWxpY2U6czNjcmV0\n"), std::string::npos)
      << rsp.content;

  r = get("/echo");
  r.bearer = "tok123";
  r.x_api_key = "key9";
  r.extra_headers = {"X-Extra: more"};
  rsp = httpRequest(r);
  EXPECT_NE(rsp.content.find("Authorization=Bearer tok123\n"), std::string::npos);
  EXPECT_NE(rsp.content.find("X-API-Key=key9\n"), std::string::npos);
  EXPECT_NE(rsp.content.find("X-Extra=more\n"), std::string::npos);

  r = get("/echo");
  r.username = "alice";
  r.password = "pw";
  r.cookie_auth = true;
  rsp = httpRequest(r);
  EXPECT_NE(rsp.content.find("Cookie=user=alice; password=pw\n"), std::string::npos);
  EXPECT_NE(rsp.content.find("Authorization=\n"), std::string::npos);
}

TEST_F(HttpClientTest, RedirectsFollowedOrNot) {
  HttpResponse r = httpRequest(get("/redirect"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.code, 200);
  EXPECT_EQ(r.effective_url, base_ + "/echo");
  EXPECT_EQ(headerOf(r, "x-test"), "yes");  // the last answer's headers

  EXPECT_EQ(r.content.find("redirect!"), std::string::npos);  // the redirect's body dropped

  HttpRequest req = get("/redirect");
  req.follow_redirects = false;
  r = httpRequest(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.code, 302);
  EXPECT_EQ(headerOf(r, "location"), "/echo");
  EXPECT_EQ(r.content, "redirect!");
}

TEST_F(HttpClientTest, RedirectMethods) {
  HttpRequest req = get("/to?code=302&url=/echo");
  req.method = HttpRequest::Method::kPost;
  req.body = "form=1";
  HttpResponse r = httpRequest(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.content.find("method=GET\n"), std::string::npos) << "a POST answered 302 goes on as GET";
  req.url = base_ + "/to?code=307&url=/echo";
  r = httpRequest(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.content.find("method=POST\n"), std::string::npos) << "307 keeps the method";
  EXPECT_NE(r.content.find("body=form=1"), std::string::npos) << "and the body";
}

TEST_F(HttpClientTest, CredentialsStayWithTheirOrigin) {
  auto with_secrets = [](HttpRequest r) {
    r.x_api_key = "k1";
    r.bearer = "b1";
    r.extra_headers = {"X-Extra: e1"};
    return r;
  };
  HttpResponse r = httpRequest(with_secrets(get("/to?url=/echo")));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(r.content.find("X-API-Key=k1\n"), std::string::npos) << "same origin: kept";
  EXPECT_NE(r.content.find("Authorization=Bearer b1\n"), std::string::npos);

  r = httpRequest(with_secrets(get("/to?url=" + other_origin_ + "/echo")));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.effective_url, other_origin_ + "/echo");
  EXPECT_NE(r.content.find("X-API-Key=\n"), std::string::npos) << r.content;
  EXPECT_NE(r.content.find("Authorization=\n"), std::string::npos);
  EXPECT_NE(r.content.find("X-Extra=\n"), std::string::npos);

  HttpRequest basic = get("/to?url=" + other_origin_ + "/echo");
  basic.username = "alice";
  basic.password = "pw";
  r = httpRequest(basic);
  EXPECT_NE(r.content.find("Authorization=\n"), std::string::npos) << "basic auth dropped too";
}

TEST_F(HttpClientTest, RedirectsAreBounded) {
  // /to redirecting to itself for ever.
  HttpResponse r = httpRequest(get("/to"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("redirects"), std::string::npos) << r.error;
}

TEST_F(HttpClientTest, ErrorStatusIsAnAnswerNotAFailure) {
  const HttpResponse r = httpRequest(get("/missing"));
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.code, 404);
  EXPECT_EQ(r.content, "nf");
}

TEST_F(HttpClientTest, BinaryBodiesKeepEveryByte) {
  const HttpResponse r = httpRequest(get("/binary"));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.content, std::string("a\0b\0c", 5));
}

TEST_F(HttpClientTest, ContentDroppedOnRequest) {
  HttpRequest req = get("/binary");
  req.keep_content = false;
  const HttpResponse r = httpRequest(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.content_kept);
  EXPECT_TRUE(r.content.empty());
  EXPECT_EQ(r.bytes_download, 5u);
}

TEST_F(HttpClientTest, TooLargeAnswerFails) {
  const HttpResponse r = httpRequest(get("/big"));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("larger than 32 MiB"), std::string::npos) << r.error;
  EXPECT_FALSE(r.content_kept);
  EXPECT_TRUE(r.content.empty());
}

TEST_F(HttpClientTest, TimeoutAndCancelEndTheWait) {
  HttpRequest req = get("/slow");
  req.timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  HttpResponse r = httpRequest(req);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));

  req = get("/slow");
  const auto cancel_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  req.cancelled = [cancel_at] { return std::chrono::steady_clock::now() >= cancel_at; };
  t0 = std::chrono::steady_clock::now();
  r = httpRequest(req);
  EXPECT_EQ(r.error, "cancelled");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
}

TEST_F(HttpClientTest, OutputFileReplacedOnlyByAWholeAnswer) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("flowlens_http_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "out.bin").string();
  {
    std::ofstream(file) << "old";
  }
  HttpRequest req = get("/binary");
  req.output_file = file;
  HttpResponse r = httpRequest(req);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.content_kept);
  std::ifstream in(file, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), std::string("a\0b\0c", 5));

  {
    std::ofstream(file) << "old";
  }
  req = get("/slow");
  req.timeout = std::chrono::milliseconds(200);
  req.output_file = file;
  r = httpRequest(req);
  EXPECT_FALSE(r.ok());
  std::ifstream again(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(again), {}), "old");
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u) << "no temporary file left";

  req = get("/echo");
  req.output_file = (dir / "no" / "such" / "dir").string();
  r = httpRequest(req);
  EXPECT_NE(r.error.find("cannot write"), std::string::npos) << r.error;
  std::filesystem::remove_all(dir);
}

TEST_F(HttpClientTest, OnlyHttpSchemes) {
  const std::string secret = (std::filesystem::temp_directory_path() / "flowlens_http_secret")
                                 .string();
  {
    std::ofstream(secret) << "do not read";
  }
  HttpRequest req;
  req.url = "file://" + secret;
  HttpResponse r = httpRequest(req);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("file"), std::string::npos) << r.error;  // the scheme is refused

  req.url = "gopher://127.0.0.1/";
  EXPECT_FALSE(httpRequest(req).ok());

  // Nor after a redirect.
  r = httpRequest(get("/to?url=file://" + secret));
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("file"), std::string::npos) << r.error;
  std::filesystem::remove(secret);
}

TEST_F(HttpClientTest, UnreachableServerFailsWithoutAnswer) {
  HttpRequest req;
  req.url = "http://127.0.0.1:1/";  // nothing listens on port 1
  req.timeout = std::chrono::seconds(5);
  const HttpResponse r = httpRequest(req);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.code, 0);
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace flowlens::util

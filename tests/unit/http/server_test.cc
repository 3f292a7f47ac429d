#include "http/server.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace flowlens::http {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

lua::Response withBody(const std::string& body) {
  lua::Response r;
  r.body = body;
  return r;
}

TEST(AbsorbPrintedHeadersTest, MovesStatusHeadersAndContentType) {
  lua::Response r =
      withBody("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nX-A: b\r\n\r\nbody");
  absorbPrintedHeaders(r);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.headers, (Headers{{"X-A", "b"}}));
  EXPECT_EQ(r.body, "body");
}

TEST(AbsorbPrintedHeadersTest, BodyWithoutHeaderBlockIsUntouched) {
  for (const std::string& body :
       {std::string("<html>HTTP/1.1 200 OK\r\n\r\n</html>"), std::string("plain text"),
        std::string(""), std::string("HTTP/1.1 500 Oops\r\nX-A: b\r\n"),  // no blank line
        std::string("HTTP/2 404 Not Found\r\n\r\nx"), std::string("http/1.1 404 x\r\n\r\ny")}) {
    lua::Response r = withBody(body);
    absorbPrintedHeaders(r);
    EXPECT_EQ(r.body, body);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
    EXPECT_TRUE(r.headers.empty());
  }
}

TEST(AbsorbPrintedHeadersTest, StatusLineOnly) {
  lua::Response r = withBody("HTTP/1.0 302 Found\r\n\r\n");
  absorbPrintedHeaders(r);
  EXPECT_EQ(r.status, 302);
  EXPECT_TRUE(r.headers.empty());
  EXPECT_EQ(r.body, "");
}

TEST(AbsorbPrintedHeadersTest, InvalidStatusCodeKeepsTheCurrentStatus) {
  for (const char* body : {"HTTP/1.1 abc\r\n\r\nb", "HTTP/1.1 99 Low\r\n\r\nb",
                           "HTTP/1.1 600 High\r\n\r\nb", "HTTP/1.1\r\n\r\nb"}) {
    lua::Response r = withBody(body);
    r.status = 201;
    absorbPrintedHeaders(r);
    EXPECT_EQ(r.status, 201) << body;
    EXPECT_EQ(r.body, "b") << body;
  }
}

TEST(AbsorbPrintedHeadersTest, FramingHeadersAreDropped) {
  // The server computes these itself; a script's copies would contradict them.
  lua::Response r = withBody(
      "HTTP/1.1 200 OK\r\nContent-Length: 999\r\nconnection: close\r\nDate: yesterday\r\n"
      "Cache-Control: no-cache\r\n\r\n{}");
  absorbPrintedHeaders(r);
  EXPECT_EQ(r.headers, (Headers{{"Cache-Control", "no-cache"}}));
  EXPECT_EQ(r.body, "{}");
}

TEST(AbsorbPrintedHeadersTest, HeaderNamesAreCaseInsensitiveAndValuesTrimmed) {
  lua::Response r = withBody(
      "HTTP/1.1 201 Created\r\ncontent-type:   application/json\r\nX-Empty:\r\nnot a header\r\n"
      "Set-Cookie: a=b; Path=/\r\n\r\n[1]\r\n\r\n[2]");
  absorbPrintedHeaders(r);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.headers, (Headers{{"X-Empty", ""}, {"Set-Cookie", "a=b; Path=/"}}));
  // Only the first blank line ends the header block.
  EXPECT_EQ(r.body, "[1]\r\n\r\n[2]");
}

TEST(AbsorbPrintedHeadersTest, KeepsHeadersAlreadySet) {
  lua::Response r = withBody("HTTP/1.1 200 OK\r\nX-B: 2\r\n\r\nok");
  r.headers.emplace_back("X-A", "1");
  absorbPrintedHeaders(r);
  EXPECT_EQ(r.headers, (Headers{{"X-A", "1"}, {"X-B", "2"}}));
  EXPECT_EQ(r.body, "ok");
}

}  // namespace
}  // namespace flowlens::http

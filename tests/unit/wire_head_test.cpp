#include <gtest/gtest.h>

#include "pledged/http/wire_head.hpp"

using pledged::wire_head;

TEST(WireHead, WritesTheStatusLineEachHeaderInOrderAndTheBlankLine) {
  EXPECT_EQ(wire_head(200, {{"ETag", "\"p-1\""}, {"Content-Length", "2"}}),
            "HTTP/1.1 200 OK\r\nETag: \"p-1\"\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(wire_head(304, {}), "HTTP/1.1 304 Not Modified\r\n\r\n");
  EXPECT_EQ(wire_head(429, {}), "HTTP/1.1 429 Too Many Requests\r\n\r\n");
}

TEST(WireHead, ALineBreakInANameOrValueCannotStartAHeaderOfItsOwn) {
  EXPECT_EQ(wire_head(303, {{"Location", "/x\r\nSet-Cookie: a=b"}, {"X-A\nB", "1"}}),
            "HTTP/1.1 303 See Other\r\nLocation: /x  Set-Cookie: a=b\r\nX-A B: 1\r\n\r\n");
}

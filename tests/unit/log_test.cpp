#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "pledged/core/log.hpp"

// Issue 14, "Also": lines waiting for a stderr that does not drain were kept without
// bound. Now they are dropped past a bound, counted, and the count is logged.
TEST(Logger, LinesAStalledStderrCannotTakeAreDroppedCountedAndReported) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string output;
  std::thread reader;
  std::uint64_t dropped = 0;
  constexpr int kLines = 40000;  // 40 MB of 1 KB lines; the pipe holds 64 KiB until the reader starts
  {
    pledged::Logger log(fds[1]);
    const std::string padding(1000, 'x');
    for (int i = 0; i < kLines; ++i) log.write_line("{\"n\":" + std::to_string(i) + ",\"pad\":\"" + padding + "\"}");
    dropped = log.dropped_lines();
    reader = std::thread([&output, fd = fds[0]] {
      char buffer[65536];
      for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) output.append(buffer, static_cast<size_t>(got));
    });
  }  // the destructor writes what was kept
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  EXPECT_GT(dropped, 0u) << "nothing dropped: the pending buffer grew with the load";
  EXPECT_LT(dropped, static_cast<std::uint64_t>(kLines));
  EXPECT_LT(output.size(), pledged::Logger::kMaxPendingBytes * 4) << "what was kept is bounded";
  EXPECT_NE(output.find("\"msg\":\"log lines dropped: stderr did not keep up\""), std::string::npos);
}

// Positions users see are 1-based lines and character columns; encodings are checked exactly.
#include "support/text.h"

#include <doctest/doctest.h>

using namespace poolify;

TEST_CASE("columns count characters, not bytes") {
  LineIndex idx("ab\n\xC3\xA9x = 1\n");
  CHECK(idx.at(0).line == 1);
  auto lc = idx.at(5); // the 'x' after a two-byte é
  CHECK(lc.line == 2);
  CHECK(lc.col == 2);
}

TEST_CASE("invalid UTF-8 is found at its byte") {
  CHECK_FALSE(firstInvalidUtf8("plain ascii").has_value());
  CHECK_FALSE(firstInvalidUtf8("caf\xC3\xA9").has_value());
  CHECK(firstInvalidUtf8("caf\xE9 latin-1") == 3u);
  CHECK(firstInvalidUtf8("\xC0\x80") == 0u);       // overlong
  CHECK(firstInvalidUtf8("\xED\xA0\x80") == 0u);   // surrogate
  CHECK(firstInvalidUtf8("ok\xF0\x9F\x98") == 2u); // truncated
}

TEST_CASE("the first line ending decides the file's style") {
  CHECK(detectEol("a\r\nb\n") == "\r\n");
  CHECK(detectEol("a\nb\r\n") == "\n");
  CHECK(detectEol("no newline") == "\n");
}

TEST_CASE("counts name their noun in the singular only for one") {
  CHECK(counted(0, "site") == "0 sites");
  CHECK(counted(1, "site") == "1 site");
  CHECK(counted(2, "warning") == "2 warnings");
  CHECK(counted(1, "test patch", "test patches") == "1 test patch");
  CHECK(counted(3, "test patch", "test patches") == "3 test patches");
}

TEST_CASE("sizes are bytes, K or M, and nothing else") {
  CHECK(parseByteSize("512") == 512u);
  CHECK(parseByteSize("64K") == 64u * 1024);
  CHECK(parseByteSize("64k") == 64u * 1024);
  CHECK(parseByteSize("4M") == 4u * 1024 * 1024);
  CHECK(parseByteSize("4MB") == 4u * 1024 * 1024);
  CHECK(parseByteSize("0") == 0u);
  for (const char *bad :
       {"", "M", "-1", "+1", " 1", "1 ", "1.5M", "4G", "4B", "0x10", "4MiB", "99999999999999999999", "2000000M"})
    CHECK_MESSAGE(!parseByteSize(bad).has_value(), bad);
}

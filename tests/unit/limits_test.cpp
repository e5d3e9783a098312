// Texts the parser cannot be trusted with (runs of comment lines inside a block, quadratic in the
// grammar's scanner) are found before they reach it, and Tree::parse never hands them over.
#include "python/limits.h"
#include "python/syntax.h"

#include <doctest/doctest.h>

#include <string>

using namespace poolify::py;

namespace {
std::string lines(const std::string &line, size_t n) {
  std::string s;
  s.reserve(line.size() * n);
  for (size_t i = 0; i < n; ++i)
    s += line;
  return s;
}
const std::string kHead = "from google.cloud import bigquery\nX = bigquery.Client\n";
} // namespace

TEST_CASE("65,534 comment lines at module level are parsed, without a crash") {
  // Debian's 0.20 runtime aborted on this (`free(): invalid size`: a node's child count wrapped at
  // 65,536); the runtime built from source keeps it in 32 bits, and at module level the grammar's
  // scanner is not slow on such a run.
  std::string text = kHead + lines("#\n", 65534);
  CHECK_FALSE(parserLimitProblem(text));
  Tree t = Tree::parse(text);
  CHECK_FALSE(t.firstError());
}

TEST_CASE("a run longer than 10,000 lines inside a block is refused, comments or continuations") {
  auto p = parserLimitProblem("def f():\n    x = 1\n" + lines("    #\n", 10001) + "    y = 2\n");
  REQUIRE(p);
  CHECK(p->offset == std::string("def f():\n    x = 1\n    ").size());
  CHECK(p->message.find("10001 comment or line-continuation lines in a row inside a block") == 0);
  CHECK(parserLimitProblem("def f():\n    x = 1\n" + lines("\\\n", 10001) + "    y = 2\n"));
  CHECK(parserLimitProblem("def f():\n    x = 1  # trailing\n" + lines("# more\n", 10000) + "    y = 2\n"));
  CHECK_FALSE(parserLimitProblem("def f():\n    x = 1\n" + lines("    #\n", 10000) + "    y = 2\n"));
  CHECK_FALSE(parserLimitProblem("x = 1\n" + lines("\\\n", 10001) + "y = 2\n")); // module level: cheap
  CHECK_FALSE(parserLimitProblem("def f():\n    x = 1\n" + lines("# c\n\n", 10000) + "    y = 2\n"));
  CHECK_FALSE(parserLimitProblem(lines("    x = 1  # c\n", 100000))); // code between them
}

TEST_CASE("ordinary files pass") {
  CHECK_FALSE(parserLimitProblem(""));
  CHECK_FALSE(parserLimitProblem(kHead + lines("# licence\n", 200) + lines("y = 1\n", 1000)));
  CHECK_FALSE(parserLimitProblem(lines("x = 1\n", 200000)));
}

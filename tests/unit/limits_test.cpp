// Texts the tree-sitter 0.20 runtime cannot be trusted with are found before they reach it, and
// Tree::parse never hands them over: before the guard, the first case aborted this process
// (`free(): invalid size` in ts_subtree_release).
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

TEST_CASE("65,534 comment lines after two statements: refused, and parsing it is an error, not a crash") {
  std::string text = kHead + lines("#\n", 65534);
  auto p = parserLimitProblem(text);
  REQUIRE(p);
  CHECK(p->offset == kHead.size());
  CHECK(p->message.find("65534 comment or line-continuation lines") == 0);
  Tree t = Tree::parse(text);
  CHECK(t.firstError());
}

TEST_CASE("runs that one node would hold together are added up") {
  // Two runs of 40,000 comment lines inside one parenthesized expression: 80,003 children.
  std::string text = "x = (\n" + lines("#\n", 40000) + "1\n" + lines("#\n", 40000) + ")\n";
  auto p = parserLimitProblem(text);
  REQUIRE(p);
  CHECK(p->message.find("tree-sitter issue #2134") != std::string::npos);
  // Seven runs of 9,500 lines (each under the run limit, 66,500 together): refused as well.
  std::string seven;
  for (int i = 0; i < 7; ++i)
    seven += "x = 1\n" + lines("    # note\n", 9500);
  CHECK(parserLimitProblem(seven));
}

TEST_CASE("a run longer than 10,000 lines is refused, comments or continuations") {
  CHECK(parserLimitProblem("def f():\n    x = 1\n" + lines("    #\n", 10001) + "    y = 2\n"));
  CHECK(parserLimitProblem("x = 1\n" + lines("\\\n", 10001) + "y = 2\n"));
  CHECK(parserLimitProblem("x = 1  # trailing\n" + lines("# more\n", 10000) + "y = 2\n")); // 10,001 in a row
  CHECK_FALSE(parserLimitProblem("x = 1\n" + lines("# c\n\n", 10000) + "y = 2\n"));      // blank lines: no tokens
  CHECK_FALSE(parserLimitProblem(lines("x = 1  # c\n", 100000)));                     // code between them
}

TEST_CASE("ordinary files pass") {
  CHECK_FALSE(parserLimitProblem(""));
  CHECK_FALSE(parserLimitProblem(kHead + lines("# licence\n", 200) + lines("y = 1\n", 1000)));
  CHECK_FALSE(parserLimitProblem(lines("x = 1\n", 200000)));
}

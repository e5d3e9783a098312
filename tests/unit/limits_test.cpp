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

namespace {
// Tokens as tree-sitter counts them: the tree's leaves.
size_t leaves(const Tree &t) {
  size_t n = 0;
  TSTreeCursor cur = ts_tree_cursor_new(t.root());
  for (bool more = true; more;) {
    if (ts_tree_cursor_goto_first_child(&cur))
      continue;
    ++n;
    while (!ts_tree_cursor_goto_next_sibling(&cur))
      if (!ts_tree_cursor_goto_parent(&cur)) {
        more = false;
        break;
      }
  }
  ts_tree_cursor_delete(&cur);
  return n;
}

// The count tokensPastLimit reaches on `text`: the largest limit it still passes.
size_t counted(const std::string &text) {
  size_t limit = 0;
  while (tokensPastLimit(text, limit))
    ++limit;
  return limit;
}
} // namespace

TEST_CASE("tokens are counted as the parser would, never more") {
  CHECK(counted("a.b(c, 1.5e-3)") == 8);
  CHECK(counted("x = \"a, b, c, d\"  # , , , ,\n") == 4); // a string and a comment: one token each
  CHECK(counted("s = '''a\\''' b, c''' + 1\n") == 5);     // an escaped quote stays in the string
  CHECK(counted("s = 'a, b\nc = d\n") == 6);              // an unterminated string ends at its line
  CHECK(counted("x **= .5 ... -> y\n") == 6);             // operator runs and a leading-dot float
  CHECK(counted("\v\v\v\f x\\\n") == 1);                  // odd whitespace never stops the count
  // A lower bound of the leaves of the parsed tree, across the kinds of token.
  const std::string sample = "import os.path as p\n"
                             "@dec(1)\n"
                             "async def f(a: int = 0x1f, *b, **c) -> 'T':\n"
                             "    '''doc, with, commas'''\n"
                             "    x = [1.5e-3, .25, 1_000, 2j, rb'\\x00', f\"{a!r:>{b}}\"]  # note\n"
                             "    y = {k: v for k, v in c.items() if k not in ('a', \"b\")}\n"
                             "    z = x[::2] if a >= 1 else ~a ** -2 // 3 @ b\n"
                             "    return (yield from g()), lambda *_: ..., (w := 3)\n"
                             "class C(B, metaclass=M):\n    pass\n";
  Tree t = Tree::parse(sample);
  REQUIRE_FALSE(t.firstError());
  CHECK(counted(sample) <= leaves(t));
  CHECK(counted(sample) * 2 >= leaves(t)); // and not far below it
}

TEST_CASE("a text of more tokens than kMaxTokens is refused where the count passes it") {
  // The pathological line of the reliability probe, at 1.6M elements: 3.2M tokens.
  std::string head = kHead + "DATA = [";
  std::string text = head + lines("1, ", 1600000) + "]\n";
  auto p = parserLimitProblem(text);
  REQUIRE(p);
  CHECK(p->offset > head.size());
  CHECK(text.substr(p->offset - 1, 2) == " 1"); // an element of the list, in the long line
  CHECK(p->message.find("more than 2 million tokens") == 0);
  // As many bytes in one string, or in comments, are one token each: parsed.
  CHECK_FALSE(parserLimitProblem(kHead + "DATA = '" + lines("1, ", 1600000) + "'\n"));
  CHECK_FALSE(parserLimitProblem(kHead + lines("# 1, 1, 1, 1, 1, 1, 1, 1\n", 200000)));
}

// Syntax colouring from the parse: what the HTML report's diffs show.
#include "python/highlight.h"

#include <doctest/doctest.h>

#include <string>

namespace {
// "cls:text" for each token, space-separated.
std::string tokens(const std::string &text) {
  std::string out;
  for (const auto &t : poolify::py::highlightTokens(text))
    out += (out.empty() ? "" : " ") + std::string(1, t.cls) + ":" + text.substr(t.start, t.end - t.start);
  return out;
}
} // namespace

TEST_CASE("keywords, names a def or class defines, builtins, numbers and comments") {
  CHECK(tokens("def load(self, n=10):  # go\n    return None\n") == "k:def f:load b:self n:10 c:# go k:return k:None");
  CHECK(tokens("class Job(object):\n    pass\n") == "k:class f:Job b:object k:pass");
  CHECK(tokens("x = not a and b is True\n") == "k:not k:and k:is k:True");
}

TEST_CASE("a string is one token, prefix, quotes and interpolations included, across lines") {
  CHECK(tokens("s = f'{a} b' + rb\"x\"\n") == "s:f'{a} b' s:rb\"x\"");
  std::string doc = "def f():\n    \"\"\"One.\n\n    # not a comment\n    \"\"\"\n";
  CHECK(tokens(doc) == "k:def f:f s:\"\"\"One.\n\n    # not a comment\n    \"\"\"");
}

TEST_CASE("a decorator's name is coloured, its arguments as usual") {
  CHECK(tokens("@mock.patch('pkg.mod.bigquery.Client')\ndef test(m):\n    pass\n") ==
        "d:@mock.patch s:'pkg.mod.bigquery.Client' k:def f:test k:pass");
}

TEST_CASE("soft keywords are keywords only where Python reads them so") {
  CHECK(tokens("match = 1\nmatch x:\n    case 1:\n        pass\n") == "n:1 k:match k:case n:1 k:pass");
}

TEST_CASE("text that does not parse is still coloured where the parse recovers") {
  std::string out = tokens("def f(:\n    return 1\n");
  CHECK(out.find("k:def") != std::string::npos);
  CHECK(out.find("n:1") != std::string::npos);
}

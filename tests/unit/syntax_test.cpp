// Incremental re-parsing must give the tree (and so the verdict) a fresh parse gives: the pipeline
// trusts it to check that a rewritten file parses no worse than the original.
#include "python/syntax.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

extern "C" {
extern void (*ts_current_free)(void *ptr); // tree-sitter's lib/src/alloc.h
}

using namespace poolify::py;

namespace {
// One replacement with its text, as the rewriter makes them; offsets in the old text.
struct Replace {
  size_t offset;
  size_t length;
  std::string text;
};

std::string sexp(const Tree &t) {
  // Allocated by tree-sitter's allocator, which is poolify's (python/tree_memory.h): not free()'s.
  char *s = ts_node_string(t.root());
  std::string out(s);
  ts_current_free(s);
  return out;
}

// Every node (named or not) with its byte and point range, in document order: the S-expression
// leaves out positions, and a tree whose nodes sit at the wrong offsets would mislead the callers
// (and firstError's indentation check) even with the right shape. Iterative, like the tool.
std::string positions(const Tree &t) {
  std::string out;
  TSTreeCursor cur = ts_tree_cursor_new(t.root());
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cur);
    TSPoint s = ts_node_start_point(n), e = ts_node_end_point(n);
    out += std::string(ts_node_type(n)) + (ts_node_is_missing(n) ? "!" : "") + " " + std::to_string(start(n)) + "-" +
           std::to_string(end(n)) + " " + std::to_string(s.row) + ":" + std::to_string(s.column) + "-" +
           std::to_string(e.row) + ":" + std::to_string(e.column) + "\n";
    if (ts_tree_cursor_goto_first_child(&cur))
      continue;
    bool done = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur))
      if (!ts_tree_cursor_goto_parent(&cur)) {
        done = true;
        break;
      }
    if (done)
      break;
  }
  ts_tree_cursor_delete(&cur);
  return out;
}

std::string edited(const std::string &text, const std::vector<Replace> &edits) {
  std::string out;
  size_t pos = 0;
  for (const Replace &e : edits) {
    out.append(text, pos, e.offset - pos);
    out += e.text;
    pos = e.offset + e.length;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

std::vector<TextEdit> sizes(const std::vector<Replace> &edits) {
  std::vector<TextEdit> out;
  for (const Replace &e : edits)
    out.push_back({e.offset, e.length, e.text.size()});
  return out;
}

// The offset of the `nth` occurrence of `needle` in `text`; fails the test when there is none.
size_t at(const std::string &text, std::string_view needle, int nth = 0) {
  size_t pos = text.find(needle);
  while (pos != std::string::npos && nth-- > 0)
    pos = text.find(needle, pos + 1);
  REQUIRE(pos != std::string::npos);
  return pos;
}

struct Outcome {
  std::optional<size_t> incrementalError, freshError;
  bool freshRecovered = false; // the fresh tree has ERROR or MISSING nodes
  std::string incrementalSexp, freshSexp, incrementalPositions, freshPositions;
};

Outcome compare(const std::string &oldText, const std::string &newText, const std::vector<TextEdit> &edits) {
  Tree old = Tree::parse(oldText);
  Tree incremental = std::move(old).reparse(newText, edits);
  Tree fresh = Tree::parse(newText);
  Outcome o;
  o.incrementalError = incremental.firstError();
  o.freshError = fresh.firstError();
  o.freshRecovered = ts_node_has_error(fresh.root());
  o.incrementalSexp = sexp(incremental);
  o.freshSexp = sexp(fresh);
  o.incrementalPositions = positions(incremental);
  o.freshPositions = positions(fresh);
  return o;
}

// Reparses `oldText` with `edits` and checks it against a fresh parse; returns the first error.
std::optional<size_t> check(const std::string &oldText, const std::vector<Replace> &edits) {
  std::string newText = edited(oldText, edits);
  INFO("old text:\n" << oldText);
  INFO("new text:\n" << newText);
  Outcome o = compare(oldText, newText, sizes(edits));
  CHECK(o.incrementalError == o.freshError);
  CHECK(o.incrementalSexp == o.freshSexp);
  CHECK(o.incrementalPositions == o.freshPositions);
  return o.freshError;
}

const std::string kNested = "from google.cloud import bigquery\n"
                            "\n"
                            "\n"
                            "class Loader:\n"
                            "    def run(self, x):\n"
                            "        if x:\n"
                            "            for i in range(3):\n"
                            "                client = bigquery.Client()\n"
                            "                client.query(i)\n"
                            "        return None\n";
} // namespace

TEST_CASE("reparse: an import line inserted at the top") {
  CHECK_FALSE(check(kNested, {{0, 0, "from pools import get_bigquery_client\n"}}));
}

TEST_CASE("reparse: a call replaced inside nested indented blocks") {
  size_t call = at(kNested, "bigquery.Client()");
  CHECK_FALSE(check(kNested, {{call, std::string("bigquery.Client()").size(), "get_bigquery_client(project_id=x)"}}));
}

TEST_CASE("reparse: a whole statement line deleted") {
  size_t line = at(kNested, "                client.query(i)\n");
  CHECK_FALSE(check(kNested, {{line, std::string("                client.query(i)\n").size(), ""}}));
  // The import line, which the rest of the module follows.
  CHECK_FALSE(check(kNested, {{0, at(kNested, "\n") + 1, ""}}));
}

TEST_CASE("reparse: edits that change the number of lines") {
  size_t call = at(kNested, "bigquery.Client()");
  // One line becomes three (a call split over lines).
  CHECK_FALSE(check(kNested, {{call, std::string("bigquery.Client()").size(),
                               "get_bigquery_client(\n                    project_id=x,\n                )"}}));
  // Two blank lines removed, and two lines joined into one.
  std::string text = "import os\n\n\nx = (1,\n     2)\ny = x\n";
  CHECK_FALSE(check(text, {{at(text, "\n\n\n"), 3, "\n"}, {at(text, "(1,\n") + 3, 6, " "}}));
}

TEST_CASE("reparse: an unbalanced parenthesis is reported where a fresh parse reports it") {
  size_t call = at(kNested, "bigquery.Client()");
  auto err = check(kNested, {{call, std::string("bigquery.Client()").size(), "get_bigquery_client(project_id=x"}});
  CHECK(err.has_value());
  // And the reverse: an edit that repairs the file leaves no error behind.
  std::string broken = "def f():\n    return g(1\n\nx = 2\n";
  REQUIRE(Tree::parse(broken).firstError().has_value());
  CHECK_FALSE(check(broken, {{at(broken, "g(1") + 3, 0, ")"}}));
}

TEST_CASE("reparse: an unexpected indent is reported") {
  std::string text = "def f():\n    a = 1\n    b = 2\n";
  std::vector<Replace> edits{{at(text, "    b"), 0, "  "}};
  auto err = check(text, edits);
  REQUIRE(err.has_value());
  CHECK(*err == at(edited(text, edits), "b = 2"));
}

TEST_CASE("reparse: several edits in one file") {
  std::string text = kNested + "\n\ndef other():\n    c = bigquery.Client()\n    return c\n";
  size_t first = at(text, "bigquery.Client()"), second = at(text, "bigquery.Client()", 1);
  size_t n = std::string("bigquery.Client()").size();
  CHECK_FALSE(check(text, {{0, 0, "from pools import get_bigquery_client\n"},
                           {first, n, "get_bigquery_client(project_id=x)"},
                           {at(text, "                client.query(i)\n"), 32, ""},
                           {second, n, "get_bigquery_client(\n        project_id=None,\n    )"},
                           {text.size(), 0, "\nprint(1)\n"}}));
}

TEST_CASE("reparse: CRLF line endings") {
  std::string text = "import os\r\n\r\ndef f(x):\r\n    if x:\r\n        c = bigquery.Client()\r\n    return 1\r\n";
  CHECK_FALSE(check(text, {{0, 0, "from pools import get_bigquery_client\r\n"},
                           {at(text, "bigquery.Client()"), 17, "get_bigquery_client(\r\n            project_id=x)"}}));
  CHECK(check(text, {{at(text, "bigquery.Client()"), 17, "get_bigquery_client(project_id=x"}}).has_value());
}

TEST_CASE("reparse: non-ASCII text before the edit (columns are bytes)") {
  // "é", "ö" and the emoji are 2, 2 and 4 bytes: byte columns run ahead of character columns.
  std::string text = "# Größe 🚀\ndef f():\n    s = \"héllo wörld 🚀\"; c = bigquery.Client()\n    return s\n";
  size_t call = at(text, "bigquery.Client()");
  CHECK_FALSE(check(text, {{call, 17, "get_bigquery_client(project_id=\"ünïcode\")"}}));
  CHECK_FALSE(check(text, {{call, 17, "get_bigquery_client(\n        project_id=x)"}}));
  CHECK(check(text, {{call, 17, "get_bigquery_client(project_id=x"}}).has_value());
  // Non-ASCII in the replaced and the replacing text, with the rest of the line after it (its
  // nodes move by the edit's byte delta, not its character delta).
  std::string line = "x = f(\"é\", 1); y = [1, 2, 3]; z = {'a': (4, 5)}\nw = 6\n";
  CHECK_FALSE(check(line, {{at(line, "\"é\""), std::string("\"é\"").size(), "\"🚀🚀 ö\""}}));
  CHECK_FALSE(check(line, {{at(line, "\"é\""), std::string("\"é\"").size(), "b"}}));
  CHECK_FALSE(check(line, {{at(line, "1)"), 1, "\"ü\""}, {at(line, "2, 3"), 1, "'🚀'"}}));
}

TEST_CASE("reparse: no edits, an edit at the very end, and an emptied file") {
  CHECK_FALSE(check(kNested, {}));
  CHECK_FALSE(check(kNested, {{kNested.size(), 0, "x = 1\n"}}));
  CHECK(check(kNested, {{kNested.size(), 0, "x = (1\n"}}).has_value());
  CHECK_FALSE(check(kNested, {{0, kNested.size(), ""}}));
}

TEST_CASE("a parse does not inherit the f-string state of the parse before it") {
  // tree-sitter-python's scanner kept an "inside an f-string" flag from one parse to the next,
  // which hid the DEDENT before `y`: this valid text then parsed with an error.
  const std::string valid = "def f():\n    x = 1\ny = 2\n";
  REQUIRE_FALSE(Tree::parse(valid).firstError());
  const std::string unterminated = "x = f\"{a\n";
  CHECK(Tree::parse(unterminated).firstError().has_value());
  CHECK_FALSE(Tree::parse(valid).firstError());
  // An incremental parse that reuses the f-string's tokens ends with the flag set.
  const std::string fstring = "s = f\"ab {x} cd\"\n";
  CHECK_FALSE(check(fstring, {{at(fstring, "ab"), 2, "q"}}));
  CHECK_FALSE(Tree::parse(valid).firstError());
}

TEST_CASE("reparse: after a syntax error, error recovery may differ from a fresh parse") {
  // The error is found either way, but tree-sitter's recovery depends on what it reused: here the
  // fresh parse reads `P , x` as a pattern list with an ERROR for ':' (first error at 1), the
  // incremental one `P :` as an annotation with an ERROR for ',' (first error at 2). Callers
  // that report where the error is must take the position from a fresh parse.
  const std::string text = "PO = 1\ndef g(): pass\n";
  std::vector<Replace> edits{{1, 1, ":,x"}};
  Outcome o = compare(text, edited(text, edits), sizes(edits));
  CHECK(o.freshError.has_value());
  CHECK(o.incrementalError.has_value());
}

TEST_CASE("reparse: edits that do not describe the new text fall back to a full parse") {
  std::string newText = "x = 1\ny = (\n";
  Tree fresh = Tree::parse(newText);
  std::vector<std::vector<TextEdit>> wrong = {{{0, 3, 3}},                     // sizes do not add up
                                              {{4, 1, 2}, {0, 1, 1}},          // unsorted
                                              {{0, 4, 4}, {2, 1, 1}},          // overlapping
                                              {{kNested.size() + 1, 0, 100}}}; // past the end
  for (const auto &edits : wrong) {
    Tree t = Tree::parse(kNested);
    Tree re = std::move(t).reparse(newText, edits);
    CHECK(re.text() == newText);
    CHECK(re.firstError() == fresh.firstError());
    CHECK(sexp(re) == sexp(fresh));
  }
}

TEST_CASE("reparse: a reparsed tree can be reparsed again") {
  std::string text = kNested;
  Tree tree = Tree::parse(text);
  std::vector<std::string> texts{text}; // each tree's buffer must outlive it
  for (int round = 0; round < 4; ++round) {
    const std::string &cur = texts.back();
    size_t call = cur.find("bigquery.Client()");
    std::vector<Replace> edits = call == std::string::npos
                                     ? std::vector<Replace>{{0, 0, "# round\n"}}
                                     : std::vector<Replace>{{call, 17, "get_bigquery_client(project_id=x)"}};
    texts.push_back(edited(cur, edits));
    tree = std::move(tree).reparse(texts.back(), sizes(edits));
    Tree fresh = Tree::parse(texts.back());
    CHECK(tree.firstError() == fresh.firstError());
    CHECK(sexp(tree) == sexp(fresh));
    CHECK(positions(tree) == positions(fresh));
  }
}

namespace {
const char *const kSnippets[] = {
    kNested.c_str(),
    "import os\n"
    "from google.cloud import bigquery, storage\n"
    "\n"
    "PROJECT = os.environ.get(\"PROJECT\", 'dev')\n"
    "\n"
    "\n"
    "def load(rows, *, table=None):\n"
    "    \"\"\"Loads rows.\"\"\"\n"
    "    client = bigquery.Client(project=PROJECT)\n"
    "    try:\n"
    "        job = client.load_table_from_json(rows, table)\n"
    "    except Exception as e:  # noqa\n"
    "        raise RuntimeError(f\"load failed: {e}\") from e\n"
    "    else:\n"
    "        return job.result()\n"
    "    finally:\n"
    "        client.close()\n",
    "class A(B):\n"
    "    x: int = 1\n"
    "\n"
    "    @property\n"
    "    def y(self):\n"
    "        return [i * 2 for i in range(self.x) if i]\n"
    "\n"
    "    async def z(self):\n"
    "        async with lock:\n"
    "            await go({'a': 1, \"b\": (2, 3)}, lambda q: q)\n"
    "\n"
    "\n"
    "while True:\n"
    "    pass\n",
    "def report(rows):\n"
    "    for r in rows:\n"
    "        msg = f\"{r['id']}: {r.get('n', 0):>5} ({'ok' if r else 'no'})\"\n"
    "        print(msg, f'{msg!r}')\n"
    "    return f'''done\n{len(rows)}'''\n"
    "\n"
    "x = [f\"{a}\" for a in 'bc']\n",
    "def f(a,\r\n"
    "      b):\r\n"
    "    s = \"h\xC3\xA9llo\"  # caf\xC3\xA9 \xF0\x9F\x9A\x80\r\n"
    "    if a:\r\n"
    "        return (a +\r\n"
    "                b)\r\n"
    "    return s\r\n",
};

// Deterministic across standard libraries: mt19937's raw output is specified, the distributions
// are not.
struct Rng {
  std::mt19937 gen{20240611u};
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(gen() % n); }
};

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + static_cast<char>(c);
    else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else
      out += static_cast<char>(c);
  }
  return out + "\"";
}
} // namespace

namespace {
// Compares an incremental parse with a fresh one for each random case. What holds, and is
// checked: the incremental parse finds an error exactly when a fresh one does, and when the fresh
// tree has no ERROR or MISSING node the trees are the same, positions included (and so is the
// first error, an indentation one). What does not always hold: after an ERROR or MISSING node,
// recovery may differ (see above); those cases are counted and shown, not failed.
struct RandomRun {
  int iterations = 0, withErrors = 0, recoveryDiffers = 0;

  void compare(int i, const std::string &text, const std::vector<Replace> &edits) {
    std::string newText = edited(text, edits);
    Outcome o = ::compare(text, newText, sizes(edits));
    ++iterations;
    withErrors += o.freshError.has_value();
    if (o.incrementalError == o.freshError && o.incrementalSexp == o.freshSexp &&
        o.incrementalPositions == o.freshPositions)
      return;
    std::string where;
    for (const Replace &e : edits)
      where += " {" + std::to_string(e.offset) + ", " + std::to_string(e.length) + ", " + quote(e.text) + "}";
    auto show = [](std::optional<size_t> e) { return e ? std::to_string(*e) : std::string("none"); };
    std::string report = "iteration " + std::to_string(i) +
                         ": incremental and fresh parses differ\n  old text: " + quote(text) + "\n  edits:" + where +
                         "\n  new text: " + quote(newText) + "\n  firstError incremental " + show(o.incrementalError) +
                         ", fresh " + show(o.freshError) + "\n  incremental: " + o.incrementalSexp +
                         "\n  fresh:       " + o.freshSexp;
    if (o.freshRecovered && o.incrementalError) {
      ++recoveryDiffers;
      MESSAGE("error recovery differs (allowed): " << report);
    } else {
      FAIL_CHECK(report);
    }
  }

  void summary() const {
    MESSAGE(iterations << " random edits, " << withErrors << " left a syntax error, error recovery differed in "
                       << recoveryDiffers);
  }
};

bool identifierChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
} // namespace

TEST_CASE("reparse: random small edits agree with fresh parses") {
  static const char kAlphabet[] = "\n\n    ()::'\"xyab=.,#\t\\[]{}f";
  Rng rng;
  RandomRun run;
  for (int i = 0; i < 3000; ++i) {
    std::string text = kSnippets[rng.below(std::size(kSnippets))];
    // 1 to 3 edits, sorted and apart; each deletes 0-5 bytes and inserts 0-5.
    std::vector<Replace> edits;
    std::vector<size_t> offsets;
    for (size_t k = 1 + rng.below(3); k > 0; --k)
      offsets.push_back(rng.below(text.size() + 1));
    std::sort(offsets.begin(), offsets.end());
    size_t pos = 0;
    for (size_t off : offsets) {
      if (off < pos)
        continue;
      size_t del = std::min(rng.below(6), text.size() - off);
      std::string ins;
      for (size_t n = rng.below(6); n > 0; --n)
        ins += kAlphabet[rng.below(sizeof kAlphabet - 1)];
      edits.push_back({off, del, ins});
      pos = off + del;
    }
    run.compare(i, text, edits);
  }
  run.summary();
  // The alphabet must break the text often enough for error recovery to be exercised.
  CHECK(run.withErrors > run.iterations / 4);
}

TEST_CASE("reparse: random rewrites of names and lines agree with fresh parses") {
  // Edits like the rewriter's, which mostly leave the file valid: a name becomes an expression
  // (possibly over several lines), a line is deleted or repeated, a line of another snippet is
  // inserted at this line's indentation.
  static const char *const kExpressions[] = {
      "x", "get_bigquery_client(project_id=x)", "f(a, b)", "self.y", "None", "(1,\n 2)", "[\n]", "f\"{a}\""};
  Rng rng;
  RandomRun run;
  for (int i = 0; i < 3000; ++i) {
    std::string text = kSnippets[rng.below(std::size(kSnippets))];
    std::vector<Replace> edits;
    std::vector<size_t> offsets;
    for (size_t k = 1 + rng.below(3); k > 0; --k)
      offsets.push_back(rng.below(text.size() + 1));
    std::sort(offsets.begin(), offsets.end());
    size_t pos = 0;
    for (size_t off : offsets) {
      size_t lineStart = text.rfind('\n', off == 0 ? 0 : off - 1);
      lineStart = (lineStart == std::string::npos || off == 0) ? 0 : lineStart + 1;
      size_t lineEnd = text.find('\n', lineStart);
      lineEnd = lineEnd == std::string::npos ? text.size() : lineEnd + 1;
      switch (rng.below(4)) {
      case 0: { // the name at or after `off`, whole
        size_t b = off, e;
        while (b < text.size() && !identifierChar(text[b]))
          ++b;
        while (b > 0 && identifierChar(text[b - 1]))
          --b;
        for (e = b; e < text.size() && identifierChar(text[e]);)
          ++e;
        if (b < pos || b == e)
          continue;
        edits.push_back({b, e - b, kExpressions[rng.below(std::size(kExpressions))]});
        pos = e;
        break;
      }
      case 1:
        if (lineStart < pos)
          continue;
        edits.push_back({lineStart, lineEnd - lineStart, ""});
        pos = lineEnd;
        break;
      case 2:
        if (lineStart < pos)
          continue;
        edits.push_back({lineStart, 0, text.substr(lineStart, lineEnd - lineStart)});
        pos = lineStart;
        break;
      default: {
        if (lineStart < pos)
          continue;
        std::string other = kSnippets[rng.below(std::size(kSnippets))];
        size_t from = other.rfind('\n', rng.below(other.size()));
        from = from == std::string::npos ? 0 : from + 1;
        size_t to = other.find('\n', from);
        std::string line = other.substr(from, to == std::string::npos ? std::string::npos : to + 1 - from);
        line.erase(0, line.find_first_not_of(' '));
        size_t indent = std::min(text.find_first_not_of(' ', lineStart), text.size()) - lineStart;
        if (line.empty() || line.back() != '\n')
          line += '\n';
        edits.push_back({lineStart, 0, std::string(indent, ' ') + line});
        pos = lineStart;
        break;
      }
      }
    }
    run.compare(i, text, edits);
  }
  run.summary();
  // Most of these must leave a valid file, or the clean trees would hardly be compared.
  CHECK(run.iterations - run.withErrors > run.iterations / 3);
}

TEST_CASE("an unexpected indent is found in the block of every kind of compound statement") {
  // tree-sitter accepts a statement indented deeper than its siblings; CPython does not. The
  // check enters only nodes that can hold a block, so every kind of block must be reached.
  const char *bodies[] = {
      "if a:\n    x = 1\n      y = 2\n",
      "if a:\n    pass\nelif b:\n    x = 1\n      y = 2\n",
      "if a:\n    pass\nelse:\n    x = 1\n      y = 2\n",
      "for i in a:\n    x = 1\n      y = 2\n",
      "for i in a:\n    pass\nelse:\n    x = 1\n      y = 2\n",
      "async def f():\n    async for i in a:\n        x = 1\n          y = 2\n",
      "while a:\n    x = 1\n      y = 2\n",
      "try:\n    x = 1\n      y = 2\nexcept E:\n    pass\n",
      "try:\n    pass\nexcept E as e:\n    x = 1\n      y = 2\n",
      "try:\n    pass\nexcept* E:\n    x = 1\n      y = 2\n",
      "try:\n    pass\nfinally:\n    x = 1\n      y = 2\n",
      "try:\n    pass\nexcept E:\n    pass\nelse:\n    x = 1\n      y = 2\n",
      "with a as b:\n    x = 1\n      y = 2\n",
      "async def f():\n    async with a:\n        x = 1\n          y = 2\n",
      "def f():\n    x = 1\n      y = 2\n",
      "@dec\ndef f():\n    x = 1\n      y = 2\n",
      "class C:\n    x = 1\n      y = 2\n",
      "@dec\nclass C:\n    def m(self):\n        x = 1\n          y = 2\n",
      "match a:\n    case 1:\n        x = 1\n          y = 2\n",
      "def f():\n    if a:\n        for i in b:\n            with c:\n                x = 1\n                  y = 2\n",
  };
  for (const char *body : bodies) {
    std::string text = std::string("import os\n\n") + body;
    Tree t = Tree::parse(text);
    auto err = t.firstError();
    INFO(text);
    REQUIRE(err);
    CHECK(*err == text.find("y = 2"));
    // And the same text correctly indented has no error.
    std::string fixed = text;
    size_t y = fixed.find("y = 2");
    fixed.erase(y - 2, 2);
    INFO(fixed);
    CHECK_FALSE(Tree::parse(fixed).firstError());
  }
}

// A kind looked up by symbol id is the kind ts_node_type names, for every named node of a file that
// uses aliased nodes (tree-sitter-python aliases several rules, e.g. a dotted name's parts), and -1
// for a kind not listed.
namespace {
// Every node of the tree, named or not (children before their later siblings' subtrees).
std::vector<TSNode> everyNode(const poolify::py::Tree &tree) {
  std::vector<TSNode> out, todo{tree.root()};
  while (!todo.empty()) {
    TSNode n = todo.back();
    todo.pop_back();
    out.push_back(n);
    for (uint32_t i = 0; i < ts_node_child_count(n); ++i)
      todo.push_back(ts_node_child(n, i));
  }
  return out;
}
} // namespace

TEST_CASE("a node's kind by symbol id is the kind its type names") {
  std::string text = "import a.b as c\nfrom . import d\nclass K(object):\n    def f(self, x=1):\n"
                     "        return [y async for y in x if not y] or print(f'{x!r}', *x, **{})\n";
  poolify::py::Tree tree = poolify::py::Tree::parse(text);
  const std::vector<std::string_view> names = {"identifier",     "dotted_name",  "call",         "keyword_argument",
                                               "aliased_import", "string_start", "not_operator", "attribute"};
  static const std::vector<int8_t> kinds =
      poolify::py::symbolKinds({"identifier", "dotted_name", "call", "keyword_argument", "aliased_import",
                                "string_start", "not_operator", "attribute"});
  size_t seen = 0, listed = 0;
  for (TSNode n : everyNode(tree)) {
    if (!ts_node_is_named(n))
      continue;
    ++seen;
    auto at = std::find(names.begin(), names.end(), poolify::py::type(n));
    int expected = at == names.end() ? -1 : static_cast<int>(at - names.begin());
    CHECK_MESSAGE(poolify::py::kindOf(kinds, n) == expected, poolify::py::type(n));
    listed += expected >= 0;
  }
  CHECK(seen > 30);
  CHECK(listed > 10);
}

TEST_CASE("a node's type from the symbol table is the one tree-sitter names, for every node") {
  // Named and anonymous nodes, aliased ones (keywords used as names, `match` and `print` as
  // identifiers, patterns), and error nodes (past the table: tree-sitter names them).
  std::string text = "import a.b as c\nfrom .x import (d, e as f)\nprint = exec = match = 1\n"
                     "match command.split():\n    case [\"go\", d] if d: pass\n    case {\"k\": v, **rest}: pass\n"
                     "    case Point(x=0) | None as p: pass\n"
                     "@dec\nasync def g(a, /, b: int = 2, *c, d, **e) -> None:\n"
                     "    global z\n    async with x as (y, w): await y\n    return lambda q=1: q ** -2\n"
                     "type T = list[int]\nx = f'{a!r:>{w}}' rb'\\x00' 0x_1 1j ... not a in b\n"
                     "del x[1:2, ::3], y.z\ntry:\n    pass\nexcept* (E, F) as err:\n    raise X from err\n"
                     "x = = 1\nprint 'py2'\n";
  poolify::py::Tree tree = poolify::py::Tree::parse(text);
  size_t seen = 0, errors = 0;
  for (TSNode n : everyNode(tree)) {
    ++seen;
    errors += ts_node_is_error(n);
    std::string_view expected = ts_node_type(n);
    CHECK_MESSAGE(poolify::py::type(n) == expected, expected);
    CHECK(poolify::py::is(n, expected));
    CHECK_FALSE(poolify::py::is(n, std::string(expected) + "_"));
  }
  CHECK(seen > 300);
  CHECK(errors > 0);
  CHECK_FALSE(poolify::py::is(TSNode{}, "identifier"));
}

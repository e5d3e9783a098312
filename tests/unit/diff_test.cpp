// Diffs are what reviewers read and what `git apply` takes.
#include "output/diff.h"

#include <doctest/doctest.h>

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

using poolify::output::unifiedDiff;

TEST_CASE("equal texts give no diff") { CHECK(unifiedDiff("a\nb\n", "a\nb\n", "x.py").empty()); }

TEST_CASE("one changed line gives one hunk with context") {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n", after = "1\n2\n3\n4\nFIVE\n6\n7\n8\n";
  CHECK(unifiedDiff(before, after, "p/x.py") == "diff --git a/p/x.py b/p/x.py\n--- a/p/x.py\n+++ b/p/x.py\n"
                                                "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n");
}

TEST_CASE("a missing final newline is marked") {
  auto d = unifiedDiff("a\nb", "a\nc", "x.py");
  CHECK(d.find("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n") != std::string::npos);
}

TEST_CASE("distant changes make separate hunks") {
  std::string before, after;
  for (int i = 0; i < 30; ++i) {
    before += std::to_string(i) + "\n";
    after += (i == 2 || i == 25 ? "x" : std::to_string(i)) + "\n";
  }
  auto d = unifiedDiff(before, after, "x.py");
  CHECK(d.find("@@ -1,6 +1,6 @@") != std::string::npos);
  CHECK(d.find("@@ -23,7 +23,7 @@") != std::string::npos);
}

// Was a bug (fixed): names with a tab or a newline were not quoted, so `git apply` failed on the
// diff. Every expected string below is what `git diff` (core.quotePath on, its default) printed
// for a file of that name.
TEST_CASE("diff headers quote names exactly as git does") {
  using poolify::output::gitQuoted;
  CHECK(gitQuoted("a/", "plain/name.py") == "a/plain/name.py");
  CHECK(gitQuoted("a/", "sp ace.py") == "a/sp ace.py");
  CHECK(gitQuoted("a/", "na\tme.py") == "\"a/na\\tme.py\"");
  CHECK(gitQuoted("b/", "new\nline.py") == "\"b/new\\nline.py\"");
  CHECK(gitQuoted("a/", "caf\xc3\xa9.py") == "\"a/caf\\303\\251.py\"");
  CHECK(gitQuoted("a/", "q\"uote.py") == "\"a/q\\\"uote.py\"");
  CHECK(gitQuoted("a/", "back\\slash.py") == "\"a/back\\\\slash.py\"");
  CHECK(gitQuoted("a/", "bell\a.py") == "\"a/bell\\a.py\"");
  CHECK(gitQuoted("a/", "del\x7f.py") == "\"a/del\\177.py\"");
  CHECK(gitQuoted("a/", "esc\x1b.py") == "\"a/esc\\033.py\"");
}

TEST_CASE("a name with a space gets a tab after it on the --- and +++ lines, as git writes it") {
  CHECK(unifiedDiff("a\n", "b\n", "sp ace.py")
            .rfind("diff --git a/sp ace.py b/sp ace.py\n--- a/sp ace.py\t\n"
                   "+++ b/sp ace.py\t\n@@ -1 +1 @@\n",
                   0) == 0);
  CHECK(unifiedDiff("a\n", "b\n", "sp ace\ttab.py")
            .rfind("diff --git \"a/sp ace\\ttab.py\" \"b/sp ace\\ttab.py\"\n--- \"a/sp ace\\ttab.py\"\t\n", 0) == 0);
}

TEST_CASE("an absolute path is made relative to the current folder") {
  // Was a bug (fixed): `poolify migrate ../x.py` printed `a//tmp/.../x.py`.
  llvm::SmallString<256> cwd;
  REQUIRE_FALSE(static_cast<bool>(llvm::sys::fs::current_path(cwd)));
  std::string parent = llvm::sys::path::parent_path(cwd).str();
  CHECK(poolify::output::relativeToCurrentDir(parent + "/other/x.py") == "../other/x.py");
  CHECK(poolify::output::relativeToCurrentDir(std::string(cwd) + "/sub/x.py") == "sub/x.py");
  CHECK(poolify::output::relativeToCurrentDir("rel/x.py") == "rel/x.py");
  CHECK(unifiedDiff("a\n", "b\n", parent + "/other/x.py").rfind("diff --git a/../other/x.py b/../other/x.py\n", 0) ==
        0);
}

namespace {
// Applies a unified diff of one file (as unifiedDiff writes it) to `before`.
std::string applyDiff(const std::string &before, const std::string &diff) {
  std::vector<std::string> a, out;
  for (size_t i = 0; i < before.size();) {
    size_t nl = before.find('\n', i);
    size_t e = nl == std::string::npos ? before.size() : nl + 1;
    a.push_back(before.substr(i, e - i));
    i = e;
  }
  size_t ai = 0;
  std::vector<std::string> lines;
  for (size_t i = 0; i < diff.size();) {
    size_t nl = diff.find('\n', i);
    size_t e = nl == std::string::npos ? diff.size() : nl + 1;
    lines.push_back(diff.substr(i, e - i));
    i = e;
  }
  for (size_t k = 0; k < lines.size(); ++k) {
    const std::string &l = lines[k];
    bool noNewline = k + 1 < lines.size() && lines[k + 1].rfind("\\ No newline", 0) == 0;
    std::string body = l.substr(1);
    if (noNewline)
      body.pop_back();
    if (l.rfind("@@ -", 0) == 0) {
      size_t start = std::stoul(l.substr(4));
      size_t to = start == 0 ? 0 : start - 1;
      while (ai < to)
        out.push_back(a[ai++]);
    } else if (l[0] == ' ' && l.rfind("diff", 0) != 0) {
      out.push_back(a[ai++]);
    } else if (l[0] == '-' && l.rfind("---", 0) != 0) {
      ++ai;
    } else if (l[0] == '+' && l.rfind("+++", 0) != 0) {
      out.push_back(body);
    }
  }
  while (ai < a.size())
    out.push_back(a[ai++]);
  std::string s;
  for (const auto &x : out)
    s += x;
  return s;
}
} // namespace

TEST_CASE("random edits: the diff applied gives the new text") {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::string before, after;
    int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      // Few distinct lines, so that many are not unique (the fallback to Myers is exercised too).
      std::string line = rng() % 3 ? "x" + std::to_string(rng() % 5) : "u" + std::to_string(i);
      before += line + "\n";
      switch (rng() % 6) {
      case 0:
        break; // deleted
      case 1:
        after += "new" + std::to_string(i) + "\n";
        break; // replaced
      case 2:
        after += line + "\nadded\n";
        break; // followed by a new line
      default:
        after += line + "\n";
      }
    }
    if (rng() % 4 == 0 && !after.empty())
      after.pop_back(); // no final newline
    CAPTURE(before);
    CAPTURE(after);
    CHECK(applyDiff(before, unifiedDiff(before, after, "x.py")) == after);
  }
}

TEST_CASE("a diff of thousands of spread changes takes linear memory and time") {
  // Was a bug (fixed): Myers' trace kept a copy of its whole V array per step: 4,000 rewritten
  // sites (8,000 changed lines among 24,000) took 2 GB and most of 9 s in unifiedDiff.
  std::string before, after;
  for (int i = 0; i < 20000; ++i) {
    before += "def f" + std::to_string(i) + "():\n    return bigquery.Client()\n\n\n";
    after += "def f" + std::to_string(i) + "():\n    return get_bigquery_client(project_id=P)\n\n\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  std::string d = unifiedDiff(before, after, "x.py");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(seconds < 2.0);
  CHECK(applyDiff(before, d) == after);
}

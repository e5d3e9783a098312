// Diffs are what reviewers read and what `git apply` takes.
#include "output/diff.h"

#include <doctest/doctest.h>

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

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
  CHECK(unifiedDiff("a\n", "b\n", "sp ace.py").rfind("diff --git a/sp ace.py b/sp ace.py\n--- a/sp ace.py\t\n"
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
  CHECK(unifiedDiff("a\n", "b\n", parent + "/other/x.py").rfind("diff --git a/../other/x.py b/../other/x.py\n", 0) == 0);
}

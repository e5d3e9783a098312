// Diffs are what reviewers read and what `git apply` takes.
#include "output/diff.h"

#include <doctest/doctest.h>

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

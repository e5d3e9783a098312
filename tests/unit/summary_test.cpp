// The documents and summary lines of the commands that print more than a run's files: check's
// --summary-markdown, rules list/validate/test, pools init's file list (printers), and the one-line
// summaries of migrate, check, report, manifest and pools init (output/summary.h) with the totals
// they are worded from (model/summary.h).
#include "model/summary.h"
#include "output/printer.h"
#include "output/summary.h"

#include <doctest/doctest.h>

#include <llvm/Support/raw_ostream.h>

using namespace poolify;
using output::Format;

namespace {

std::string finished(Format format, const output::Document &doc) {
  std::string out;
  llvm::raw_string_ostream os(out);
  output::makePrinter(format, os)->finish(doc);
  return os.str();
}

} // namespace

TEST_CASE("check summary: passed or failed, the result sentence, then the manifest in Markdown") {
  model::CheckTotals totals;
  totals.errors = 2;
  totals.warnings = 1;
  totals.baselined = 3;
  model::Manifest m;
  output::Document doc;
  doc.check = &totals;
  doc.manifest = &m;
  doc.exitCode = 1;
  std::string text = finished(Format::CheckSummary, doc);
  CHECK(text.rfind("## poolify check: failed\n\n2 direct sites fail the check, 1 warning (3 in the baseline, 0 "
                   "ignored by comment).\n\n",
                   0) == 0);
  CHECK(text.size() > 100); // the manifest follows
  doc.exitCode = 0;
  CHECK(finished(Format::CheckSummary, doc).rfind("## poolify check: passed\n", 0) == 0);
}

TEST_CASE("rules list, validate and test") {
  rules::Rule r;
  r.id = "bigquery";
  r.file = "rules/bigquery.yaml";
  r.description = "BigQuery clients come from the shared pool.";
  rules::Rewrite rw;
  rw.match = {"google.cloud.bigquery.Client"};
  rw.replace.module = "shared.clients";
  rw.replace.function = "bigquery_client";
  r.rewrites.push_back(rw);
  std::vector<rules::Rule> rules{r};
  output::Document doc;
  doc.rules = &rules;
  CHECK(finished(Format::RuleList, doc) == "bigquery\trules/bigquery.yaml\tBigQuery clients come from the shared "
                                           "pool.\n  google.cloud.bigquery.Client -> shared.clients.bigquery_client\n");
  CHECK(finished(Format::RuleValidation, doc) == "1 rule file is valid\n");

  std::vector<model::ExampleResult> examples(2);
  examples[0].passed = true;
  examples[1] = {"rules/bigquery.yaml", "bigquery#2 (aliased)", "example_2.py", "a = 1\n", "a = 2\n", {"why"}, false};
  doc.examples = &examples;
  CHECK(finished(Format::RuleTests, doc) ==
        "FAIL rules/bigquery.yaml: bigquery#2 (aliased)\n  why\n"
        "diff --git a/expected-vs-actual/example_2.py b/expected-vs-actual/example_2.py\n"
        "--- a/expected-vs-actual/example_2.py\n"
        "+++ b/expected-vs-actual/example_2.py\n"
        "@@ -1 +1 @@\n-a = 1\n+a = 2\n"
        "rules test: 1 passed, 1 failed\n");
}

TEST_CASE("file list: one path a line") {
  std::vector<std::string> files{"shared/__init__.py", "shared/clients.py"};
  output::Document doc;
  doc.files = &files;
  CHECK(finished(Format::FileList, doc) == "shared/__init__.py\nshared/clients.py\n");
}

TEST_CASE("summary lines: migrate, check, missing pools, pools init") {
  model::MigrateTally t;
  t.changed = 2;
  t.rewritten = 3;
  t.left = 1;
  t.unsafe = 1;
  t.patches = 2;
  t.patchesLeft = 1;
  CHECK(output::migrateSummary(t, 5, false) ==
        "poolify: scanned 5 files, would change 2, rewrote 3 sites, removed 0 overrides, left 1 site (1 of them "
        "fixable with --unsafe-fixes), retargeted 2 test patches (1 needs a hand fix)\n");
  t.errors = 1;
  CHECK(output::migrateSummary(t, 1, true).find("changed 2,") != std::string::npos);
  CHECK(output::migrateSummary(t, 1, true).find(", 1 file with errors\n") != std::string::npos);

  model::CheckTotals c;
  c.errors = 1;
  c.unsafeFixable = 2;
  CHECK(output::checkResult(c) == "1 direct site fails the check, 0 warnings (0 in the baseline, 0 ignored by "
                                  "comment); 2 more fixable with --unsafe-fixes");

  // Files that could not be analyzed fail the check too, and are not counted as direct sites.
  c.unanalyzable = 1;
  c.unsafeFixable = 0;
  CHECK(output::checkResult(c).find("1 file that could not be analyzed fails the check, 0 warnings") == 0);
  c.errors = 4;
  CHECK(output::checkResult(c).find("3 direct sites and 1 file that could not be analyzed fail the check") == 0);
  model::Baseline b;
  b.entries[{"a.py", "bigquery", "c = bigquery.Client()"}] = 2;
  b.entries[{"b.py", "syntax", "print 'x'"}] = 1;
  CHECK(output::baselineSummary(b, "base.json") ==
        "poolify: wrote a baseline of 2 direct sites and 1 file that could not be analyzed to base.json\n");

  CHECK(output::missingPoolsSummary({{"shared.clients", 1}, {"shared.http", 2}}) ==
        "poolify: 1 site left because shared.clients is not importable where it runs; `poolify pools init` writes "
        "it\npoolify: 2 sites left because shared.http is not importable where they run; `poolify pools init` "
        "writes it\n");
  CHECK(output::poolWrittenSummary("shared.clients", ".", "bigquery", "rules/templates/clients.py", 1) ==
        "poolify: wrote shared.clients for . (bigquery rule, from rules/templates/clients.py): 1 file\n");
}

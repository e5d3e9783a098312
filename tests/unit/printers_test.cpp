// Every output format is a Printer over one model of a run: the exact bytes each prints for a
// small hand-built run (formats documented in README.md and docs/manifest.md).
#include "testing.h"

#include "model/manifest.h"
#include "output/manifest.h"
#include "output/printer.h"
#include "output/printers.h"

#include <doctest/doctest.h>

#include <llvm/Support/raw_ostream.h>

using namespace poolify;
using model::Outcome;
using model::SiteRecord;
using output::Format;

namespace {

SiteRecord record(SiteRecord::Kind kind, unsigned line, unsigned col, const std::string &rule,
                  const std::string &callable, Outcome outcome, const std::string &reason = "") {
  SiteRecord r;
  r.kind = kind;
  r.line = line;
  r.col = col;
  r.rule = rule;
  r.callable = callable;
  r.outcome = outcome;
  r.reason = reason;
  return r;
}

// A small run: jobs/load.py is rewritten, jobs/legacy.py keeps two direct sites (and has a pooled
// one, and a class inheriting a pooled client), tools/broken.py could not be parsed.
struct Run {
  std::vector<model::FileOutcome> outcomes;
  std::vector<model::Finding> findings;
  model::Baseline baseline;
  model::Manifest before, after;
  std::vector<rules::Rule> rules;
  output::Document doc;

  Run() {
    model::FileOutcome load;
    load.file = {"/repo/jobs/load.py", "jobs/load.py"};
    load.original = "from google.cloud import bigquery\n\n\ndef f(project_id):\n    return bigquery.Client()\n";
    load.updated = "from shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
                   "def f(project_id):\n    return get_bigquery_client(project_id=project_id)\n";
    load.edits.push_back({0, load.original.size(), load.updated});
    load.rewritten = 1;
    load.records.push_back(
        record(SiteRecord::Kind::Direct, 5, 12, "bigquery", "google.cloud.bigquery.Client", Outcome::Rewritten));
    load.messages.push_back({5, 12, "jobs/load.py:5:12: bigquery: project_id from project_id", false});

    model::FileOutcome legacy;
    legacy.file = {"/repo/jobs/legacy.py", "jobs/legacy.py"};
    legacy.original = "unchanged\n";
    legacy.left = 2;
    legacy.records.push_back(record(SiteRecord::Kind::Direct, 4, 12, "bigquery", "google.cloud.bigquery.Client",
                                    Outcome::Left, "keyword 'credentials' is not supported by the pool"));
    legacy.records.back().ignore = "bigquery";
    legacy.records.push_back(record(SiteRecord::Kind::Reference, 6, 11, "bigquery", "google.cloud.bigquery.Client",
                                    Outcome::Left, "reference to google.cloud.bigquery.Client is not a call"));
    legacy.records.push_back(
        record(SiteRecord::Kind::Pooled, 8, 5, "http", "shared.clients.http_pool.get", Outcome::Rewritten));
    legacy.messages.push_back(
        {4, 12, "jobs/legacy.py:4:12: bigquery: left: keyword 'credentials' is not supported by the pool", false});
    legacy.messages.push_back(
        {6, 11, "jobs/legacy.py:6:11: bigquery: left: reference to google.cloud.bigquery.Client is not a call", false});

    model::FileOutcome broken;
    broken.file = {"/repo/tools/broken.py", "tools/broken.py"};
    broken.failed = true;
    broken.messages.push_back({3, 1, "tools/broken.py:3:1: error: syntax error; file not rewritten", true});

    outcomes = {load, legacy, broken};
    std::vector<std::string> categories{"jobs", "jobs", "other"};
    std::vector<std::vector<model::Inherited>> inherited{
        {}, {{"Child", "bq_client", "bigquery", "Base", "pooled", ""}}, {}};
    before = model::buildManifest(
        outcomes, categories, inherited,
        {{"tests/test_load.py", 3, 7, "jobs.load.bigquery.Client", "jobs/load.py", 5, 12, "bigquery"}});
    std::vector<model::FileOutcome> migrated = outcomes;
    migrated[0].records[0].kind = SiteRecord::Kind::Pooled;
    after = model::buildManifest(migrated, categories, inherited);

    findings.push_back({"jobs/legacy.py", 6, 11, "bigquery",
                        "direct reference to google.cloud.bigquery.Client; not rewritable: reference to "
                        "google.cloud.bigquery.Client is not a call",
                        true});
    findings.push_back(
        {"odd dir/a,b.py", 2, 3, "http", "direct http client (requests.get); poolify migrate rewrites it", true});
    findings.push_back({"tests/test_load.py", 3, 7, "bigquery",
                        "mock target 'jobs.load.bigquery.Client' stops intercepting once jobs/load.py:5 uses the pool; "
                        "patch the pool function instead",
                        false});
    baseline.entries[{"jobs/legacy.py", "bigquery", "factory = bigquery.Client"}] = 2;

    rules::Rule bq;
    bq.id = "bigquery";
    bq.description = "BigQuery clients come from the shared pool.";
    rules.push_back(bq);

    doc.title = "01-jobs";
    doc.rules = &rules;
    doc.texts = [](const model::FileOutcome &o) -> llvm::Expected<model::Texts> {
      return model::Texts{o.original, o.changed() ? o.updated : o.original};
    };
    doc.findings = &findings;
    doc.baseline = &baseline;
    doc.manifest = &before;
    doc.after = &after;
  }

  // What a `format` printer prints when fed every outcome, in order, and finished.
  std::string print(Format format, output::PrinterOptions options = {}) const {
    std::string out;
    llvm::raw_string_ostream os(out);
    auto printer = output::makePrinter(format, os, options);
    REQUIRE(printer != nullptr);
    for (const auto &o : outcomes) {
      llvm::Error e = printer->file(doc, o);
      CHECK_FALSE(static_cast<bool>(e));
      llvm::consumeError(std::move(e));
    }
    printer->finish(doc);
    return os.str();
  }
};

} // namespace

TEST_CASE("diff: a git-style unified diff of each changed file, nothing for the others") {
  Run run;
  CHECK(run.print(Format::Diff) == "diff --git a/jobs/load.py b/jobs/load.py\n"
                                   "--- a/jobs/load.py\n"
                                   "+++ b/jobs/load.py\n"
                                   "@@ -1,5 +1,5 @@\n"
                                   "-from google.cloud import bigquery\n"
                                   "+from shared.clients.bigquery_pool import get_bigquery_client\n"
                                   " \n"
                                   " \n"
                                   " def f(project_id):\n"
                                   "-    return bigquery.Client()\n"
                                   "+    return get_bigquery_client(project_id=project_id)\n");
}

TEST_CASE("diff: colours only when asked") {
  Run run;
  std::string plain = run.print(Format::Diff), coloured = run.print(Format::Diff, {true, false});
  CHECK(plain.find('\x1b') == std::string::npos);
  CHECK(coloured.find("\x1b[") != std::string::npos);
  CHECK(coloured.find("-    return bigquery.Client()") != std::string::npos);
}

TEST_CASE("diff: a file whose texts cannot be read again is the caller's error, and is not printed") {
  Run run;
  run.doc.texts = [](const model::FileOutcome &o) -> llvm::Expected<model::Texts> {
    return llvm::createStringError(std::errc::io_error, "%s: changed on disk since it was read",
                                   o.file->display().c_str());
  };
  std::string out;
  llvm::raw_string_ostream os(out);
  auto printer = output::makePrinter(Format::Diff, os);
  llvm::Error e = printer->file(run.doc, run.outcomes[0]);
  REQUIRE(static_cast<bool>(e));
  CHECK(llvm::toString(std::move(e)) == "jobs/load.py: changed on disk since it was read");
  CHECK(os.str() == "");
}

TEST_CASE("explain: errors always, every decision only with explain") {
  Run run;
  CHECK(run.print(Format::Explain) == "tools/broken.py:3:1: error: syntax error; file not rewritten\n");
  CHECK(run.print(Format::Explain, {false, true}) ==
        "jobs/load.py:5:12: bigquery: project_id from project_id\n"
        "jobs/legacy.py:4:12: bigquery: left: keyword 'credentials' is not supported by the pool\n"
        "jobs/legacy.py:6:11: bigquery: left: reference to google.cloud.bigquery.Client is not a call\n"
        "tools/broken.py:3:1: error: syntax error; file not rewritten\n");
}

TEST_CASE("text: one editor-clickable line per finding, warnings marked") {
  Run run;
  CHECK(run.print(Format::Text) ==
        "jobs/legacy.py:6:11: bigquery: direct reference to google.cloud.bigquery.Client; not rewritable: reference to "
        "google.cloud.bigquery.Client is not a call\n"
        "odd dir/a,b.py:2:3: http: direct http client (requests.get); poolify migrate rewrites it\n"
        "tests/test_load.py:3:7: warning: bigquery: mock target 'jobs.load.bigquery.Client' stops intercepting once "
        "jobs/load.py:5 uses the pool; patch the pool function instead\n");
}

TEST_CASE("json: schema_version 1, the findings and a summary") {
  Run run;
  CHECK(run.print(Format::Json) ==
        "{\n"
        "  \"findings\": [\n"
        "    {\n"
        "      \"column\": 11,\n"
        "      \"line\": 6,\n"
        "      \"message\": \"direct reference to google.cloud.bigquery.Client; not rewritable: reference to "
        "google.cloud.bigquery.Client is not a call\",\n"
        "      \"path\": \"jobs/legacy.py\",\n"
        "      \"rule\": \"bigquery\",\n"
        "      \"severity\": \"error\"\n"
        "    },\n"
        "    {\n"
        "      \"column\": 3,\n"
        "      \"line\": 2,\n"
        "      \"message\": \"direct http client (requests.get); poolify migrate rewrites it\",\n"
        "      \"path\": \"odd dir/a,b.py\",\n"
        "      \"rule\": \"http\",\n"
        "      \"severity\": \"error\"\n"
        "    },\n"
        "    {\n"
        "      \"column\": 7,\n"
        "      \"line\": 3,\n"
        "      \"message\": \"mock target 'jobs.load.bigquery.Client' stops intercepting once jobs/load.py:5 uses the "
        "pool; patch the pool function instead\",\n"
        "      \"path\": \"tests/test_load.py\",\n"
        "      \"rule\": \"bigquery\",\n"
        "      \"severity\": \"warning\"\n"
        "    }\n"
        "  ],\n"
        "  \"schema_version\": 1,\n"
        "  \"summary\": {\n"
        "    \"errors\": 2,\n"
        "    \"warnings\": 1\n"
        "  }\n"
        "}\n");
}

TEST_CASE("sarif: SARIF 2.1.0 with the rules, results, locations and fingerprints") {
  Run run;
  // Fingerprints: a hash of path, rule and code (no line numbers) and the occurrence of that key.
  CHECK(
      run.print(Format::Sarif) ==
      "{\n"
      "  \"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\",\n"
      "  \"runs\": [\n"
      "    {\n"
      "      \"columnKind\": \"unicodeCodePoints\",\n"
      "      \"invocations\": [\n"
      "        {\n"
      "          \"executionSuccessful\": true,\n"
      "          \"exitCode\": 0\n"
      "        }\n"
      "      ],\n"
      "      \"originalUriBaseIds\": {\n"
      "        \"%SRCROOT%\": {\n"
      "          \"description\": {\n"
      "            \"text\": \"The folder poolify check ran in: result paths are relative to it\"\n"
      "          }\n"
      "        }\n"
      "      },\n"
      "      \"results\": [\n"
      "        {\n"
      "          \"level\": \"error\",\n"
      "          \"locations\": [\n"
      "            {\n"
      "              \"physicalLocation\": {\n"
      "                \"artifactLocation\": {\n"
      "                  \"uri\": \"jobs/legacy.py\",\n"
      "                  \"uriBaseId\": \"%SRCROOT%\"\n"
      "                },\n"
      "                \"region\": {\n"
      "                  \"startColumn\": 11,\n"
      "                  \"startLine\": 6\n"
      "                }\n"
      "              }\n"
      "            }\n"
      "          ],\n"
      "          \"message\": {\n"
      "            \"text\": \"direct reference to google.cloud.bigquery.Client; not rewritable: reference to "
      "google.cloud.bigquery.Client is not a call\"\n"
      "          },\n"
      "          \"partialFingerprints\": {\n"
      "            \"poolifySite/v2\": \"0867cb4b83bb7450:1\"\n"
      "          },\n"
      "          \"ruleId\": \"bigquery\"\n"
      "        },\n"
      "        {\n"
      "          \"level\": \"error\",\n"
      "          \"locations\": [\n"
      "            {\n"
      "              \"physicalLocation\": {\n"
      "                \"artifactLocation\": {\n"
      "                  \"uri\": \"odd%20dir/a%2Cb.py\",\n"
      "                  \"uriBaseId\": \"%SRCROOT%\"\n"
      "                },\n"
      "                \"region\": {\n"
      "                  \"startColumn\": 3,\n"
      "                  \"startLine\": 2\n"
      "                }\n"
      "              }\n"
      "            }\n"
      "          ],\n"
      "          \"message\": {\n"
      "            \"text\": \"direct http client (requests.get); poolify migrate rewrites it\"\n"
      "          },\n"
      "          \"partialFingerprints\": {\n"
      "            \"poolifySite/v2\": \"139c786f92a12268:1\"\n"
      "          },\n"
      "          \"ruleId\": \"http\"\n"
      "        },\n"
      "        {\n"
      "          \"level\": \"warning\",\n"
      "          \"locations\": [\n"
      "            {\n"
      "              \"physicalLocation\": {\n"
      "                \"artifactLocation\": {\n"
      "                  \"uri\": \"tests/test_load.py\",\n"
      "                  \"uriBaseId\": \"%SRCROOT%\"\n"
      "                },\n"
      "                \"region\": {\n"
      "                  \"startColumn\": 7,\n"
      "                  \"startLine\": 3\n"
      "                }\n"
      "              }\n"
      "            }\n"
      "          ],\n"
      "          \"message\": {\n"
      "            \"text\": \"mock target 'jobs.load.bigquery.Client' stops intercepting once jobs/load.py:5 uses the "
      "pool; patch the pool function instead\"\n"
      "          },\n"
      "          \"partialFingerprints\": {\n"
      "            \"poolifySite/v2\": \"77a61c7d54e19b12:1\"\n"
      "          },\n"
      "          \"ruleId\": \"bigquery\"\n"
      "        }\n"
      "      ],\n"
      "      \"tool\": {\n"
      "        \"driver\": {\n"
      "          \"name\": \"poolify\",\n"
      "          \"rules\": [\n"
      "            {\n"
      "              \"defaultConfiguration\": {\n"
      "                \"level\": \"error\"\n"
      "              },\n"
      "              \"fullDescription\": {\n"
      "                \"text\": \"BigQuery clients come from the shared pool.\"\n"
      "              },\n"
      "              \"help\": {\n"
      "                \"markdown\": \"BigQuery clients come from the shared pool.\\n\\nRewrites:\\n\\n\\n`poolify "
      "migrate --apply` rewrites the sites it can (`--explain` says why it leaves the others; `--unsafe-fixes` also "
      "applies the unsafe fixes). To accept a site for now, mark it `# poolify: ignore[bigquery]` or list it in a "
      "baseline (`poolify check --write-baseline FILE`, then `--baseline FILE`).\",\n"
      "                \"text\": \"BigQuery clients come from the shared pool.\\nRewrites: .\\n`poolify migrate "
      "--apply` rewrites the sites it can (`--explain` says why it leaves the others; `--unsafe-fixes` also applies "
      "the unsafe fixes). To accept a site for now, mark it `# poolify: ignore[bigquery]` or list it in a baseline "
      "(`poolify check --write-baseline FILE`, then `--baseline FILE`).\"\n"
      "              },\n"
      "              \"id\": \"bigquery\",\n"
      "              \"name\": \"bigquery\",\n"
      "              \"shortDescription\": {\n"
      "                \"text\": \"BigQuery clients come from the shared pool.\"\n"
      "              }\n"
      "            },\n"
      "            {\n"
      "              \"defaultConfiguration\": {\n"
      "                \"level\": \"error\"\n"
      "              },\n"
      "              \"fullDescription\": {\n"
      "                \"text\": \"A Python file that does not parse, or that CPython rejects\"\n"
      "              },\n"
      "              \"help\": {\n"
      "                \"markdown\": \"poolify cannot analyze a file with a syntax error (or one CPython 3 rejects, "
      "such as a Python 2 script), so its direct clients are not checked. Fix the file, exclude it in poolify.yaml "
      "(`exclude:`), or accept it for now in a baseline (`poolify check --write-baseline FILE`).\",\n"
      "                \"text\": \"poolify cannot analyze a file with a syntax error (or one CPython 3 rejects, such "
      "as a Python 2 script), so its direct clients are not checked. Fix the file, exclude it in poolify.yaml "
      "(`exclude:`), or accept it for now in a baseline (`poolify check --write-baseline FILE`).\"\n"
      "              },\n"
      "              \"id\": \"syntax\",\n"
      "              \"name\": \"syntax\",\n"
      "              \"shortDescription\": {\n"
      "                \"text\": \"A Python file that does not parse, or that CPython rejects\"\n"
      "              }\n"
      "            },\n"
      "            {\n"
      "              \"defaultConfiguration\": {\n"
      "                \"level\": \"error\"\n"
      "              },\n"
      "              \"fullDescription\": {\n"
      "                \"text\": \"A file poolify cannot read or analyze\"\n"
      "              },\n"
      "              \"help\": {\n"
      "                \"markdown\": \"poolify cannot analyze this file (it is not text in an encoding poolify edits, "
      "cannot be read, or the rewrite was refused), so its direct clients are not checked. The message says why; "
      "exclude the file in poolify.yaml or accept it in a baseline.\",\n"
      "                \"text\": \"poolify cannot analyze this file (it is not text in an encoding poolify edits, "
      "cannot be read, or the rewrite was refused), so its direct clients are not checked. The message says why; "
      "exclude the file in poolify.yaml or accept it in a baseline.\"\n"
      "              },\n"
      "              \"id\": \"unanalyzable\",\n"
      "              \"name\": \"unanalyzable\",\n"
      "              \"shortDescription\": {\n"
      "                \"text\": \"A file poolify cannot read or analyze\"\n"
      "              }\n"
      "            }\n"
      "          ],\n"
      "          \"semanticVersion\": \"0.1.0\",\n"
      "          \"version\": \"0.1.0\"\n"
      "        }\n"
      "      }\n"
      "    }\n"
      "  ],\n"
      "  \"version\": \"2.1.0\"\n"
      "}\n");
}

TEST_CASE("github: workflow commands with escaped properties") {
  Run run;
  CHECK(
      run.print(Format::Github) ==
      "::error file=jobs/legacy.py,line=6,col=11,title=poolify bigquery::direct reference to "
      "google.cloud.bigquery.Client; not rewritable: reference to google.cloud.bigquery.Client is not a call\n"
      "::error file=odd dir/a%2Cb.py,line=2,col=3,title=poolify http::direct http client (requests.get); poolify "
      "migrate rewrites it\n"
      "::warning file=tests/test_load.py,line=3,col=7,title=poolify bigquery::mock target 'jobs.load.bigquery.Client' "
      "stops intercepting once jobs/load.py:5 uses the pool; patch the pool function instead\n");
}

TEST_CASE("no findings: empty text, and JSON that says so") {
  Run run;
  run.findings.clear();
  CHECK(run.print(Format::Text) == "");
  CHECK(run.print(Format::Github) == "");
  CHECK(run.print(Format::Json) == "{\n  \"findings\": [],\n  \"schema_version\": 1,\n  \"summary\": {\n    "
                                   "\"errors\": 0,\n    \"warnings\": 0\n  }\n}\n");
}

TEST_CASE("manifest json: the documented schema, files sorted, counts per category and in total") {
  Run run;
  CHECK(run.print(Format::ManifestJson) ==
        "{\n"
        "  \"categories\": {\n"
        "    \"jobs\": {\n"
        "      \"coverage_percent\": 25,\n"
        "      \"direct_sites\": 3,\n"
        "      \"files\": 2,\n"
        "      \"files_inherited\": 0,\n"
        "      \"files_pooled\": 0,\n"
        "      \"files_with_direct_sites\": 2,\n"
        "      \"fixable_sites\": 1,\n"
        "      \"inherited_classes\": 1,\n"
        "      \"inherited_classes_not_pooled\": 0,\n"
        "      \"pooled_sites\": 1,\n"
        "      \"unsafe_fixable_sites\": 0\n"
        "    }\n"
        "  },\n"
        "  \"files\": [\n"
        "    {\n"
        "      \"category\": \"jobs\",\n"
        "      \"direct_sites\": [\n"
        "        {\n"
        "          \"callable\": \"google.cloud.bigquery.Client\",\n"
        "          \"column\": 12,\n"
        "          \"fix\": \"none\",\n"
        "          \"fixable\": false,\n"
        "          \"ignored\": \"bigquery\",\n"
        "          \"kind\": \"call\",\n"
        "          \"line\": 4,\n"
        "          \"reason\": \"keyword 'credentials' is not supported by the pool\",\n"
        "          \"rule\": \"bigquery\"\n"
        "        },\n"
        "        {\n"
        "          \"callable\": \"google.cloud.bigquery.Client\",\n"
        "          \"column\": 11,\n"
        "          \"fix\": \"none\",\n"
        "          \"fixable\": false,\n"
        "          \"kind\": \"reference\",\n"
        "          \"line\": 6,\n"
        "          \"reason\": \"reference to google.cloud.bigquery.Client is not a call\",\n"
        "          \"rule\": \"bigquery\"\n"
        "        }\n"
        "      ],\n"
        "      \"inherited\": [\n"
        "        {\n"
        "          \"attribute\": \"bq_client\",\n"
        "          \"base\": \"Base\",\n"
        "          \"class\": \"Child\",\n"
        "          \"rule\": \"bigquery\",\n"
        "          \"status\": \"pooled\"\n"
        "        }\n"
        "      ],\n"
        "      \"path\": \"jobs/legacy.py\",\n"
        "      \"pooled_sites\": [\n"
        "        {\n"
        "          \"callable\": \"shared.clients.http_pool.get\",\n"
        "          \"column\": 5,\n"
        "          \"line\": 8,\n"
        "          \"rule\": \"http\"\n"
        "        }\n"
        "      ],\n"
        "      \"status\": \"direct\"\n"
        "    },\n"
        "    {\n"
        "      \"category\": \"jobs\",\n"
        "      \"direct_sites\": [\n"
        "        {\n"
        "          \"callable\": \"google.cloud.bigquery.Client\",\n"
        "          \"column\": 12,\n"
        "          \"fix\": \"rewrite\",\n"
        "          \"fixable\": true,\n"
        "          \"kind\": \"call\",\n"
        "          \"line\": 5,\n"
        "          \"rule\": \"bigquery\"\n"
        "        }\n"
        "      ],\n"
        "      \"inherited\": [],\n"
        "      \"path\": \"jobs/load.py\",\n"
        "      \"pooled_sites\": [],\n"
        "      \"status\": \"direct\"\n"
        "    }\n"
        "  ],\n"
        "  \"mock_targets\": [\n"
        "    {\n"
        "      \"column\": 7,\n"
        "      \"line\": 3,\n"
        "      \"path\": \"tests/test_load.py\",\n"
        "      \"rule\": \"bigquery\",\n"
        "      \"site\": {\n"
        "        \"column\": 12,\n"
        "        \"line\": 5,\n"
        "        \"path\": \"jobs/load.py\"\n"
        "      },\n"
        "      \"target\": \"jobs.load.bigquery.Client\"\n"
        "    }\n"
        "  ],\n"
        "  \"schema_version\": 1,\n"
        "  \"summary\": {\n"
        "    \"coverage_percent\": 25,\n"
        "    \"direct_sites\": 3,\n"
        "    \"files\": 2,\n"
        "    \"files_inherited\": 0,\n"
        "    \"files_pooled\": 0,\n"
        "    \"files_with_direct_sites\": 2,\n"
        "    \"fixable_sites\": 1,\n"
        "    \"inherited_classes\": 1,\n"
        "    \"inherited_classes_not_pooled\": 0,\n"
        "    \"pooled_sites\": 1,\n"
        "    \"unsafe_fixable_sites\": 0\n"
        "  },\n"
        "  \"tool\": \"poolify\"\n"
        "}\n");
}

TEST_CASE("manifest markdown: headline, a table per category with a total, direct sites, mock targets") {
  Run run;
  CHECK(run.print(Format::ManifestMarkdown) ==
        "## poolify coverage\n"
        "\n"
        "**25.0%** of client sites use a pool (1 pooled, 3 direct, of which 1 `poolify migrate` can fix); 1 class "
        "inherits a pooled client.\n"
        "\n"
        "| category | files | pooled | inherited | with direct sites | direct sites | fixable | pooled sites | "
        "coverage |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        "| jobs | 2 | 0 | 0 | 2 | 3 | 1 | 1 | 25.0% |\n"
        "| **total** | 2 | 0 | 0 | 2 | 3 | 1 | 1 | 25.0% |\n"
        "\n"
        "### Direct sites\n"
        "\n"
        "| site | rule | fix |\n"
        "|---|---|---|\n"
        "| `jobs/legacy.py:4:12` | bigquery | left: keyword 'credentials' is not supported by the pool |\n"
        "| `jobs/legacy.py:6:11` | bigquery | left: reference to google.cloud.bigquery.Client is not a call |\n"
        "| `jobs/load.py:5:12` | bigquery | rewrite |\n"
        "\n"
        "### Mock targets that stop intercepting after migration\n"
        "\n"
        "| patch | target | site |\n"
        "|---|---|---|\n"
        "| `tests/test_load.py:3:7` | `jobs.load.bigquery.Client` | `jobs/load.py:5:12` |\n");
}

TEST_CASE("manifest csv: one row per site") {
  Run run;
  CHECK(run.print(Format::ManifestCsv) ==
        "path,category,status,kind,line,column,rule,callable,fixable,detail\n"
        "jobs/legacy.py,jobs,direct,direct,4,12,bigquery,google.cloud.bigquery.Client,no,keyword 'credentials' is not "
        "supported by the pool\n"
        "jobs/legacy.py,jobs,direct,direct-reference,6,11,bigquery,google.cloud.bigquery.Client,no,reference to "
        "google.cloud.bigquery.Client is not a call\n"
        "jobs/legacy.py,jobs,direct,pooled,8,5,http,shared.clients.http_pool.get,,\n"
        "jobs/legacy.py,jobs,direct,inherited,0,0,bigquery,Child.bq_client,,from Base\n"
        "jobs/load.py,jobs,direct,direct,5,12,bigquery,google.cloud.bigquery.Client,yes,\n");
}

TEST_CASE("batch markdown: the PR description of a batch") {
  Run run;
  CHECK(run.print(Format::BatchMarkdown) ==
        "# poolify batch 01-jobs\n"
        "\n"
        "1 file changed: 1 site rewritten (bigquery 1), 0 redundant overrides removed.\n"
        "\n"
        "## Files\n"
        "\n"
        "- `jobs/load.py` (bigquery 1)\n"
        "\n"
        "## Sites left (with the reason poolify did not rewrite them)\n"
        "\n"
        "- `jobs/legacy.py:4:12` bigquery: keyword 'credentials' is not supported by the pool\n"
        "- `jobs/legacy.py:6:11` bigquery: reference to google.cloud.bigquery.Client is not a call\n");
}

TEST_CASE("baseline: every entry with its count, in the format --baseline reads") {
  Run run;
  CHECK(run.print(Format::Baseline) == "{\n"
                                       "  \"entries\": [\n"
                                       "    {\n"
                                       "      \"code\": \"factory = bigquery.Client\",\n"
                                       "      \"count\": 2,\n"
                                       "      \"file\": \"jobs/legacy.py\",\n"
                                       "      \"rule\": \"bigquery\"\n"
                                       "    }\n"
                                       "  ],\n"
                                       "  \"schema_version\": 1,\n"
                                       "  \"tool\": \"poolify\"\n"
                                       "}\n");
}

TEST_CASE("html: one self-contained document with stable ids and data attributes") {
  Run run;
  std::string html = run.print(Format::Html);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.size() - html.rfind("</html>") == std::string("</html>\n").size());
  auto count = [&](const std::string &needle) {
    size_t n = 0;
    for (size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1))
      ++n;
    return n;
  };
  CHECK(count("<html") == 1);
  CHECK(count("</html>") == 1);
  // Self-contained: no scripts, no external styles, fonts or images.
  CHECK(count("<script") == 0);
  CHECK(count("<link") == 0);
  CHECK(count("src=") == 0);
  CHECK(count("url(") == 0);
  CHECK(count("id=\"coverage-before\" data-value=\"25.0\"") == 1);
  CHECK(count("id=\"coverage-after\" data-value=\"50.0\"") == 1);
  CHECK(count("id=\"files-changed\" data-value=\"1\"") == 1);
  CHECK(count("id=\"sites-left\" data-value=\"2\"") == 1);
  CHECK(count("id=\"overrides-removed\" data-value=\"0\"") == 1);
  CHECK(count("data-category=\"jobs\"") == 1);
  CHECK(count("id=\"category-total\"") == 1);
  CHECK(count("data-field=\"coverage-before\">25.0%") == 2); // the jobs row and the total row
  CHECK(count("<head>") == 1);
  CHECK(count("<body>") == 1);
  CHECK(count("<title>01-jobs</title>") == 1);
  // Every site left is listed with its reason, the diff is shown.
  CHECK(html.find("keyword &#39;credentials&#39; is not supported by the pool") != std::string::npos);
  CHECK(html.find("get_bigquery_client") != std::string::npos);
  CHECK(run.print(Format::Html) == html); // deterministic
}

TEST_CASE("parseFormat knows the names of each choice and lists them in its error") {
  using output::FormatChoice;
  auto parse = [](FormatChoice c, std::string_view name) -> std::string {
    auto f = output::parseFormat(c, name);
    if (!f)
      return llvm::toString(f.takeError());
    return std::to_string(static_cast<int>(*f));
  };
  CHECK(parse(FormatChoice::Findings, "text") == std::to_string(static_cast<int>(Format::Text)));
  CHECK(parse(FormatChoice::Findings, "json") == std::to_string(static_cast<int>(Format::Json)));
  CHECK(parse(FormatChoice::Findings, "sarif") == std::to_string(static_cast<int>(Format::Sarif)));
  CHECK(parse(FormatChoice::Findings, "github") == std::to_string(static_cast<int>(Format::Github)));
  CHECK(parse(FormatChoice::Manifest, "json") == std::to_string(static_cast<int>(Format::ManifestJson)));
  CHECK(parse(FormatChoice::Manifest, "markdown") == std::to_string(static_cast<int>(Format::ManifestMarkdown)));
  CHECK(parse(FormatChoice::Manifest, "csv") == std::to_string(static_cast<int>(Format::ManifestCsv)));
  CHECK(parse(FormatChoice::Findings, "markdown") ==
        "poolify check: --format must be text, json, sarif or github, not 'markdown'");
  CHECK(parse(FormatChoice::Manifest, "sarif") ==
        "poolify manifest: --format must be json, markdown or csv, not 'sarif'");
  CHECK(parse(FormatChoice::Findings, "") == "poolify check: --format must be text, json, sarif or github, not ''");
}

TEST_CASE("manifestFormatFor picks the format from the file name") {
  CHECK(output::manifestFormatFor("coverage.md") == Format::ManifestMarkdown);
  CHECK(output::manifestFormatFor("out/coverage.csv") == Format::ManifestCsv);
  CHECK(output::manifestFormatFor("coverage.json") == Format::ManifestJson);
  CHECK(output::manifestFormatFor("coverage") == Format::ManifestJson);
  CHECK(output::manifestFormatFor("md") == Format::ManifestJson);
}

TEST_CASE("the manifest counts what docs/manifest.md defines") {
  Run run;
  const model::Manifest &m = run.before;
  REQUIRE(m.files.size() == 2); // the failed file has no site: not listed
  CHECK(m.files[0].path == "jobs/legacy.py");
  CHECK(m.files[0].status == "direct");
  CHECK(m.files[1].path == "jobs/load.py");
  CHECK(m.total.files == 2);
  CHECK(m.total.directSites == 3);
  CHECK(m.total.fixableSites == 1);
  CHECK(m.total.pooledSites == 1);
  CHECK(m.total.inheritedClasses == 1);
  CHECK(model::formatPercent(m.total.coverage()) == "25.0");
  CHECK(model::formatPercent(99.96) == "99.9");
  CHECK(model::formatPercent(model::Counts{}.coverage()) == "100.0");
  CHECK(m.categories.count("jobs") == 1);
  CHECK(m.categories.count("other") == 0);
}

TEST_CASE("manifest: an unsafe fix says whether it rewrites the call or removes the override") {
  SiteRecord call = record(SiteRecord::Kind::Direct, 5, 12, "bigquery", "google.cloud.bigquery.Client", Outcome::Unsafe,
                           "project_id=PROJECT_ID is taken from scope, ...");
  SiteRecord override =
      record(SiteRecord::Kind::Direct, 9, 26, "bigquery", "google.cloud.bigquery.Client", Outcome::Unsafe,
             "removal as redundant with the pooled bq_client inherited from Base: ...");
  override.removal = true;
  CHECK(call.fixLabel() == "rewrite with --unsafe-fixes");
  CHECK(override.fixLabel() == "remove override with --unsafe-fixes");
  SiteRecord applied = override;
  applied.outcome = Outcome::Removed;
  CHECK(applied.fixLabel() == "remove redundant override");
  CHECK(record(SiteRecord::Kind::Direct, 1, 1, "bigquery", "c", Outcome::Left, "x").fixLabel() == "none");

  model::FileOutcome o;
  o.file = {"/repo/jobs/p.py", "jobs/p.py"};
  o.records = {call, override};
  model::Manifest m = model::buildManifest({o}, {"jobs"}, {{}});
  std::string json = output::renderJson(m);
  CHECK(json.find("\"fix\": \"rewrite with --unsafe-fixes\"") != std::string::npos);
  CHECK(json.find("\"fix\": \"remove override with --unsafe-fixes\"") != std::string::npos);
  std::string md = output::renderMarkdown(m);
  CHECK(md.find("| `jobs/p.py:5:12` | bigquery | rewrite with `--unsafe-fixes` (unsafe: ") != std::string::npos);
  CHECK(md.find("| `jobs/p.py:9:26` | bigquery | remove override with `--unsafe-fixes` (unsafe: removal as ") !=
        std::string::npos);
  // Read back (manifest merging, the gate's coverage): the same sites, the removal kept.
  testing::TempDir dir;
  auto back = output::readManifest(dir.write("manifest.json", json));
  REQUIRE(static_cast<bool>(back));
  REQUIRE(back->files.size() == 1);
  REQUIRE(back->files[0].direct.size() == 2);
  CHECK(back->files[0].direct[0].outcome == Outcome::Unsafe);
  CHECK_FALSE(back->files[0].direct[0].removal);
  CHECK(back->files[0].direct[1].outcome == Outcome::Unsafe);
  CHECK(back->files[0].direct[1].removal);
}

TEST_CASE("manifest: a run's manifest views its records; a built or read one keeps its own, and so do its copies") {
  std::vector<model::FileOutcome> outcomes(1);
  outcomes[0].file = {"/repo/jobs/p.py", "jobs/p.py"};
  outcomes[0].records = {
      record(SiteRecord::Kind::Direct, 5, 12, "bigquery", "google.cloud.bigquery.Client", Outcome::Rewritten, ""),
      record(SiteRecord::Kind::Pooled, 8, 4, "bigquery", "get_bigquery_client", Outcome::Left, "")};
  model::Manifest viewed = model::viewManifest(outcomes, {"jobs"}, {{}});
  REQUIRE(viewed.files.size() == 1);
  REQUIRE(viewed.files[0].direct.size() == 1);
  CHECK(&viewed.files[0].direct[0] == &outcomes[0].records[0]); // not a copy
  CHECK(&*viewed.files[0].pooled.begin() == &outcomes[0].records[1]);

  model::Manifest built;
  {
    std::vector<model::FileOutcome> gone = outcomes;
    built = model::buildManifest(gone, {"jobs"}, {{}});
  } // the outcomes it was built from are gone: it holds copies
  model::Manifest copy = built;
  built = model::Manifest{};
  REQUIRE(copy.files.size() == 1);
  CHECK(copy.files[0].direct[0].line == 5);
  CHECK(copy.files[0].pooled[0].callable == "get_bigquery_client");
  CHECK(output::renderJson(copy) == output::renderJson(viewed));
  CHECK(copy.total.directSites == 1);
  CHECK(copy.total.pooledSites == 1);
  CHECK(copy.total.fixableSites == 1);
}

TEST_CASE("sarif: a rule's helpUri is its section of rules/README.md in the documented sources") {
  using poolify::output::ruleHelpUri;
  CHECK(ruleHelpUri("https://github.com/acme/poolify/blob/v0.1.0", "bigquery") ==
        "https://github.com/acme/poolify/blob/v0.1.0/rules/README.md#bigquery");
  CHECK(ruleHelpUri("https://docs.example/poolify/", "syntax") ==
        "https://docs.example/poolify/rules/README.md#syntax");
  CHECK(ruleHelpUri("", "bigquery").empty()); // a build that does not know where its docs are: no helpUri
}

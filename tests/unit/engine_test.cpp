// The run engine without the command line: a RunOptions over a scratch tree, prepared (config,
// rules, files) and analyzed (per file, then the class index across files); and what commands
// build on it: shards, batches, mock targets, the CI gate.
#include "testing.h"

#include "pipeline/batches.h"
#include "pipeline/engine.h"
#include "pipeline/gate.h"
#include "pipeline/mocks.h"

#include <doctest/doctest.h>

#include <unistd.h>

using namespace poolify;
using testing::TempDir;

namespace {

const char *kPool = "from google.cloud import bigquery\n\n\ndef get_bigquery_client(project_id=None):\n"
                    "    return bigquery.Client(project=project_id)\n";
const char *kBase = "from shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass Base:\n"
                    "    def __init__(self, project_id):\n        self.project_id = project_id\n"
                    "        self.bq_client = get_bigquery_client(project_id=self.project_id)\n";
const char *kChild = "from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\nclass Child(Base):\n"
                     "    def __init__(self, project_id):\n        super().__init__(project_id)\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id)\n";
const char *kLoad = "from google.cloud import bigquery\n\nPROJECT_ID = 'p'\n\n\ndef load():\n    return "
                    "bigquery.Client(project=PROJECT_ID).query('q')\n";
const char *kLegacy =
    "from google.cloud import bigquery\n\n\ndef a(c):\n    return bigquery.Client(credentials=c)\n\n\n"
    "def b(c):\n    return bigquery.Client(credentials=c)\n\n\n"
    "def d(c):\n    return bigquery.Client(credentials=c)  # poolify: ignore[bigquery]\n";
const char *kTest =
    "from unittest import mock\n\n\n@mock.patch(\"jobs.load.bigquery.Client\")\ndef test_load(client):\n    pass\n";

// A small repository, the current folder while it lives (displays are relative to it, as in a
// run of the command line).
struct Repo {
  TempDir dir;
  char previous[4096];

  explicit Repo(bool withConfig = true) {
    if (withConfig)
      dir.write("poolify.yaml", "categories:\n  jobs: [\"jobs/**\"]\n  library: [\"pkg/**\", \"shared/**\"]\n"
                                "batches:\n  - name: jobs\n    categories: [jobs]\n  - name: library\n"
                                "    categories: [library]\nexclude: [\"vendor/**\"]\n");
    dir.write("shared/__init__.py", "");
    dir.write("shared/clients/__init__.py", "");
    dir.write("shared/clients/bigquery_pool.py", kPool);
    dir.write("pkg/__init__.py", "");
    dir.write("pkg/base.py", kBase);
    dir.write("pkg/child.py", kChild);
    dir.write("jobs/load.py", kLoad);
    dir.write("jobs/legacy.py", kLegacy);
    dir.write("tests/test_load.py", kTest);
    dir.write("vendor/lib.py", kLoad);
    dir.write("README.txt", "bigquery.Client()\n");
    REQUIRE(::getcwd(previous, sizeof previous) != nullptr);
    REQUIRE(::chdir(dir.path.c_str()) == 0);
  }
  ~Repo() { CHECK(::chdir(previous) == 0); }

  static pipeline::RunOptions options() {
    pipeline::RunOptions o;
    o.paths = {"."};
    o.defaultRules = POOLIFY_SOURCE_RULES_DIR;
    o.jobs = 1;
    return o;
  }
};

pipeline::Run prepared(pipeline::RunOptions options = Repo::options()) {
  auto run = pipeline::prepare(std::move(options));
  if (!run) {
    std::string why = llvm::toString(run.takeError());
    FAIL("prepare failed: " << why);
  }
  return std::move(*run);
}

pipeline::Run analyzed(pipeline::RunOptions options = Repo::options()) {
  pipeline::Run run = prepared(std::move(options));
  pipeline::analyze(run);
  return run;
}

std::string displays(const pipeline::Run &run) {
  std::string out;
  for (const auto &f : run.found.files)
    out += (out.empty() ? "" : " ") + f.display();
  return out;
}

// Everything a run learned about its files, as text (to compare two runs).
std::string digest(const pipeline::Run &run) {
  std::string out;
  for (const auto &o : run.outcomes) {
    out += o.file->display() + (o.failed ? " failed" : "") + " rewritten=" + std::to_string(o.rewritten) +
           " left=" + std::to_string(o.left) + " removed=" + std::to_string(o.removed) + "\n";
    for (const auto &r : o.records)
      out += "  site " + std::to_string(r.line) + ":" + std::to_string(r.col) + " " + r.rule + " " +
             std::to_string(static_cast<int>(r.kind)) + " " + std::to_string(static_cast<int>(r.outcome)) + " " +
             r.reason + "\n";
    for (const auto &m : o.messages)
      out += "  says " + m.text + "\n";
    for (const auto &e : o.edits)
      out += "  edit " + std::to_string(e.offset) + "+" + std::to_string(e.length) + " " + e.text + "\n";
  }
  for (const auto &w : run.warnings)
    out += "warning " + w + "\n";
  return out;
}

size_t indexOf(const pipeline::Run &run, const std::string &display) {
  for (size_t i = 0; i < run.found.files.size(); ++i)
    if (run.found.files[i].display() == display)
      return i;
  FAIL("no file " << display);
  return 0;
}

std::string errorOf(llvm::Error e) { return e ? llvm::toString(std::move(e)) : "(no error)"; }

// True when `result` is an error (which is consumed).
template <typename T> bool fails(llvm::Expected<T> result) {
  if (result)
    return false;
  llvm::consumeError(result.takeError());
  return true;
}

} // namespace

TEST_CASE("prepare finds the Python files in path order, without the config's excludes") {
  Repo repo;
  pipeline::Run run = prepared();
  CHECK(displays(run) == "jobs/legacy.py jobs/load.py pkg/__init__.py pkg/base.py pkg/child.py shared/__init__.py "
                         "shared/clients/__init__.py shared/clients/bigquery_pool.py tests/test_load.py");
  CHECK(run.config.file == repo.dir.path + "/poolify.yaml");
  CHECK(run.rules.size() == testing::shippedRules().size());
  CHECK(run.active == std::vector<bool>(run.found.files.size(), true));
  CHECK(run.categoryOf(run.found.files[0]) == "jobs");
  CHECK(run.categories()[indexOf(run, "tests/test_load.py")] == "other");
}

TEST_CASE("without the configuration nothing is excluded and every file is in category other") {
  Repo repo;
  pipeline::RunOptions o = Repo::options();
  o.noConfig = true;
  pipeline::Run run = prepared(o);
  CHECK(displays(run).find("vendor/lib.py") != std::string::npos);
  CHECK(run.config.file == "");
  for (const auto &c : run.categories())
    CHECK(c == "other");
}

TEST_CASE("a run narrowed to paths walks only those") {
  Repo repo;
  pipeline::RunOptions o = Repo::options();
  o.paths = {"jobs", "pkg/base.py"};
  CHECK(displays(prepared(o)) == "jobs/legacy.py jobs/load.py pkg/base.py");
}

TEST_CASE("analyze decides every file, joins the class index, and keeps outcomes in path order") {
  Repo repo;
  pipeline::Run run = analyzed();
  REQUIRE(run.outcomes.size() == run.found.files.size());
  for (size_t i = 0; i < run.outcomes.size(); ++i) // the run's file itself, not a copy per outcome
    CHECK(&*run.outcomes[i].file == &run.found.files[i]);
  const auto &load = run.outcomes[indexOf(run, "jobs/load.py")];
  CHECK(load.changed());
  CHECK(load.rewritten == 1);
  CHECK_FALSE(load.held); // a run keeps compact outcomes, not texts
  const auto &child = run.outcomes[indexOf(run, "pkg/child.py")];
  CHECK(child.removed == 1);
  // Its class facts keep the imports a class of the run may be re-exported through, not the others.
  REQUIRE(child.facts);
  CHECK(child.facts->imports.find("Base") == std::optional<std::string_view>("pkg.base.Base"));
  CHECK_FALSE(child.facts->imports.find("bigquery"));
  REQUIRE(child.messages.size() == 1);
  CHECK(child.messages[0].text ==
        "pkg/child.py:9:26: bigquery: removed: redundant with the pooled bq_client inherited from Base");
  const auto &legacy = run.outcomes[indexOf(run, "jobs/legacy.py")];
  CHECK(legacy.left == 3);
  CHECK_FALSE(legacy.changed());
  const auto &pool = run.outcomes[indexOf(run, "shared/clients/bigquery_pool.py")];
  REQUIRE(pool.records.size() == 1);
  CHECK(pool.records[0].kind == model::SiteRecord::Kind::PoolDefinition);
  CHECK(run.warnings.empty());
}

TEST_CASE("a file read again is hash-checked: one changed since the analysis is noted, not read at new contents") {
  Repo repo;
  pipeline::Run run = analyzed();
  size_t load = indexOf(run, "jobs/load.py");
  auto same = run.reread(load);
  REQUIRE(static_cast<bool>(same));
  CHECK(*same == kLoad);
  CHECK(run.changedOnDisk->take().empty());
  repo.dir.write("jobs/load.py", std::string(kLoad) + "# edited\n");
  auto changed = run.reread(load);
  REQUIRE_FALSE(static_cast<bool>(changed));
  CHECK(llvm::toString(changed.takeError()) == "changed on disk since poolify read it; run poolify again");
  CHECK(run.changedOnDisk->take() == std::set<size_t>{load});
  CHECK(run.changedOnDisk->take().empty());
}

TEST_CASE("one job or two give the same outcomes") {
  Repo repo;
  pipeline::RunOptions one = Repo::options(), two = Repo::options();
  two.jobs = 2;
  CHECK(digest(analyzed(one)) == digest(analyzed(two)));
}

TEST_CASE("the shards of a run are disjoint and cover every file, by a hash every machine agrees on") {
  Repo repo;
  std::vector<bool> seen;
  for (unsigned k = 1; k <= 3; ++k) {
    pipeline::RunOptions o = Repo::options();
    o.shard = pipeline::Shard{k, 3};
    pipeline::Run run = prepared(o);
    seen.resize(run.found.files.size(), false);
    for (size_t i = 0; i < run.active.size(); ++i) {
      CHECK(run.active[i] == (pipeline::shardOf(run.found.files[i].display(), 3) == k - 1));
      if (run.active[i]) {
        CHECK_FALSE(seen[i]);
        seen[i] = true;
      }
    }
  }
  CHECK(seen == std::vector<bool>(seen.size(), true));
  CHECK(pipeline::shardOf("jobs/load.py", 1) == 0);
}

TEST_CASE("shardOf is FNV-1a of the display path, as docs/manifest.md says") {
  // 64-bit FNV-1a (offset basis 14695981039346656037, prime 1099511628211), by a large prime so
  // the whole hash counts: what another tool computing "shard of a path" gets.
  CHECK(pipeline::shardOf("", 1000003) == 801432);
  CHECK(pipeline::shardOf("jobs/load.py", 1000003) == 383252);
  CHECK(pipeline::shardOf("pkg/child.py", 1000003) == 39988);
}

TEST_CASE("a shard analyzes its own files, the others' records are analyzed on demand") {
  Repo repo;
  pipeline::RunOptions o = Repo::options();
  o.shard = pipeline::Shard{1, 2};
  pipeline::Run run = analyzed(o);
  pipeline::Run whole = analyzed();
  for (size_t i = 0; i < run.found.files.size(); ++i) {
    CAPTURE(run.found.files[i].display());
    if (!run.active[i])
      CHECK(run.outcomes[i].records.empty());
    CHECK(run.recordsOf(i).size() == whole.outcomes[i].records.size());
  }
}

TEST_CASE("a bad rule file or an unknown rule id is an error naming it") {
  Repo repo;
  std::string bad = repo.dir.write("rules/bad.yaml", "id: broken\ntriggers: [x]\nrewrites: 3\n");
  pipeline::RunOptions o = Repo::options();
  o.rulePaths = {bad};
  auto run = pipeline::prepare(o);
  REQUIRE_FALSE(static_cast<bool>(run));
  std::string msg = llvm::toString(run.takeError());
  CHECK(msg.find(bad + ":3:") == 0);
  CHECK(msg.find("nothing was changed") != std::string::npos);

  o = Repo::options();
  o.ruleIds = {"bigquery", "nope"};
  run = pipeline::prepare(o);
  REQUIRE_FALSE(static_cast<bool>(run));
  CHECK(llvm::toString(run.takeError()) == "poolify: unknown rule id 'nope' (poolify rules list shows them)");

  o.ruleIds = {"http"};
  auto http = pipeline::prepare(o);
  REQUIRE(static_cast<bool>(http));
  REQUIRE(http->rules.size() == 1);
  CHECK(http->rules[0].id == "http");
}

TEST_CASE("a bad configuration is an error naming it") {
  Repo repo;
  repo.dir.write("poolify.yaml", "exclude: [\"vendor/**\"]\nbatchez: []\n");
  auto run = pipeline::prepare(Repo::options());
  REQUIRE_FALSE(static_cast<bool>(run));
  std::string msg = llvm::toString(run.takeError());
  CHECK(msg.find("poolify.yaml:2:1: error: unknown key 'batchez'") != std::string::npos);
  CHECK(msg.find("the configuration could not be loaded; nothing was changed") != std::string::npos);
}

TEST_CASE("reanalyze gives the outcome of a file's new text") {
  Repo repo;
  pipeline::Run run = analyzed();
  size_t i = indexOf(run, "jobs/load.py");
  model::FileOutcome after =
      pipeline::reanalyze(run, i,
                          "from shared.clients.bigquery_pool import get_bigquery_client\n\nPROJECT_ID = 'p'\n\n\n"
                          "def load():\n    return get_bigquery_client(project_id=PROJECT_ID).query('q')\n");
  CHECK_FALSE(after.changed());
  REQUIRE(after.records.size() == 1);
  CHECK(after.records[0].kind == model::SiteRecord::Kind::Pooled);
  CHECK(after.records[0].line == 7);
}

const char *kLibraryPatch = "from unittest import mock\n\nfrom google.cloud import bigquery\n\n\n"
                            "@mock.patch.object(bigquery, \"Client\")\ndef test_lib(client):\n    pass\n";

TEST_CASE("a test patch of a module whose sites all use the pool after the run is retargeted, not a mock target") {
  Repo repo;
  pipeline::Run run = analyzed();
  CHECK(pipeline::findMockTargets(run).empty());
  const model::FileOutcome &test = run.outcomes[indexOf(run, "tests/test_load.py")];
  CHECK(test.changed());
  REQUIRE(test.patches.size() == 1);
  CHECK(test.patches[0].line == 4);
  CHECK(test.patches[0].col == 13);
  CHECK(test.patches[0].before == "jobs.load.bigquery.Client");
  CHECK(test.patches[0].after == "jobs.load.get_bigquery_client");
  CHECK(test.patches[0].modulePath == "jobs/load.py");
  CHECK(test.patches[0].handFix.empty());
  CHECK(test.edits.size() == 1);
  CHECK(test.edits[0].text == "jobs.load.get_bigquery_client");
}

TEST_CASE("a patch of the client library itself is a mock target: it stops intercepting the pooled site") {
  Repo repo;
  repo.dir.write("tests/test_lib.py", kLibraryPatch);
  pipeline::Run run = analyzed();
  auto targets = pipeline::findMockTargets(run);
  REQUIRE(targets.size() == 1);
  CHECK(targets[0].path == "tests/test_lib.py");
  CHECK(targets[0].line == 6);
  CHECK(targets[0].col == 20);
  CHECK(targets[0].target == "google.cloud.bigquery.Client");
  CHECK(targets[0].sitePath == "jobs/load.py");
  CHECK(targets[0].siteLine == 7);
  CHECK(targets[0].rule == "bigquery");
  CHECK(run.outcomes[indexOf(run, "tests/test_lib.py")].patches.empty());
}

TEST_CASE("a patch of a site migrate leaves is neither retargeted nor a mock target") {
  Repo repo;
  repo.dir.write("tests/test_legacy.py", "from unittest import mock\n\n\n@mock.patch('jobs.legacy.bigquery.Client')\n"
                                         "def test_legacy(client):\n    pass\n");
  pipeline::Run run = analyzed();
  CHECK(pipeline::findMockTargets(run).empty());
  const model::FileOutcome &legacy = run.outcomes[indexOf(run, "tests/test_legacy.py")];
  CHECK_FALSE(legacy.changed());
  CHECK(legacy.patches.empty());
}

TEST_CASE("batches: one of everything, configured batches in order, a named batch, a category, cut by size") {
  Repo repo;
  pipeline::Run run = analyzed();
  auto names = [&](const pipeline::BatchOptions &options) {
    auto plans = pipeline::planBatches(run, options);
    if (!plans)
      return llvm::toString(plans.takeError());
    std::string out;
    for (const auto &p : *plans) {
      out += (out.empty() ? "" : "; ") + p.name + ":";
      for (size_t i : p.files)
        out += " " + run.found.files[i].display();
    }
    return out;
  };
  pipeline::BatchOptions o;
  // Only files with something to report: a change or a direct site (the pool's own module has none).
  // A test file whose patches are retargeted goes with the module they follow (tests/ is in no
  // category: it follows jobs/load.py into "jobs").
  CHECK(names(o) == "01-all: jobs/legacy.py jobs/load.py pkg/child.py tests/test_load.py");
  o.all = true;
  CHECK(names(o) == "01-jobs: jobs/legacy.py jobs/load.py tests/test_load.py; 02-library: pkg/child.py");
  o = {};
  o.batch = "library";
  CHECK(names(o) == "01-library: pkg/child.py");
  o.batch = "nope";
  CHECK(names(o) == "no batch 'nope' in " + repo.dir.path + "/poolify.yaml");
  o = {};
  o.category = "jobs";
  CHECK(names(o) == "01-jobs: jobs/legacy.py jobs/load.py tests/test_load.py");
  o = {};
  o.maxFiles = 1;
  // --max-files counts the files a batch changes; unchanged files ride along, and a test file whose
  // patches follow a module rides in that module's part.
  CHECK(names(o) == "01-all-part1: jobs/legacy.py jobs/load.py tests/test_load.py; 02-all-part2: pkg/child.py");
}

TEST_CASE("the gate fails direct sites beyond ignore comments and the baseline, counted per line of code") {
  Repo repo;
  pipeline::Run run = analyzed();
  model::Baseline baseline;
  baseline.entries[{"jobs/legacy.py", "bigquery", "return bigquery.Client(credentials=c)"}] = 1;
  pipeline::GateResult g = pipeline::evaluateGate(run, baseline, {}, false);
  CHECK(g.ignored == 1);
  CHECK(g.baselined == 1);
  // The second identical line is a new site; load.py and child.py are fixable and still fail.
  std::string found;
  for (const auto &f : g.findings)
    found += f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.col) + " " + f.message + "\n";
  CHECK(found ==
        "jobs/legacy.py:9:12 direct bigquery client (google.cloud.bigquery.Client); not rewritable: keyword "
        "'credentials' is not supported by the pool\n"
        "jobs/load.py:7:12 direct bigquery client (google.cloud.bigquery.Client); poolify migrate rewrites it\n"
        "pkg/child.py:9:26 direct bigquery client (google.cloud.bigquery.Client); poolify migrate removes this "
        "redundant override\n");
  CHECK(g.errors() == 3);
  CHECK(g.current.entries.at({"jobs/legacy.py", "bigquery", "return bigquery.Client(credentials=c)"}) == 2);
  CHECK(g.current.entries.count(
            {"shared/clients/bigquery_pool.py", "bigquery", "return bigquery.Client(project=project_id)"}) == 0);
}

TEST_CASE("the gate warns about mock targets, and fails them when strict") {
  Repo repo;
  repo.dir.write("tests/test_load.py", kLibraryPatch);
  pipeline::Run run = analyzed();
  auto mocks = pipeline::findMockTargets(run);
  for (bool strict : {false, true}) {
    pipeline::GateResult g = pipeline::evaluateGate(run, {}, mocks, strict);
    auto it = std::find_if(g.findings.begin(), g.findings.end(),
                           [](const model::Finding &f) { return f.path == "tests/test_load.py"; });
    REQUIRE(it != g.findings.end());
    CHECK(it->error == strict);
    CHECK(it->message ==
          "mock target 'google.cloud.bigquery.Client' stops intercepting once jobs/load.py:7 uses the pool; "
          "patch the pool function instead");
  }
}

TEST_CASE("a baseline is read back, a broken one is an error naming the file") {
  TempDir dir;
  std::string good =
      dir.write("b.json", "{\"schema_version\": 1, \"entries\": [{\"file\": \"a.py\", \"rule\": \"bigquery\", "
                          "\"code\": \"x = bigquery.Client()\", \"count\": 2}, {\"file\": \"a.py\", "
                          "\"rule\": \"http\", \"code\": \"requests.get(u)\"}]}");
  auto b = pipeline::readBaseline(good);
  REQUIRE(static_cast<bool>(b));
  CHECK(b->entries.at({"a.py", "bigquery", "x = bigquery.Client()"}) == 2);
  CHECK(b->entries.at({"a.py", "http", "requests.get(u)"}) == 1);
  auto error = [&](const std::string &text) {
    auto r = pipeline::readBaseline(dir.write("bad.json", text));
    return r ? std::string("(read)") : llvm::toString(r.takeError());
  };
  std::string bad = dir.path + "/bad.json";
  CHECK(error("[]") == bad + ": error: a baseline is an object with an \"entries\" list (write one with poolify check "
                             "--write-baseline)");
  CHECK(error("{\"entries\": [{\"file\": \"a.py\"}]}") ==
        bad + ": error: entry 1 needs \"file\", \"rule\" and \"code\"");
  CHECK(error("{").rfind(bad + ": error: the baseline is not JSON: ", 0) == 0);
  CHECK(fails(pipeline::readBaseline(dir.path + "/missing.json")));
}

TEST_CASE("parseShard takes K/N with 1 <= K <= N") {
  auto shard = [](std::string_view spec) {
    auto s = pipeline::parseShard(spec);
    return s ? std::to_string(s->index) + "/" + std::to_string(s->count) : llvm::toString(s.takeError());
  };
  CHECK(shard("1/1") == "1/1");
  CHECK(shard("2/3") == "2/3");
  for (std::string bad : {"0/2", "3/2", "1/0", "a/b", "1/2x", "1-2", "", "2"}) {
    CAPTURE(bad);
    CHECK(shard(bad) == "poolify: --shard takes K/N with 1 <= K <= N, not '" + bad + "'");
  }
}

TEST_CASE("parseCoverageMinimum takes PCT or CATEGORY=PCT, from 0 to 100") {
  auto minimum = [](std::string_view spec) {
    auto m = pipeline::parseCoverageMinimum(spec);
    return m ? m->category + "=" + model::formatPercent(m->percent) : llvm::toString(m.takeError());
  };
  CHECK(minimum("80") == "=80.0");
  CHECK(minimum("80%") == "=80.0");
  CHECK(minimum("cloud_functions=100") == "cloud_functions=100.0");
  CHECK(minimum("jobs=0") == "jobs=0.0");
  CHECK(minimum("99.5") == "=99.5");
  for (std::string bad : {"101", "-1", "x", "", "jobs=", "jobs=lots", "80%%"}) {
    CAPTURE(bad);
    CHECK(minimum(bad) ==
          "poolify check: --min-coverage takes PCT or CATEGORY=PCT with PCT from 0 to 100, not '" + bad + "'");
  }
}

TEST_CASE("a coverage minimum that is not a number is refused") {
  // strtod reads "nan": NaN is neither below 0 nor above 100, and no coverage is ever below it.
  CHECK(fails(pipeline::parseCoverageMinimum("nan")));
  CHECK(fails(pipeline::parseCoverageMinimum("jobs=nan")));
}

TEST_CASE("a coverage minimum names a category the configuration defines, and misses are said") {
  Repo repo;
  pipeline::Run run = prepared();
  CHECK(errorOf(pipeline::checkCategories({{"jobs", 80}, {"", 50}, {"other", 10}}, run.config)) == "(no error)");
  CHECK(errorOf(pipeline::checkCategories({{"nope", 80}}, run.config)) ==
        "poolify check: --min-coverage names category 'nope', which " + repo.dir.path +
            "/poolify.yaml does not define");
  CHECK(errorOf(pipeline::checkCategories({{"nope", 80}}, config::Config{}))
            .rfind("poolify check: --min-coverage names category 'nope', which ", 0) == 0);
  model::Manifest m;
  m.total.pooledSites = 1;
  m.total.directSites = 1;
  m.categories["jobs"].directSites = 2;
  CHECK(pipeline::coverageShortfalls(m, {{"", 50}, {"", 80}, {"jobs", 0}, {"jobs", 1}}) ==
        std::vector<std::string>{"coverage in total is 50.0%, below the required 80%",
                                 "coverage of category jobs is 0.0%, below the required 1%"});
}

TEST_CASE("--category names a configured category or other; anything else names the known ones") {
  config::Config cfg;
  cfg.file = "poolify.yaml";
  cfg.categories = {{"jobs", {"jobs/**"}}, {"web", {"web/**"}}};
  CHECK_FALSE(pipeline::unknownCategory(cfg, "jobs"));
  CHECK_FALSE(pipeline::unknownCategory(cfg, "other"));
  auto why = pipeline::unknownCategory(cfg, "job");
  REQUIRE(why);
  CHECK(*why == "no category 'job': not in poolify.yaml (known: jobs, web, other)");
  config::Config none;
  REQUIRE(pipeline::unknownCategory(none, "jobs"));
  CHECK(*pipeline::unknownCategory(none, "jobs") ==
        "no category 'jobs': there is no poolify.yaml with categories (known: other)");
}

TEST_CASE("a file planned again is known by the variant of its plan; the analysis's own goes by its context's") {
  Repo repo;
  pipeline::RunOptions options = Repo::options();
  options.useCache = true;
  options.cacheDir = repo.dir.path + "/cache";
  pipeline::Run run = analyzed(options);
  size_t child = indexOf(run, "pkg/child.py");
  // The redundant override was removed by a second plan of the file, made with the removal.
  REQUIRE(run.outcomes[child].removed == 1);
  auto now = run.plans->current(child);
  REQUIRE(now);
  CHECK(now->rfind("remove ", 0) == 0);
  // The plan the analysis made (its context had no holds yet) is the one named by that context: a
  // step that plans the file without the removal takes it back (from the plans kept, or here from
  // the cache, which files it under the same name), and does not parse the file again.
  std::string own = pipeline::cacheVariant(run, child, /*asAnalyzed=*/true);
  cache::Cache stored(run.cacheDir, run.cacheStamp);
  auto back = stored.lookup(run.found.files[child], run.outcomes[child].hash, own);
  REQUIRE(back);
  CHECK(back->removed == 0);
  CHECK(back->records.size() == run.outcomes[child].records.size());
  CHECK_FALSE(stored.lookup(run.found.files[child], run.outcomes[child].hash, own + " other"));
}

TEST_CASE("kept plans stay within their budget of bytes until closed, and a failed plan is not kept") {
  Repo repo;
  pipeline::Run run = analyzed();
  size_t load = indexOf(run, "jobs/load.py");
  const model::FileOutcome &plan = run.outcomes[load];
  auto ref = model::FileRef::view(run.found.files[load]);
  pipeline::PlanMemo roomy;
  roomy.keep(load, "a", plan);
  REQUIRE(roomy.take(load, "a", ref));
  CHECK(roomy.take(load, "a", ref)->rewritten == plan.rewritten);
  CHECK_FALSE(roomy.take(load, "b", ref));
  CHECK_FALSE(roomy.take(load + 1, "a", ref));
  size_t one = roomy.bytes();
  REQUIRE(one > 0);
  pipeline::PlanMemo tight(one); // room for one plan of this size, not two
  tight.keep(load, "a", plan);
  tight.keep(load, "b", plan);
  CHECK(tight.take(load, "a", ref));
  CHECK_FALSE(tight.take(load, "b", ref));
  CHECK(tight.bytes() == one);
  model::FileOutcome failed = plan;
  failed.failed = true;
  tight.keep(load, "c", failed);
  roomy.keep(load, "c", failed);
  CHECK_FALSE(roomy.take(load, "c", ref));
  roomy.close(); // what was kept goes, and nothing more is kept
  CHECK_FALSE(roomy.take(load, "a", ref));
  roomy.keep(load, "d", plan);
  CHECK_FALSE(roomy.take(load, "d", ref));
  CHECK(roomy.bytes() == 0);
}

TEST_CASE("reach facts made by the analysis are kept once per distinct set, within a budget, until closed") {
  auto facts = [](std::vector<std::pair<uint32_t, std::string>> imported,
                  std::vector<std::pair<std::string, std::string>> table) {
    model::ReachFacts f;
    f.parsed = true;
    f.imported = model::ImportedModules(imported);
    f.moduleImports = model::ImportTable(table);
    return f;
  };
  model::ReachFacts a = facts({{0, "google.cloud.bigquery"}, {1, "helpers"}}, {{"bigquery", "google.cloud.bigquery"}});
  model::ReachFacts b = facts({{0, "requests"}}, {{"requests", "requests"}});
  pipeline::ReachMemo memo;
  memo.keep(3, a);
  memo.keep(7, a); // the same facts: one copy for both files
  CHECK(memo.distinct() == 1);
  size_t one = memo.bytes();
  memo.keep(5, b);
  CHECK(memo.distinct() == 2);
  for (size_t file : {3, 7}) {
    auto back = memo.take(file);
    REQUIRE(back);
    CHECK(back->parsed);
    CHECK(back->imported.raw() == a.imported.raw());
    CHECK(back->moduleImports.raw() == a.moduleImports.raw());
  }
  CHECK(memo.take(5)->imported.raw() == b.imported.raw());
  CHECK_FALSE(memo.take(4));
  CHECK_FALSE(memo.take(1000));
  // Facts no analysis gives are not kept: unparsed, or the names after the run ("bound").
  model::ReachFacts unparsed;
  memo.keep(9, unparsed);
  model::ReachFacts bound = b;
  bound.moduleNames = {"x"};
  memo.keep(10, bound);
  CHECK_FALSE(memo.take(9));
  CHECK_FALSE(memo.take(10));
  // Past the budget a new set is not kept, while a file with a set already kept still shares it.
  pipeline::ReachMemo tight(one);
  tight.keep(1, a);
  tight.keep(2, b);
  tight.keep(3, a);
  CHECK(tight.take(1));
  CHECK_FALSE(tight.take(2));
  CHECK(tight.take(3));
  CHECK(tight.bytes() == one);
  tight.close();
  CHECK_FALSE(tight.take(1));
  tight.keep(4, a);
  CHECK_FALSE(tight.take(4));
  CHECK(tight.bytes() == 0);
}

TEST_CASE("a run's reach takes the facts of the files it analyzed and gives the same holds and retargets") {
  // The test patches jobs.load's client: its reach needs jobs/load.py's facts, which its analysis
  // made. A run whose memo keeps nothing parses the file again instead; the plans are the same.
  Repo repo;
  // A patch of the library itself reaches every client its test imports, in two modules: one
  // patch of the pool cannot stand in for it, and the sites are held. Which files the test imports
  // (its reach facts) decides it.
  repo.dir.write("jobs/other.py", kLoad);
  repo.dir.write("tests/test_both.py", "from unittest import mock\n\nimport jobs.load\nimport jobs.other\n\n\n"
                                       "@mock.patch(\"google.cloud.bigquery.Client\")\ndef test_both(client):\n"
                                       "    jobs.load.load()\n    jobs.other.load()\n");
  pipeline::Run kept = analyzed();
  CHECK(digest(kept).find("tests/test_both.py") != std::string::npos);
  pipeline::Run parsed = prepared();
  parsed.reachMemo = std::make_shared<pipeline::ReachMemo>(0);
  pipeline::analyze(parsed);
  size_t test = indexOf(kept, "tests/test_load.py");
  REQUIRE(kept.outcomes[test].mocks.size() == 1);
  CHECK(digest(kept) == digest(parsed));
  CHECK(kept.outcomes[test].patches.size() == parsed.outcomes[test].patches.size());
  CHECK(kept.reachMemo->bytes() == 0); // closed once the reach is over
}

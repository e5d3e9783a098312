// poolify.yaml: path globs, categories, batches, excludes, and errors that name file:line:col.
#include "testing.h"

#include "config/config.h"

#include <doctest/doctest.h>

using namespace poolify;
using config::globMatch;
using testing::TempDir;

namespace {

// The configuration in `yaml`, loaded from a poolify.yaml in a scratch folder (the folder is
// gone afterwards; paths in the result still name it).
llvm::Expected<config::Config> load(const std::string &yaml, std::string *dirOut = nullptr) {
  TempDir dir;
  if (dirOut)
    *dirOut = dir.path;
  return config::loadConfig(dir.write("poolify.yaml", yaml));
}

// The error loading `yaml` gives, with the scratch folder's path replaced by "DIR".
std::string errorOf(const std::string &yaml) {
  std::string dir;
  auto c = load(yaml, &dir);
  if (c)
    return "(loaded)";
  std::string msg = llvm::toString(c.takeError());
  for (size_t at = msg.find(dir); at != std::string::npos; at = msg.find(dir))
    msg.replace(at, dir.size(), "DIR");
  return msg;
}

} // namespace

TEST_CASE("* and ? stay within one path segment") {
  CHECK(globMatch("jobs/*.py", "jobs/load.py"));
  CHECK_FALSE(globMatch("jobs/*.py", "jobs/daily/load.py"));
  CHECK(globMatch("jobs/*", "jobs/load.py"));
  CHECK(globMatch("jobs/lo?d.py", "jobs/load.py"));
  CHECK_FALSE(globMatch("jobs/lo?d.py", "jobs/lo/d.py"));
  CHECK(globMatch("cloud_functions/*/main.py", "cloud_functions/alert/main.py"));
  CHECK_FALSE(globMatch("cloud_functions/*/main.py", "cloud_functions/main.py"));
  CHECK(globMatch("jobs/*_test.py", "jobs/_test.py")); // * matches nothing too
  CHECK_FALSE(globMatch("jobs/*.py", "jobs/load.pyc"));
}

TEST_CASE("** spans any number of segments, none included") {
  CHECK(globMatch("data_processors/**", "data_processors/a.py"));
  CHECK(globMatch("data_processors/**", "data_processors/x/y/z.py"));
  CHECK(globMatch("**/migrations/*.py", "migrations/0001.py"));
  CHECK(globMatch("**/migrations/*.py", "app/db/migrations/0001.py"));
  CHECK_FALSE(globMatch("**/migrations/*.py", "app/migrations/sub/0001.py"));
  CHECK(globMatch("src/**/test_*.py", "src/test_a.py"));
  CHECK(globMatch("src/**/test_*.py", "src/a/b/test_a.py"));
  CHECK_FALSE(globMatch("src/**/test_*.py", "lib/a/test_a.py"));
}

TEST_CASE("character classes match one character: sets, ranges and negation") {
  CHECK(globMatch("jobs/[abc].py", "jobs/b.py"));
  CHECK_FALSE(globMatch("jobs/[abc].py", "jobs/d.py"));
  CHECK(globMatch("v[0-9]/*.py", "v2/api.py"));
  CHECK_FALSE(globMatch("v[0-9]/*.py", "vx/api.py"));
  CHECK(globMatch("jobs/[!_]*.py", "jobs/load.py"));
  CHECK_FALSE(globMatch("jobs/[!_]*.py", "jobs/_private.py"));
}

TEST_CASE("a pattern without a slash matches the file name at any depth") {
  CHECK(globMatch("main.py", "main.py"));
  CHECK(globMatch("main.py", "orchestration/cloud_functions/alert/main.py"));
  CHECK(globMatch("test_*.py", "tests/unit/test_loader.py"));
  CHECK_FALSE(globMatch("test_*.py", "tests/unit/loader_test.py"));
  CHECK_FALSE(globMatch("jobs", "jobs/load.py")); // a name, not a folder
}

TEST_CASE("a pattern with a slash is anchored at the config's folder, a trailing slash means everything below") {
  CHECK_FALSE(globMatch("jobs/*.py", "app/jobs/load.py"));
  CHECK(globMatch("./jobs/*.py", "jobs/load.py"));
  CHECK(globMatch("vendor/", "vendor/lib/x.py"));
  CHECK_FALSE(globMatch("vendor/", "src/vendor/x.py"));
}

TEST_CASE("a configuration is read with its categories, batches, excludes, rules and source roots") {
  std::string dir;
  auto c = load("categories:\n"
                "  cloud_functions: [\"orchestration/cloud_functions/*/main.py\"]\n"
                "  processors: [\"data_processors/**\", \"legacy/proc_*.py\"]\n"
                "batches:\n"
                "  - name: functions\n"
                "    categories: [cloud_functions]\n"
                "  - name: scripts\n"
                "    globs: [\"bin/*.py\"]\n"
                "exclude: [\"vendor/**\", \"**/migrations/*.py\"]\n"
                "rules: [tools/rules, /abs/rules.yaml]\n"
                "only_rules: [bigquery]\n"
                "source_roots: [src]\n",
                &dir);
  REQUIRE(static_cast<bool>(c));
  CHECK(c->file == dir + "/poolify.yaml");
  CHECK(c->dir == dir);
  REQUIRE(c->categories.size() == 2);
  CHECK(c->categories[0].name == "cloud_functions");
  CHECK(c->categories[1].globs == std::vector<std::string>{"data_processors/**", "legacy/proc_*.py"});
  REQUIRE(c->batches.size() == 2);
  CHECK(c->batches[0].name == "functions");
  CHECK(c->batches[0].categories == std::vector<std::string>{"cloud_functions"});
  CHECK(c->batches[1].globs == std::vector<std::string>{"bin/*.py"});
  CHECK(c->exclude == std::vector<std::string>{"vendor/**", "**/migrations/*.py"});
  CHECK(c->rules == std::vector<std::string>{dir + "/tools/rules", "/abs/rules.yaml"}); // relative to the file
  CHECK(c->ruleIds == std::vector<std::string>{"bigquery"});
  CHECK(c->sourceRoots == std::vector<std::string>{"src"});

  CHECK(c->categoryOf("orchestration/cloud_functions/alert/main.py") == "cloud_functions");
  CHECK(c->categoryOf("data_processors/grading/x.py") == "processors");
  CHECK(c->categoryOf("scripts/run.py") == "other");
  CHECK(c->excluded("vendor/six.py"));
  CHECK(c->excluded("app/migrations/0001_init.py"));
  CHECK_FALSE(c->excluded("app/models.py"));
}

TEST_CASE("the first category whose globs match wins") {
  auto c =
      load("categories:\n  special: [\"jobs/special_*.py\"]\n  jobs: [\"jobs/**\"]\n  late: [\"jobs/special_a.py\"]\n");
  REQUIRE(static_cast<bool>(c));
  CHECK(c->categoryOf("jobs/special_a.py") == "special");
  CHECK(c->categoryOf("jobs/load.py") == "jobs");
}

TEST_CASE("a single glob may be written without a list, an empty file is an empty configuration") {
  auto c = load("categories:\n  jobs: \"jobs/**\"\nexclude: vendor/**\n");
  REQUIRE(static_cast<bool>(c));
  CHECK(c->categories[0].globs == std::vector<std::string>{"jobs/**"});
  CHECK(c->exclude == std::vector<std::string>{"vendor/**"});
  auto empty = load("");
  REQUIRE(static_cast<bool>(empty));
  CHECK(empty->categories.empty());
  CHECK(empty->categoryOf("anything.py") == "other");
}

TEST_CASE("configuration errors name file:line:col and what is wrong") {
  CHECK(errorOf("categories:\n  jobs: [\"jobs/**\"]\nexclud: [\"x\"]\n") ==
        "DIR/poolify.yaml:3:1: error: unknown key 'exclud' (expected categories, batches, exclude, rules, only_rules, "
        "source_roots, units, pools)");
  CHECK(errorOf("categories:\n  other: [\"x/**\"]\n") ==
        "DIR/poolify.yaml:2:3: error: 'other' is the category of files no glob matches; choose another name");
  CHECK(errorOf("categories:\n  jobs: [\"jobs/**\"]\nbatches:\n  - name: b\n    categories: [jobs, nope]\n") ==
        "DIR/poolify.yaml:5:24: error: batch 'b' names unknown category 'nope' (categories: jobs, other)");
  CHECK(errorOf("batches:\n  - categories: [other]\n") == "DIR/poolify.yaml:2:5: error: a batch needs a name");
  CHECK(errorOf("batches:\n  - name: b\n    glob: [\"x\"]\n") ==
        "DIR/poolify.yaml:3:5: error: unknown key 'glob' in a batch (expected name, categories, globs)");
  // A flow collection's position is its first item (LLVM's YAML parser starts its range after the bracket).
  CHECK(errorOf("categories: [a, b]\n") ==
        "DIR/poolify.yaml:1:14: error: categories must map a category name to its path globs");
  CHECK(errorOf("- a\n- b\n").find("DIR/poolify.yaml:1:1: error: the configuration must be a mapping") == 0);
  CHECK(errorOf("exclude: {a: b}\n") == "DIR/poolify.yaml:1:11: error: exclude must be a list of text values");
}

TEST_CASE("a YAML syntax error is reported where the parser found it") {
  std::string e = errorOf("categories:\n  jobs: [\"jobs/**\"\nexclude: []\n");
  CHECK(e.rfind("DIR/poolify.yaml:", 0) == 0);
  CHECK(e.find(": error: ") != std::string::npos);
  CHECK(e.find("(loaded)") == std::string::npos);
}

TEST_CASE("a configuration that is not UTF-8 or cannot be read is an error naming the file") {
  CHECK(errorOf("exclude: [\"caf\xe9\"]\n") ==
        "DIR/poolify.yaml:1:15: error: the configuration file is not valid UTF-8");
  auto missing = config::loadConfig("/nonexistent/poolify.yaml");
  REQUIRE_FALSE(static_cast<bool>(missing));
  CHECK(llvm::toString(missing.takeError()) ==
        "/nonexistent/poolify.yaml: error: cannot read: No such file or directory (configuration file)");
}

TEST_CASE("relative gives a path below the config's folder, nullopt outside it") {
  config::Config c;
  c.dir = "/repo";
  CHECK(c.relative("/repo/jobs/load.py") == std::optional<std::string>("jobs/load.py"));
  CHECK(c.relative("/repo/jobs/../app/x.py") == std::optional<std::string>("app/x.py"));
  CHECK(c.relative("/repo") == std::optional<std::string>(""));
  CHECK_FALSE(c.relative("/repository/x.py").has_value());
  CHECK_FALSE(c.relative("/elsewhere/x.py").has_value());
  TempDir dir;
  c.dir = dir.path;
  char cwd[4096];
  REQUIRE(::getcwd(cwd, sizeof cwd) != nullptr);
  REQUIRE(::chdir(dir.path.c_str()) == 0);
  CHECK(c.relative("jobs/x.py") == std::optional<std::string>("jobs/x.py")); // relative to the current folder
  REQUIRE(::chdir(cwd) == 0);
}

TEST_CASE("findConfig finds poolify.yaml or .poolify.yaml from a file's folder upwards") {
  TempDir dir;
  dir.write("repo/app/jobs/load.py", "");
  CHECK_FALSE(config::findConfig(dir.path + "/repo/app/jobs/load.py").has_value());
  std::string hidden = dir.write("repo/.poolify.yaml", "");
  CHECK(config::findConfig(dir.path + "/repo/app/jobs/load.py") == std::optional<std::string>(hidden));
  std::string near = dir.write("repo/app/poolify.yaml", "");
  CHECK(config::findConfig(dir.path + "/repo/app/jobs") == std::optional<std::string>(near));
}

TEST_CASE("pools names the package of the pool modules, for all rules and per rule") {
  auto c = load("pools:\n  package: acme.platform.clients\n  by_rule: {http: acme.web.clients}\n");
  REQUIRE(static_cast<bool>(c));
  CHECK(c->poolPackage == "acme.platform.clients");
  CHECK(c->rulePoolPackages == std::map<std::string, std::string>{{"http", "acme.web.clients"}});
  CHECK(errorOf("pools:\n  by_rule: {http: acme..web}\n") ==
        "DIR/poolify.yaml:2:19: error: pools.by_rule.http must be a dotted module name (a.b.c), not 'acme..web'");
  // A name Python would not import (a keyword part) is refused here, not by the rewrite that prints it.
  CHECK(errorOf("pools:\n  package: acme.import.clients\n") ==
        "DIR/poolify.yaml:2:12: error: pools.package must be a dotted module name (a.b.c), not 'acme.import.clients': "
        "it has a part 'import' that is a Python keyword, which Python does not accept as a name");
  CHECK(errorOf("pools:\n  by_rule: {http: acme.None}\n").find("not 'acme.None': it has a part 'None'") !=
        std::string::npos);
  CHECK(errorOf("pools:\n  by_rule: [http]\n").find("pools.by_rule must be a mapping") != std::string::npos);
  CHECK(errorOf("pools:\n  packages: a.b\n") ==
        "DIR/poolify.yaml:2:3: error: unknown key 'packages' in pools (expected package, by_rule, installed)");
}

TEST_CASE("a module is named by its path under the first source root that holds it") {
  config::Config cfg;
  cfg.dir = "/repo";
  auto file = [](const std::string &path, const std::string &display) { return model::SourceFile{path, display}; };
  // No source roots: the display path, whatever the file's place.
  CHECK(cfg.modulePath(file("/repo/src/pkg/mod.py", "src/pkg/mod.py")) == "src/pkg/mod.py");
  cfg.sourceRoots = {"lib/", "src"};
  CHECK(cfg.modulePath(file("/repo/src/pkg/mod.py", "src/pkg/mod.py")) == "pkg/mod.py");
  CHECK(cfg.modulePath(file("/repo/lib/util.py", "lib/util.py")) == "util.py"); // the root's trailing '/' is no part
  CHECK(cfg.modulePath(file("/repo/srcx/mod.py", "srcx/mod.py")) == "srcx/mod.py"); // a prefix, not a folder of it
  CHECK(cfg.modulePath(file("/elsewhere/mod.py", "../elsewhere/mod.py")) == "../elsewhere/mod.py"); // outside the tree
  cfg.sourceRoots = {"."};
  CHECK(cfg.modulePath(file("/repo/src/pkg/mod.py", "pkg/mod.py")) ==
        "src/pkg/mod.py"); // relative to the config's folder
}

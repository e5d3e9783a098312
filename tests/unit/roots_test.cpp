// Where a pool module resolves: Python's path-based import (regular packages end the search,
// namespace packages span sys.path entries, a module file wins over a namespace folder) from the
// tree's import root, and from each deployment unit (a folder deployed on its own) alone.
#include "testing.h"

#include "pipeline/roots.h"
#include "source/modules.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace poolify;
using testing::TempDir;

namespace {

const char *kPool = "def get_bigquery_client(project_id=None):\n    raise NotImplementedError\n";
const std::string kModule = "shared.clients.bigquery_pool";

// Every answer is asked twice: of the disk directly, and through the folder listings a run's
// cross-file steps use (source::PathKinds); both must agree.
bool resolves(const std::vector<std::string> &paths, const std::string &module = kModule) {
  source::PathKinds kinds;
  auto listed = source::findModule(paths, module, &kinds);
  auto direct = source::findModule(paths, module);
  CHECK(listed == direct);
  return direct.has_value();
}

} // namespace

TEST_CASE("a module resolves through regular packages and namespace folders") {
  TempDir t;
  t.write("regular/shared/__init__.py", "");
  t.write("regular/shared/clients/__init__.py", "");
  t.write("regular/shared/clients/bigquery_pool.py", kPool);
  t.write("namespace/shared/clients/bigquery_pool.py", kPool);
  CHECK(resolves({t.path + "/regular"}));
  CHECK(resolves({t.path + "/namespace"}));
  CHECK(source::findModule({t.path + "/regular"}, "shared.clients") == t.path + "/regular/shared/clients/__init__.py");
  CHECK_FALSE(resolves({t.path + "/regular"}, "shared.clients.storage_pool"));
  CHECK_FALSE(resolves({t.path + "/nowhere"}));
}

TEST_CASE("what a path is, from its folder's listing, is what stat says") {
  TempDir t;
  t.write("pkg/__init__.py", "");
  t.write("pkg/mod.py", "");
  t.write("real/inner.py", "");
  REQUIRE(::symlink("real", (t.path + "/linked").c_str()) == 0);
  REQUIRE(::symlink("pkg/mod.py", (t.path + "/link.py").c_str()) == 0);
  REQUIRE(::symlink("missing", (t.path + "/dangling.py").c_str()) == 0);
  source::PathKinds kinds;
  CHECK(kinds.of(t.path + "/pkg") == source::PathKinds::Dir);
  CHECK(kinds.of(t.path + "/pkg/__init__.py") == source::PathKinds::File);
  CHECK(kinds.of(t.path + "/pkg/other.py") == source::PathKinds::None);
  CHECK(kinds.of(t.path + "/linked") == source::PathKinds::Dir);           // a link to a folder is followed
  CHECK(kinds.of(t.path + "/linked/inner.py") == source::PathKinds::File); // and listed through the link
  CHECK(kinds.of(t.path + "/link.py") == source::PathKinds::File);
  CHECK(kinds.of(t.path + "/dangling.py") == source::PathKinds::None);
  CHECK(kinds.of(t.path + "/nowhere/deeper/x.py") == source::PathKinds::None); // no folder: nothing in it
  CHECK(kinds.of(t.path + "/pkg/mod.py/x.py") == source::PathKinds::None);     // a file holds nothing
  // A folder that cannot be listed but can be searched (x without r): the path is asked directly.
  t.write("locked/inside.py", "");
  REQUIRE(::chmod((t.path + "/locked").c_str(), 0111) == 0);
  source::PathKinds locked;
  CHECK(locked.of(t.path + "/locked/inside.py") == source::PathKinds::File);
  CHECK(locked.of(t.path + "/locked/absent.py") == source::PathKinds::None);
  ::chmod((t.path + "/locked").c_str(), 0755);
}

TEST_CASE("a package with __init__.py shadows the same name further along the path") {
  TempDir t;
  t.write("unit/shared/__init__.py", "");
  t.write("unit/shared/slack.py", "");
  t.write("root/shared/__init__.py", "");
  t.write("root/shared/clients/__init__.py", "");
  t.write("root/shared/clients/bigquery_pool.py", kPool);
  CHECK_FALSE(resolves({t.path + "/unit", t.path + "/root"}));
  CHECK(resolves({t.path + "/root", t.path + "/unit"}));
}

TEST_CASE("namespace portions combine across path entries") {
  TempDir t;
  t.write("a/shared/clients/other.py", "");
  t.write("b/shared/clients/bigquery_pool.py", kPool);
  CHECK(resolves({t.path + "/a", t.path + "/b"}));
}

TEST_CASE("a module file wins over a namespace folder and cannot hold submodules") {
  TempDir t;
  t.write("a/shared/clients/bigquery_pool.py", kPool);
  t.write("b/shared.py", "");
  CHECK_FALSE(resolves({t.path + "/a", t.path + "/b"}));
  CHECK(source::findModule({t.path + "/a", t.path + "/b"}, "shared") == t.path + "/b/shared.py");
}

TEST_CASE("a namespace package is not a module with the pool's function") {
  TempDir t;
  t.write("root/shared/clients/bigquery_pool/README", "");
  CHECK_FALSE(resolves({t.path + "/root"}));
}

TEST_CASE("symlinked packages are followed, as Python follows them") {
  TempDir t;
  t.write("root/shared/__init__.py", "");
  t.write("root/shared/clients/__init__.py", "");
  t.write("root/shared/clients/bigquery_pool.py", kPool);
  t.write("root/fn/main.py", "");
  REQUIRE(::symlink("../shared", (t.path + "/root/fn/shared").c_str()) == 0);
  CHECK(resolves({t.path + "/root/fn"}));
}

TEST_CASE("deployment units: main.py and requirements.txt outside a package, or configured") {
  TempDir t;
  t.write("shared/__init__.py", "");
  t.write("shared/clients/__init__.py", "");
  t.write("shared/clients/bigquery_pool.py", kPool);
  t.write("functions/bare/main.py", "");
  t.write("functions/bare/requirements.txt", "");
  t.write("functions/vendored/main.py", "");
  t.write("functions/vendored/requirements.txt", "");
  t.write("functions/vendored/shared/clients/bigquery_pool.py", kPool);
  t.write("service/__init__.py", "");
  t.write("service/main.py", "");
  t.write("service/requirements.txt", "");
  t.write("jobs/nightly/run.py", "");
  t.write("lib/util.py", "");
  config::Config cfg;
  cfg.file = t.path + "/poolify.yaml";
  cfg.dir = t.path;
  cfg.units = {"jobs/*"};
  std::vector<model::SourceFile> files;
  for (const char *rel : {"functions/bare/main.py", "functions/vendored/main.py", "service/main.py",
                          "jobs/nightly/run.py", "lib/util.py"})
    files.push_back({t.path + "/" + rel, rel});
  pipeline::ImportRoots roots(cfg, {t.path}, files, {kModule});
  REQUIRE(roots.units().size() == 3);
  CHECK(roots.units()[0].dir == t.path + "/functions/bare");
  CHECK(roots.units()[2].configured);
  CHECK(roots.unitOf(t.path + "/service/main.py") == nullptr);
  CHECK(roots.unitOf(t.path + "/functions/bare/helpers/x.py") == &roots.units()[0]);

  CHECK(roots.problem(t.path + "/lib/util.py", kModule) == "");
  CHECK(roots.problem(t.path + "/service/main.py", kModule) == "");
  CHECK(roots.problem(t.path + "/functions/vendored/main.py", kModule) == "");
  std::string bare = roots.problem(t.path + "/functions/bare/main.py", kModule);
  CHECK(bare.find("is not importable from " + t.path +
                  "/functions/bare (deployment unit: main.py and "
                  "requirements.txt)") != std::string::npos);
  std::string nightly = roots.problem(t.path + "/jobs/nightly/run.py", kModule);
  CHECK(nightly.find("(deployment unit from poolify.yaml)") != std::string::npos);
  CHECK(roots.problem(t.path + "/lib/util.py", "shared.clients.storage_pool").find("import root of the tree") !=
        std::string::npos);

  cfg.poolsInstalled = true; // an installed distribution: importable everywhere
  pipeline::ImportRoots installed(cfg, {t.path}, files, {kModule});
  CHECK(installed.problem(t.path + "/functions/bare/main.py", kModule) == "");
}

TEST_CASE("the tree's roots are the configured source roots") {
  TempDir t;
  t.write("src/shared/clients/bigquery_pool.py", kPool);
  config::Config cfg;
  cfg.file = t.path + "/poolify.yaml";
  cfg.dir = t.path;
  cfg.sourceRoots = {"src"};
  pipeline::ImportRoots roots(cfg, {t.path}, {}, {kModule});
  CHECK(roots.roots() == std::vector<std::string>{t.path + "/src"});
  CHECK(roots.problem(t.path + "/src/app.py", kModule) == "");
}

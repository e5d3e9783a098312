// The rules and pool templates compiled into the binary are the files of rules/, byte for byte, and
// load as rules under the pseudo-folder <embedded>.
#include "rules/embedded.h"
#include "rules/rule.h"

#include <doctest/doctest.h>

#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace poolify::rules;

namespace {
// name -> bytes of the files in `dir` ending in `ext`, sorted by name.
std::vector<std::pair<std::string, std::string>> filesIn(const std::string &dir, llvm::StringRef ext) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), e; it != e && !ec; it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (!name.endswith(ext))
      continue;
    auto buf = llvm::MemoryBuffer::getFile(it->path());
    REQUIRE(buf);
    out.emplace_back(name.str(), (*buf)->getBuffer().str());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> asPairs(const std::vector<EmbeddedFile> &files) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto &f : files)
    out.emplace_back(std::string(f.name), std::string(f.text));
  return out;
}
} // namespace

TEST_CASE("the embedded rule files are rules/*.yaml, byte for byte") {
  auto onDisk = filesIn(POOLIFY_SOURCE_RULES_DIR, ".yaml");
  REQUIRE(onDisk.size() >= 5);
  CHECK(asPairs(embeddedRuleFiles()) == onDisk);
  CHECK(embeddedRulesHash().size() == 64);
}

TEST_CASE("the embedded pool templates are rules/templates/*.py, byte for byte") {
  auto onDisk = filesIn(std::string(POOLIFY_SOURCE_RULES_DIR) + "/templates", ".py");
  REQUIRE(!onDisk.empty());
  CHECK(asPairs(embeddedTemplates()) == onDisk);
  for (const auto &[name, text] : onDisk) {
    auto t = embeddedTemplate(name);
    REQUIRE(t);
    CHECK(*t == text);
  }
  CHECK(!embeddedTemplate("no_such_pool.py"));
  CHECK(!embeddedTemplate("README.md"));
  CHECK(!embeddedTemplate(""));
}

TEST_CASE("<embedded> loads the same rules as the rules folder, named <embedded>/FILE") {
  auto fromDisk = loadRules({POOLIFY_SOURCE_RULES_DIR});
  REQUIRE(fromDisk);
  auto embedded = loadEmbeddedRules();
  REQUIRE(embedded);
  REQUIRE(embedded->size() == fromDisk->size());
  for (size_t i = 0; i < embedded->size(); ++i) {
    const Rule &e = (*embedded)[i], &d = (*fromDisk)[i];
    CHECK(e.id == d.id);
    CHECK(e.file == "<embedded>/" + llvm::sys::path::filename(d.file).str());
    CHECK(e.triggers == d.triggers);
    CHECK(e.callableNames == d.callableNames);
    CHECK(e.rewrites.size() == d.rewrites.size());
    CHECK(e.examples.size() == d.examples.size());
  }
  // One file of the set, and the set beside a folder of one's own (ids must stay unique).
  auto one = loadRules({"<embedded>/bigquery.yaml"});
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK(one->front().id == "bigquery");
  auto twice = loadRules({"<embedded>", POOLIFY_SOURCE_RULES_DIR});
  REQUIRE(!twice);
  CHECK(llvm::toString(twice.takeError()).find("rule id 'bigquery' is already defined in <embedded>/bigquery.yaml") !=
        std::string::npos);
}

TEST_CASE("an unknown embedded rule file is an error naming it") {
  auto r = loadRules({"<embedded>/nope.yaml"});
  REQUIRE(!r);
  CHECK(llvm::toString(r.takeError()).find("<embedded>/nope.yaml: error: cannot read rule file") == 0);
  // Not a pseudo-path: a file of that name is looked for on disk.
  CHECK(!isEmbeddedPath("<embedded>x/bigquery.yaml"));
  CHECK(isEmbeddedPath("<embedded>"));
  CHECK(isEmbeddedPath("<embedded>/http.yaml"));
}

TEST_CASE("the binary in its own build tree reads the source rules folder") {
  // This test binary lives in the build tree: rules edited in rules/ show without a rebuild.
  CHECK(defaultRulesDir("poolify_unit_tests") == POOLIFY_SOURCE_RULES_DIR);
}

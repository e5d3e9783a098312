// Helpers the unit tests share: the shipped rules, a source analyzed the way the pipeline does it
// (parse, scopes, sites, verdicts) and rewritten through the rewriter, and a scratch folder.
#pragma once

#include "analysis/decide.h"
#include "analysis/sites.h"
#include "python/scopes.h"
#include "rewrite/rewriter.h"
#include "rules/rule.h"
#include "support/text.h"

#include <doctest/doctest.h>

#include <llvm/Support/Error.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace poolify::testing {

/// Every rule of the shipped rules/ folder, loaded once.
inline const std::vector<rules::Rule> &shippedRules() {
  static const std::vector<rules::Rule> rules = [] {
    auto loaded = rules::loadRules({POOLIFY_SOURCE_RULES_DIR});
    if (!loaded) {
      std::string why = llvm::toString(loaded.takeError());
      FAIL("the shipped rules do not load: " << why);
    }
    return std::move(*loaded);
  }();
  return rules;
}

/// The shipped rule `id` alone (a Site points into the vector it came from: keep it alive).
inline const std::vector<rules::Rule> &shippedRule(const std::string &id) {
  static std::map<std::string, std::vector<rules::Rule>> one;
  auto it = one.find(id);
  if (it == one.end()) {
    for (const auto &r : shippedRules())
      if (r.id == id)
        it = one.emplace(id, std::vector<rules::Rule>{r}).first;
    REQUIRE_MESSAGE(it != one.end(), "no shipped rule " << id);
  }
  return it->second;
}

/// A source parsed: its text (which the tree points into), tree, scopes and line index.
struct Parsed {
  explicit Parsed(std::string source)
      : text(std::move(source)), tree(py::Tree::parse(text)), model(tree), lines(text) {}
  Parsed(const Parsed &) = delete;

  std::string text;
  py::Tree tree;
  py::ScopeModel model;
  LineIndex lines;

  /// The source text of a node.
  std::string textOf(TSNode n) const { return std::string(tree.text(n)); }
};

/// A source analyzed as the pipeline does it: parsed, its sites and their verdicts.
struct Analyzed : Parsed {
  Analyzed(std::string source, const std::vector<rules::Rule> &rules, std::string path = "job.py",
           const std::map<uint32_t, model::Removal> &removals = {})
      : Parsed(std::move(source)), sites(analysis::findSites(tree, model, rules)),
        verdicts(analysis::decideSites(tree, model, sites, path, lines, contextWith(removals))) {}

  // Unsafe fixes are applied: most tests are about how a rewrite is made (decide_test checks the
  // tiers themselves with its own contexts).
  static analysis::FileContext contextWith(const std::map<uint32_t, model::Removal> &removals) {
    analysis::FileContext context;
    context.removals = removals;
    context.unsafeFixes = true;
    return context;
  }

  std::vector<analysis::Site> sites;
  std::vector<model::Verdict> verdicts;

  /// "line:col" of a site's callee (1-based, as --explain prints it).
  std::string position(size_t site) const {
    LineCol lc = lines.at(py::start(sites.at(site).callee));
    return std::to_string(lc.line) + ":" + std::to_string(lc.col);
  }
  /// The text after the rewriter carried out the verdicts.
  std::string rewritten() const {
    auto out = rewrite::rewriteFile(tree, model, sites, verdicts).apply(text, "job.py");
    if (!out) {
      std::string why = llvm::toString(out.takeError());
      FAIL("the edits do not apply: " << why);
    }
    return *out;
  }
};

/// The text of `source` after the rewriter carried out the verdicts on its sites.
inline std::string migrated(const std::string &source, const std::vector<rules::Rule> &rules = shippedRules(),
                            const std::string &path = "job.py") {
  return Analyzed(source, rules, path).rewritten();
}

/// A scratch folder, removed with everything in it at the end of the test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/poolify-unit-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  /// Writes `text` to `rel` (folders made as needed) and returns the full path.
  std::string write(const std::string &rel, const std::string &text) const {
    std::string full = path + "/" + rel;
    for (size_t slash = full.find('/', path.size() + 1); slash != std::string::npos; slash = full.find('/', slash + 1))
      ::mkdir(full.substr(0, slash).c_str(), 0755);
    std::ofstream(full, std::ios::binary) << text;
    return full;
  }
  /// The bytes of `rel`.
  std::string read(const std::string &rel) const {
    std::ifstream in(path + "/" + rel, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
};

} // namespace poolify::testing

// Deciding every site of a file: rewrite it to the pool (and how: the callee's spelling, the
// import that binds it, the arguments it maps or takes from scope), remove it as a redundant
// override, or leave it, with the reason. Pure: reads the tree, returns data.
#pragma once

#include "analysis/sites.h"
#include "model/site.h"
#include "python/signatures.h"
#include "support/text.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace poolify::analysis {

/// What a file's verdicts depend on besides its text.
struct FileContext {
  /// A site's callee offset (in the parsed text) -> the redundant override it stands in.
  std::map<uint32_t, model::Removal> removals;
  /// Why a pool module cannot be imported where this file runs ("" when it can); null: it can.
  std::function<std::string(const std::string &module)> poolProblem;
  /// Why the pooled call `function(...)` of `module`, shaped as the rewrite writes it, fails where
  /// this file runs: the pool module defines no such function, or its signature refuses the
  /// arguments ("" when it does not, or that is not known; pipeline/roots.h: callProblem).
  std::function<std::string(const std::string &module, const std::string &function, const py::CallShape &call)>
      poolCallProblem;
  /// Apply unsafe fixes too (--unsafe-fixes): their verdicts are Rewritten, not Unsafe.
  bool unsafeFixes = false;
  /// Module-level names other modules of the run use (name -> why, for --explain): their imports
  /// stay when the rewrite leaves them unused.
  std::map<std::string, std::string> keepImports;
  /// Names a pool import may not bind at module level (name -> where it would clash, for the
  /// reason): this module has no __all__, so `from <it> import *` in another module of the run
  /// (directly, or through modules without __all__ that star-import it) would bind the name there,
  /// where that module binds or reads the name already (pipeline/uses.h: starImportClashes).
  /// Such a site is reached through the pool's module, as when the name is taken in this file.
  std::map<std::string, std::string> starClashes;
  /// Test patch targets to retarget to the pooled callable (offsets in the file; see
  /// rewrite/patches.h), decided across the run.
  std::vector<model::PatchRetarget> retargets;
  /// Sites held back so that a test's patch keeps intercepting them ((line, col) of the callee, as
  /// in SiteRecord -> why, naming the test and the target; pipeline/intercept.h): their rewrite or
  /// removal is an unsafe fix.
  std::map<std::pair<unsigned, unsigned>, std::string> holds;
  /// Sites whose missing `self.<attr>` the class index found assigned by the base __init__ that
  /// runs first ((line, col) of the callee, as in SiteRecord), and the same as callee offsets in
  /// the parsed text (what decideSites reads; pipeline/process.cpp converts).
  std::set<std::pair<unsigned, unsigned>> baseProvided;
  std::set<uint32_t> baseProvidedOffsets;
  /// Sites whose object other code of the run configures or closes through the name it is held in
  /// ((line, col) of the callee, as in SiteRecord -> why: "session is configured by other code
  /// (pkg/authed.py:5: .headers)"; pipeline/reduce.cpp: leaveConfiguredElsewhere): left.
  std::map<std::pair<unsigned, unsigned>, std::string> configuredElsewhere;
  /// Also give the facts the test patches' reach needs of the file (FileOutcome::reach), from the
  /// tree and scopes the analysis has at hand (pipeline/intercept.h's reachFactsFrom).
  bool reachFacts = false;
};

/// The verdicts on `sites` (one each, in order). `path` is the file's path with '/' separators
/// (to recognise the pool's own module).
std::vector<model::Verdict> decideSites(const py::Tree &tree, const py::ScopeModel &model,
                                        const std::vector<Site> &sites, const std::string &path, const LineIndex &lines,
                                        const FileContext &context = {});

/// True when the file at `path` is the module `module` (a/b/c.py or a/b/c/__init__.py).
bool isModuleFile(const std::string &path, const std::string &module);

/// The arguments of a call as poolify maps them: positional and keyword ones (comments aside).
struct Arguments {
  std::vector<TSNode> positional;
  std::vector<TSNode> keywords; // keyword_argument nodes
  std::vector<TSNode> all;      // every argument in order (what ArgumentChange::index counts)
  bool unpacking = false;       // *args or **kwargs
  TSNode list{};                // the argument_list (null for a bare generator argument)
  TSNode first{};               // the first argument that is not a comment
};
Arguments argumentsOf(TSNode call);

} // namespace poolify::analysis

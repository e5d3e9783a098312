// The run engine every command uses: load the configuration and rules, discover the files,
// analyze each one in parallel (from the cache when its bytes are unchanged), join their class
// facts in one small serial step (which overrides are redundant, which classes inherit a pooled
// client), plan the files holding removed overrides again, and hand the outcomes, in path
// order, to one consumer. Configured by a plain options struct, so it runs (and is tested)
// without the command line.
#pragma once

#include "analysis/decide.h"
#include "cache/cache.h"
#include "cache/results.h"
#include "config/config.h"
#include "index/module_names.h"
#include "model/outcome.h"
#include "pipeline/plans.h"
#include "pipeline/reader.h"
#include "pipeline/roots.h"
#include "rules/rule.h"
#include "source/discover.h"
#include "support/parallel.h"

#include <llvm/Support/Error.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace poolify::pipeline {

/// Shard K of N (K from 1): the files whose path hashes to K - 1.
struct Shard {
  unsigned index = 1, count = 1;
};
/// "K/N" with 1 <= K <= N; the error says what is expected.
llvm::Expected<Shard> parseShard(std::string_view spec);
/// Shard (0-based) of a display path among `count`: FNV-1a of the path, so every machine agrees.
unsigned shardOf(const std::string &display, unsigned count);

struct RunOptions {
  std::vector<std::string> paths; // files and folders to walk; "." when empty
  std::string configFile;         // "" : poolify.yaml (or .poolify.yaml) found from the first path upwards
  bool noConfig = false;
  std::vector<std::string> rulePaths; // rule files or folders; empty: the config's, else `defaultRules`
  std::vector<std::string> ruleIds;   // only these rules; empty: the config's, else all
  std::string defaultRules;           // the shipped rules folder
  unsigned jobs = 0;                  // files analyzed in parallel; 0: all cores
  std::optional<Shard> shard;         // report on this shard's files only
  bool useCache = false;
  std::string cacheDir;       // "" : cache::defaultCacheDir of the first path
  bool withInherited = false; // also list the classes that get a pooled client from a base
  bool unsafeFixes = false;   // unsafe fixes are applied too (--unsafe-fixes)
  /// The files' final edits are wanted (migrate, report, pools): the cross-file pass that keeps
  /// imports other modules use and retargets test patches runs. check and manifest report sites,
  /// which that pass never changes, and skip it (it reads every file that names a removed import).
  /// Without it, the outcomes' class facts (the cross-file steps' input) are dropped once those
  /// steps are done: what a report needs of a file is its records, messages and edits.
  bool finalEdits = true;
  /// Called after each file is analyzed with (done, total); from worker threads, one call at a time.
  std::function<void(size_t, size_t)> progress;
};

/// The configuration's pool packages applied to the rules: `pools.by_rule` for its rules, else
/// `pools.package`, in place of the shipped package (shared.clients). With `allRules` (no rule was
/// selected by id), a `by_rule` id that names no rule is an error (the whole message to print).
llvm::Error applyPoolPackages(std::vector<rules::Rule> &rules, const config::Config &config, bool allRules);

/// Rules from `paths` (else `configPaths`, else `defaultDir`), narrowed to `ids` (else
/// `configIds`). The error is the whole message to print.
llvm::Expected<std::vector<rules::Rule>> selectRules(const std::vector<std::string> &paths,
                                                     const std::vector<std::string> &ids,
                                                     const std::vector<std::string> &configPaths,
                                                     const std::vector<std::string> &configIds,
                                                     const std::string &defaultDir);

/// The rules a run with `options` uses (`rules list`): with `withConfig`, under the poolify.yaml it
/// finds (or --config names; none with noConfig) — its rule files, ids and pool packages. The error
/// is the whole message to print.
llvm::Expected<std::vector<rules::Rule>> rulesOf(const RunOptions &options, bool withConfig);

/// A run: what it works on, and after analyze() what it found.
struct Run {
  // Move-only: its outcomes view its file list (model::FileRef), which a move keeps in place and a
  // copy would not.
  Run() = default;
  Run(Run &&) = default;
  Run &operator=(Run &&) = default;
  Run(const Run &) = delete;
  Run &operator=(const Run &) = delete;

  RunOptions options;
  config::Config config;
  std::vector<rules::Rule> rules;
  source::Discovery found;
  std::vector<bool> active;                             // files this run reports on (all, or those of its shard)
  std::vector<model::FileOutcome> outcomes;             // one per found.files entry, after analyze()
  std::vector<std::vector<model::Inherited>> inherited; // per file, with options.withInherited
  std::vector<std::string> warnings;                    // oddities to tell the user (inheritance cycles, ...)
  size_t cacheHits = 0;
  std::shared_ptr<cache::Cache> cache; // null without options.useCache (opened by analyze())
  std::string cacheDir;                // where the cache lives ("" without options.useCache)
  std::string cacheStamp;              // what its entries are valid for: poolify and the rules
  /// The last run's results (cache/results.h), for the runs that keep them: those without final
  /// edits or a shard (check, manifest) that use the cache. Null for the others.
  std::shared_ptr<cache::Results> results;
  bool resultsReused = false; // analyze() took the last run's results: no file changed
  /// Files whose bytes were hashed while the last run's results were asked for (their stat data
  /// changed): file -> hash. A file found there is looked up in the cache by it, not read again.
  std::unordered_map<size_t, uint64_t> hashedBeforeAnalysis;
  std::shared_ptr<ImportRoots> roots; // where each file's imports resolve
  /// Sites held so that test patches keep intercepting them (pipeline/intercept.h): file ->
  /// (line, col) -> why. Part of each file's context (contextFor) once decided.
  std::map<size_t, std::map<std::pair<unsigned, unsigned>, std::string>> holds;
  /// Sites whose missing `self.<attr>` the base __init__ that runs first assigns (the class index's
  /// answer to SiteRecord::hookClass): file -> (line, col). Part of each file's context too.
  std::map<size_t, std::set<std::pair<unsigned, unsigned>>> baseProvided;
  /// Names a pool import may not add at module level, since they would leak through `import *`
  /// into a module that binds or reads them (analysis::FileContext::starClashes): file -> name ->
  /// where. Decided by migrate's last step (reduce.h); part of each file's context once decided.
  std::map<size_t, std::map<std::string, std::string>> starClashes;
  /// Sites whose object other code of the run configures or closes through the name it is held in
  /// (analysis::FileContext::configuredElsewhere): file -> (line, col) -> why. Decided by the reduce
  /// step (reduce.h) for every command; part of each file's context once decided.
  std::map<size_t, std::map<std::pair<unsigned, unsigned>, std::string>> configuredElsewhere;
  /// Files found changed on disk when the reduce step read them again (reread()); analyze()
  /// reports each as a file that could not be analyzed.
  std::shared_ptr<ChangedFiles> changedOnDisk = std::make_shared<ChangedFiles>();
  /// The plans the cross-file steps made of each file, by variant (pipeline/plans.h).
  std::shared_ptr<PlanMemo> plans = std::make_shared<PlanMemo>();
  /// The reach facts of the files the run analyzed (pipeline/plans.h).
  std::shared_ptr<ReachMemo> reachMemo = std::make_shared<ReachMemo>();

  /// The configured category of a file ("other" when none matches).
  std::string categoryOf(const model::SourceFile &f) const;
  /// The category of every file, in file order.
  std::vector<std::string> categories() const;
  /// The bytes of file i read again (the reduce step): when this run analyzed it, they must still hash
  /// to what it analyzed; otherwise the error says it changed and the file is noted in changedOnDisk.
  llvm::Expected<std::string> reread(size_t i) const;
  /// Site records of file i: from the analysis, or (outside this shard) analyzed now.
  const std::vector<model::SiteRecord> &recordsOf(size_t i);
  /// The files' module names by display path (what test patches and imports are matched against),
  /// and by module path (display paths with the configuration's source roots taken off: the class
  /// index's). Each is made once, on first use by the cross-file steps (one thread), and shared by
  /// every step after it.
  std::shared_ptr<const index::ModuleNames> namesByDisplay();
  std::shared_ptr<const index::ModuleNames> namesByModulePath();

private:
  std::map<size_t, std::vector<model::SiteRecord>> lookup_; // records of files outside the shard
  std::shared_ptr<const index::ModuleNames> byDisplay_, byModulePath_;
};

/// Drops from outcome o's class facts (file `file` of `names`) the `from M import X` that no file of
/// the run is module M of: the facts keep a module's imports for re-exports of classes
/// (index::ClassIndex::resolve), such a one leads to no class, and a run holds the facts of every
/// file it parsed. (The cache keeps the whole table: the run's files change.)
void dropImportsOutOfRun(model::FileOutcome &o, const index::ModuleNames &names, size_t file);

/// What file i's verdicts depend on besides its text: where its pool modules resolve.
analysis::FileContext contextFor(const Run &run, size_t file);
/// The name of file i's outcome in the cache among those of the same bytes ("" for the usual one):
/// it changes when the context does. `asAnalyzed`: the name of the outcome analyze() made, whose
/// context had no holds and no sites a base provides yet (the cross-file steps decide those later).
std::string cacheVariant(const Run &run, size_t file, bool asAnalyzed = false);

/// Loads the configuration and rules and finds the files. The error is the whole message to
/// print (a usage or configuration error: nothing was changed).
llvm::Expected<Run> prepare(RunOptions options);

/// The PATH arguments of a prepared run under which no Python file was found (a folder with none,
/// a file that is not one), as given; none when a PATH is not there (that is a problem already).
std::vector<std::string> pathsWithoutPython(const Run &run);

/// Analyzes every active file and decides redundant overrides across all of them; messages are
/// sorted per file.
void analyze(Run &run);

/// The outcome of `text` as the file's new content (for coverage after migration).
model::FileOutcome reanalyze(const Run &run, size_t file, std::string text);

using ::poolify::parallelFor;      // support/parallel.h
using ::poolify::releaseFreePages; // support/parallel.h

} // namespace poolify::pipeline

#include "cli/run.h"

#include "cli/options.h"
#include "output/summary.h"
#include "support/text.h"

#include <llvm/Support/BuryPointer.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

namespace {

// Progress on a terminal for runs of a few hundred files or more (never when piped or --quiet).
std::function<void(size_t, size_t)> terminalProgress() {
  if (Quiet || !llvm::errs().is_displayed())
    return nullptr;
  return [](size_t done, size_t total) {
    if (total < 200 || (done % 50 != 0 && done != total))
      return;
    llvm::errs() << fmt::format("\rpoolify: analyzed {}/{} files", done, total);
    if (done == total)
      llvm::errs() << "\r\033[K";
    llvm::errs().flush();
  };
}

} // namespace

pipeline::RunOptions runOptions(bool cacheByDefault, bool withInherited) {
  pipeline::RunOptions o;
  o.paths.assign(Paths.begin(), Paths.end());
  if (PoolsCmd)
    o.paths.assign(PoolsPaths.begin(), PoolsPaths.end());
  o.configFile = ConfigFile;
  o.noConfig = NoConfig;
  o.rulePaths.assign(RulePaths.begin(), RulePaths.end());
  o.ruleIds.assign(RuleIds.begin(), RuleIds.end());
  o.defaultRules = rules::defaultRulesDir(Argv0);
  o.jobs = Jobs;
  o.useCache = !NoCache && (cacheByDefault || !CacheDir.empty());
  o.cacheDir = CacheDir;
  o.withInherited = withInherited;
  o.unsafeFixes = UnsafeFixes;
  o.progress = terminalProgress();
  return o;
}

pipeline::Run *prepareRun(pipeline::RunOptions options) {
  if (!Shard.empty()) {
    auto shard = pipeline::parseShard(Shard);
    if (!shard) {
      llvm::errs() << llvm::toString(shard.takeError()) << "\n";
      return nullptr;
    }
    options.shard = *shard;
  }
  auto run = pipeline::prepare(std::move(options));
  if (!run) {
    llvm::errs() << llvm::toString(run.takeError()) << "\n";
    return nullptr;
  }
  for (const auto &n : run->found.notes)
    llvm::errs() << n << "\n";
  if (run->found.files.empty() && run->found.problems.empty() && run->options.paths.empty())
    llvm::errs() << "poolify: warning: no Python files found in .\n";
  for (const auto &p : pipeline::pathsWithoutPython(*run))
    llvm::errs() << "poolify: warning: no Python files found in " << p << "\n";
  auto kept = std::make_unique<pipeline::Run>(std::move(*run));
  pipeline::Run *out = kept.get();
  llvm::BuryPointer(std::move(kept));
  return out;
}

void analyzeRun(pipeline::Run &run) {
  pipeline::analyze(run);
  for (const auto &w : run.warnings)
    llvm::errs() << "poolify: warning: " << w << "\n";
  if (run.cacheHits && !Quiet)
    llvm::errs() << fmt::format("poolify: reused {} of {} from the cache{}\n", run.cacheHits,
                                counted(run.found.files.size(), "file result"),
                                run.resultsReused ? " (the last run's results, whole: no file changed since)" : "");
}

bool printErrors(const pipeline::Run &run) {
  bool failed = !run.found.problems.empty();
  for (const auto &p : run.found.problems)
    llvm::errs() << p << "\n";
  for (const auto &o : run.outcomes) {
    for (const auto &m : o.messages)
      if (m.error) // check, manifest and report rewrite nothing: the file is not analyzed, not "not rewritten"
        llvm::errs() << (m.rule.empty() ? m.text : model::withConsequence(m.text, "file not analyzed")) << "\n";
    failed = failed || o.failed;
  }
  return failed;
}

void summarizeMissingPools(const std::vector<model::FileOutcome> &outcomes) {
  llvm::errs() << output::missingPoolsSummary(model::missingPools(outcomes));
}

} // namespace poolify::cli

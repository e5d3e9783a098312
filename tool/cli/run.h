// What every command shares: the configuration, the selected rules, the files of the run, and
// the analysis of all of them (per-file map in parallel, then the class-hierarchy reduce).
#pragma once

#include "cache/cache.h"
#include "config/config.h"
#include "index/hierarchy.h"
#include "pipeline/process.h"
#include "rules/rule.h"
#include "source/discover.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace poolify::cli {

struct Run {
  config::Config config;
  std::vector<rules::Rule> rules;
  source::Discovery found;
  std::vector<pipeline::FileOutcome> outcomes; // one per found.files entry, after analyze()
  std::vector<std::vector<index::ClassIndex::Inherited>> inherited; // per file, when asked for
  std::vector<bool> active; // files this run reports on (all, or those of its --shard)
  std::map<size_t, std::vector<pipeline::SiteRecord>> lookup; // records of files outside the shard
  std::shared_ptr<cache::Cache> cache; // null with --no-cache
  std::string categoryOf(const source::SourceFile &f) const;
};

/// Loads the configuration and rules and finds the files; prints what is wrong and returns
/// nullopt on a usage or configuration error (exit code 2).
std::optional<Run> prepareRun(const std::vector<std::string> &paths);

/// Shard of a path for --shard K/N: FNV-1a of the display path, so every machine agrees.
unsigned shardOf(const std::string &display, unsigned shards);

/// Analyzes every file (and decides redundant overrides across them); messages sorted per file.
/// `withInherited` also lists the classes that get a pooled client from a base (manifest).
void analyze(Run &run, bool withInherited = false);

/// Site records of file i: from the analysis, or (outside this --shard) analyzed now.
const std::vector<pipeline::SiteRecord> &recordsOf(Run &run, size_t i);

/// Prints the discovery problems and every file's errors; true when something could not be analyzed.
bool printErrors(const Run &run);
/// The category of every file of the run, in file order.
std::vector<std::string> categoriesOf(const Run &run);

/// Warns about pool modules rewritten files import but the tree lacks.
void warnMissingPools(const std::vector<pipeline::FileOutcome> &outcomes);

} // namespace poolify::cli

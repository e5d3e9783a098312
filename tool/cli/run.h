// How the commands start the engine: its options from the command line, and what the command
// line prints around a run (discovery notes, progress on a terminal, warnings, errors).
#pragma once

#include "pipeline/engine.h"

#include <optional>

namespace poolify::cli {

/// The engine's options from the command line (paths, --config, --rules, --rule, --jobs, --shard,
/// --cache, --no-cache). `cacheByDefault`: the command keeps a cache unless --no-cache.
pipeline::RunOptions runOptions(bool cacheByDefault, bool withInherited);

/// Prepares a run; prints what is wrong and returns nullptr on a usage or configuration error
/// (exit code 2). The run lives until the process exits and is never freed: a command makes one,
/// and freeing its per-file results (hundreds of thousands of small blocks at scale) would only
/// delay the exit, as clang's -disable-free avoids (llvm::BuryPointer keeps it reachable, so leak
/// checkers do not report it).
pipeline::Run *prepareRun(pipeline::RunOptions options);

/// Analyzes the run (progress on a terminal), then prints its warnings and cache use.
void analyzeRun(pipeline::Run &run);

/// Prints the discovery problems and every file's errors; true when something could not be analyzed.
bool printErrors(const pipeline::Run &run);

/// Says how many sites were left because their pool module is not importable where they run.
void summarizeMissingPools(const std::vector<model::FileOutcome> &outcomes);

} // namespace poolify::cli

// The coverage manifest's formats: JSON (schema_version 1, documented in docs/manifest.md), which
// --merge also reads back, Markdown (a PR comment) and CSV.
#pragma once

#include "model/manifest.h"

#include <llvm/Support/Error.h>
#include <llvm/Support/raw_ostream.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolify::output {

/// A JSON manifest read back (for --merge); errors name the file.
llvm::Expected<model::Manifest> readManifest(const std::string &path);
/// The manifests of --shard runs combined into one (a file in two of them is an error; so is a
/// missing shard, see shardsProblem).
llvm::Expected<model::Manifest> mergeManifests(const std::vector<std::string> &paths);
/// Why manifests, as (file, its "K/N" shard or "" for a whole run), are not the shards of one run:
/// a shard missing or given twice, shards of different N, a whole run among shards. nullopt when
/// they are all K/N of one N, or all whole runs (which must then share no file).
std::optional<std::string> shardsProblem(const std::vector<std::pair<std::string, std::string>> &shards);

std::string renderJson(const model::Manifest &m);
/// The same, streamed to `os` (no copy of the whole document in memory).
void writeJson(const model::Manifest &m, llvm::raw_ostream &os);
std::string renderMarkdown(const model::Manifest &m);
std::string renderCsv(const model::Manifest &m);

} // namespace poolify::output

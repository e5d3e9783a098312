// The coverage manifest: what every file does with clients, per file and per category, as
// JSON (schema_version 1, documented in docs/manifest.md), Markdown (a PR comment) or CSV.
// Built from the analysis of a run; deterministic (sorted by path and category name).
#pragma once

#include "model/outcome.h"

#include <llvm/Support/Error.h>
#include <llvm/Support/raw_ostream.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace poolify::output {

struct ManifestFile {
  std::string path, category, status; // status: direct | pooled | inherited
  std::vector<model::SiteRecord> direct, pooled;
  std::vector<model::Inherited> inherited;
};

struct Counts {
  unsigned files = 0, filesPooled = 0, filesInherited = 0, filesDirect = 0;
  unsigned directSites = 0, fixableSites = 0, pooledSites = 0, inheritedClasses = 0;
  double coverage() const; // percent of pooled among pooled + direct sites (100 when none)
};

struct Manifest {
  std::vector<ManifestFile> files;
  std::map<std::string, Counts> categories;
  Counts total;
  std::vector<model::MockTarget> mockTargets;
};

Manifest buildManifest(const std::vector<model::FileOutcome> &outcomes, const std::vector<std::string> &categories,
                       const std::vector<std::vector<model::Inherited>> &inherited,
                       std::vector<model::MockTarget> mockTargets = {});

/// Sorts and recomputes the per-category and total counts from the files.
void recount(Manifest &m);
/// A JSON manifest read back (for --merge); errors name the file.
llvm::Expected<Manifest> readManifest(const std::string &path);
/// The manifests of --shard runs combined into one (a file in two of them is an error).
llvm::Expected<Manifest> mergeManifests(const std::vector<std::string> &paths);

std::string renderJson(const Manifest &m);
/// The same, streamed to `os` (no copy of the whole document in memory).
void writeJson(const Manifest &m, llvm::raw_ostream &os);
std::string renderMarkdown(const Manifest &m);
std::string renderCsv(const Manifest &m);

/// One decimal, rounded down, so 99.96% never shows as 100.0%.
std::string formatPercent(double pct);

} // namespace poolify::output

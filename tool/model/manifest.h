// The coverage manifest as data: what every file does with clients (direct sites, pooled sites,
// classes inheriting a pooled client), counted per category and in total. A measurement, built
// from the outcomes of a run; deterministic (sorted by path and category name).
#pragma once

#include "model/outcome.h"

#include <map>
#include <string>
#include <vector>

namespace poolify::model {

struct ManifestFile {
  // status: direct (has direct sites) | pooled (pooled sites only) | inherited (a class inherits a
  // pooled client) | inherited-direct / inherited-unknown (its classes inherit only clients that are
  // direct, or that cannot be told to be set: see Inherited::reason)
  std::string path, category, status;
  std::vector<SiteRecord> direct, pooled;
  std::vector<Inherited> inherited;
};

struct Counts {
  unsigned files = 0, filesPooled = 0, filesInherited = 0, filesDirect = 0;
  unsigned directSites = 0, fixableSites = 0, pooledSites = 0;
  unsigned inheritedClasses = 0;          // classes that inherit a pooled client
  unsigned inheritedNotPooledClasses = 0; // classes that inherit a client not known to be pooled
  unsigned unsafeFixableSites = 0;        // direct sites `migrate --unsafe-fixes` rewrites, a plain run leaves
  double coverage() const;                // percent of pooled among pooled + direct sites (100 when none)
};

struct Manifest {
  std::vector<ManifestFile> files;
  std::map<std::string, Counts> categories;
  Counts total;
  std::vector<MockTarget> mockTargets;
  std::string shard; // "K/N" for the manifest of one --shard run; "" for a whole run (and a merge)
};

/// The manifest of `outcomes` (`categories[i]` and `inherited[i]` belong to outcome i).
Manifest buildManifest(const std::vector<FileOutcome> &outcomes, const std::vector<std::string> &categories,
                       const std::vector<std::vector<Inherited>> &inherited, std::vector<MockTarget> mockTargets = {});

/// Sorts and recomputes the per-category and total counts from the files.
void recount(Manifest &m);

/// One decimal, rounded down, so 99.96% never shows as 100.0%.
std::string formatPercent(double pct);

} // namespace poolify::model

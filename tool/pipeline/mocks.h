// Test patch targets across a run: which `mock.patch("pkg.mod.bigquery.Client")` and
// `patch.object(mod.bigquery, "Client")` targets name a site that `migrate` fixes. Once migrated,
// such a patch no longer intercepts anything.
#pragma once

#include "pipeline/engine.h"

#include <functional>
#include <vector>

namespace poolify::pipeline {

/// Site records of file i (files outside a shard are analyzed on demand).
using RecordsOf = std::function<const std::vector<model::SiteRecord> &(size_t)>;

/// The patch targets among `files` (indices into `outcomes`, in path order) that name a site
/// `migrate` fixes in one of those files, in file order.
std::vector<model::MockTarget> findMockTargets(const std::vector<model::FileOutcome> &outcomes,
                                               const std::vector<size_t> &files, const RecordsOf &recordsOf);
/// Every index of `outcomes`.
std::vector<size_t> allFiles(const std::vector<model::FileOutcome> &outcomes);
/// The patch targets of a whole run (its shard's files analyzed on demand).
std::vector<model::MockTarget> findMockTargets(Run &run);

} // namespace poolify::pipeline

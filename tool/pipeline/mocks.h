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
/// `migrate` fixes in one of those files, in file order — except those the run retargets to the
/// pooled callable (see planRetargets: they keep intercepting). `names`: the module names of the
/// outcomes' files by display path when the caller has them (Run::namesByDisplay), else made here.
std::vector<model::MockTarget> findMockTargets(const std::vector<model::FileOutcome> &outcomes,
                                               const std::vector<size_t> &files, const RecordsOf &recordsOf,
                                               const index::ModuleNames *names = nullptr);
/// A test patch target to retarget, in test file `test`.
struct PlannedRetarget {
  size_t test = 0, module = 0; // indices into outcomes
  model::PatchRetarget retarget;
};
/// Whether the module's text after the run binds `name` at module level (so `patch("mod.name")`
/// finds it); null: assume it does.
using BindsAtModuleLevel = std::function<bool(size_t module, const std::string &name)>;

/// The patch targets among `files` that `migrate` retargets to the pooled callable of the module
/// they name (a string target `pkg.mod.bigquery.Client` or an object one through the module,
/// `patch.object(mod.bigquery, "Client")`): every site of that client in the module is rewritten
/// in this run (a module that keeps a direct site keeps its import, and the patch stays valid).
/// Those that cannot be retargeted as they are carry `handFix`. `names` as for findMockTargets.
std::vector<PlannedRetarget> planRetargets(const std::vector<model::FileOutcome> &outcomes,
                                           const std::vector<size_t> &files, const RecordsOf &recordsOf,
                                           const BindsAtModuleLevel &binds = nullptr,
                                           const index::ModuleNames *names = nullptr);
/// Every index of `outcomes`.
std::vector<size_t> allFiles(const std::vector<model::FileOutcome> &outcomes);
/// The patch targets of a whole run (its shard's files analyzed on demand).
std::vector<model::MockTarget> findMockTargets(Run &run);

} // namespace poolify::pipeline

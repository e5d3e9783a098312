// Turning a file's verdicts into edits: each rewritten call becomes the pooled call (callee,
// argument keywords, arguments taken from scope), each redundant override is removed (one comment
// line stays), the imports the pooled calls need are added and the ones left unused go. Decides
// nothing: the verdicts say what to do.
#pragma once

#include "analysis/sites.h"
#include "model/site.h"
#include "rewrite/edits.h"
#include "rewrite/imports.h"

#include <map>
#include <string>
#include <vector>

namespace poolify::rewrite {

/// The edits that carry out `verdicts` (one per site of `sites`, in order). Module-level imports
/// named in `keep` (name -> why: other modules use them) stay even when left unused; `changes`,
/// when given, receives the module-level import names left unused (removed or kept).
EditSet rewriteFile(const py::Tree &tree, const py::ScopeModel &model, const std::vector<analysis::Site> &sites,
                    const std::vector<model::Verdict> &verdicts, const std::map<std::string, std::string> &keep = {},
                    std::vector<ImportChange> *changes = nullptr);

} // namespace poolify::rewrite

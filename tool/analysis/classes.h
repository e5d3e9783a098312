// Class facts of one module, compact enough to keep for every file of a run (no syntax trees):
// each module-level class with its bases (resolved through the module's imports), what its
// __init__ calls of its bases, and where it assigns `self.<attr>` from which kind of source.
// The class index (index/hierarchy) joins these across files.
#pragma once

#include "analysis/sites.h"
#include "model/classes.h"
#include "support/text.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::analysis {

model::FileFacts extractClasses(const py::Tree &tree, const py::ScopeModel &model, const std::vector<Site> &sites,
                         const std::vector<model::Verdict> &decisions, const std::vector<rules::Rule> &rules,
                         const LineIndex &lines);

} // namespace poolify::analysis

// Class facts of one module, compact enough to keep for every file of a run (no syntax trees):
// each module-level class with its bases (resolved through the module's imports), what its
// __init__ calls of its bases, and where it assigns `self.<attr>` from which kind of source.
// The class index (index/hierarchy) joins these across files.
#pragma once

#include "analysis/sites.h"
#include "model/classes.h"
#include "support/text.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::analysis {

model::FileFacts extractClasses(const py::Tree &tree, const py::ScopeModel &model, const std::vector<Site> &sites,
                                const std::vector<model::Verdict> &decisions, const std::vector<rules::Rule> &rules,
                                const LineIndex &lines);

/// What an argument's source text denotes, so that arguments written in two classes can be compared
/// (see model::AttributeAssignment::keys): "lit:TEXT" for a literal (string without interpolation,
/// number, True/False/None), "self:ATTR" for `<self>.ATTR`, for a dotted name whose head is
/// module-level what `global(head)` says ("g:QNAME" then gets the rest of the dotted name appended,
/// "=" becomes "=TEXT"; "" means the head is not module-level), "?" for anything else.
std::string argumentKey(std::string_view text, std::string_view self,
                        const std::function<std::string(std::string_view)> &global);

} // namespace poolify::analysis

// Facts about the code around a site that decide how (and whether) it may be rewritten:
// which scope candidate can fill a required argument at that point, and whether this code
// closes the client it creates.
#pragma once

#include "analysis/sites.h"
#include "support/text.h"

#include <optional>
#include <string>

namespace poolify::analysis {

/// The first candidate bound at the call (in the rule's order), or nullopt.
std::optional<rules::ScopeCandidate> inferArgument(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                                   const std::vector<rules::ScopeCandidate> &candidates);

/// Why the client created at `site` is closed by this code ("with statement", ...), or nullopt.
std::optional<std::string> closedBy(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                    const LineIndex &lines);

/// Why the client created at `site` must not be shared: this code configures it through one of
/// `attributes` (".headers at line 12"), or nullopt.
std::optional<std::string> configuredBy(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                        const std::vector<std::string> &attributes, const LineIndex &lines);

/// True when `stmt` runs before `at` whenever `at` runs: it ends before `at` and its block
/// encloses `at` (a simple dominance test that needs no control-flow graph).
bool dominates(TSNode stmt, TSNode at);

} // namespace poolify::analysis

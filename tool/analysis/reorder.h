// Reordering as an unsafe fix: when the only reason a required argument cannot be taken from scope
// is that the statement binding it comes right after the client's (`self.bq_client =
// bigquery.Client(location=loc)` then `self.project_id = os.environ.get(...)`), moving that
// assignment above the client's statement binds it in time. Offered only when the move cannot
// change what the statements compute: see movableAbove.
#pragma once

#include "analysis/sites.h"
#include "model/site.h"
#include "support/text.h"

#include <optional>
#include <string>

namespace poolify::analysis {

/// What is read at the call once the statement moves: `self.project_id` (tracked = {self,
/// project_id}) or a local `project_id` (tracked = {project_id, ""}).
struct MoveTarget {
  std::string name, attr;
  std::string text() const { return attr.empty() ? name : name + "." + attr; }
};

/// The move that binds `target` before the call of `site`, when all of these hold (else nullopt):
/// - the call is directly in the code of its function (not in a nested function or lambda), in a
///   statement S that is an expression statement (`self.c = bigquery.Client(...)`, `c = ...`)
///   starting its own line, directly in a block;
/// - a later statement T of the same block is `target = RHS` (one target, no annotation, not
///   augmented), alone on its lines, and it is the first statement after S that assigns `target`;
/// - the statements between S and T are expression statements without a call, `await`, `yield`
///   or walrus, whose targets are plain names or `self.X`, and none of them reads or writes
///   `target` (no statements in between is the common case);
/// - S does not read `target`; RHS does not read what S or the statements in between assign (the
///   client's variable or attribute among them), uses the instance only to read plain attributes
///   (no method, no call through it, not passed), and holds no site of any rule.
/// The move takes T's lines with the own-line comments right above T (indented as T, no blank line
/// between) and puts them above S's own such comments, so each comment stays above its statement.
std::optional<model::StatementMove> movableAbove(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                                 const MoveTarget &target, const std::vector<Site> &sites,
                                                 const LineIndex &lines);

/// The reason an applied move is unsafe: "moves 'self.project_id = ...' from line 9 above line 8".
std::string moveReason(const model::StatementMove &move);

} // namespace poolify::analysis

// Whether a name is bound where a piece of code runs, on every path: python/flow.h over the code of
// the scope that binds the name, at the point that matters for the code using it. Cached per scope
// and name (a file's sites share them).
#pragma once

#include "python/flow.h"
#include "python/scopes.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

namespace poolify::analysis {

class BoundNames {
public:
  BoundNames(const py::Tree &tree, const py::ScopeModel &model) : tree_(tree), model_(model) {}

  /// Whether `name`, bound in scope `owner`, is bound when the code at `at` (in scope `use`) runs.
  /// Code directly in `owner`, or in a class body or comprehension inside it, runs where it stands:
  /// the state before its statement. Code in a function inside the module runs once the module's
  /// body has run: the state at its end. Code in a function inside a function `owner` may run as
  /// soon as its def (or lambda) has run: the state before that statement. Lambda and comprehension
  /// owners bind their names before their code runs.
  py::Bound at(std::string_view name, int owner, int use, TSNode at);

  /// The flow of `what` over the code of `scopeNode` (the module, a def or a class).
  const py::Flow &flow(TSNode scopeNode, const py::Tracked &what);

  /// True when `call` never returns: sys.exit(), os._exit(), os.abort(), exit(), quit().
  bool noReturn(TSNode call) const;

private:
  const py::Tree &tree_;
  const py::ScopeModel &model_;
  std::map<std::tuple<const void *, std::string, std::string>, std::unique_ptr<py::Flow>> flows_;
};

} // namespace poolify::analysis

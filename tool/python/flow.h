// Definite binding: whether a name (or an attribute of a name, `self.project_id`) is bound when
// execution reaches a point of one scope's code, on every path Python may take: if/elif/else,
// while/for and their else, try/except/else/finally, with (a context manager may swallow an
// exception raised half-way through its body), match, return/raise/break/continue, del.
//
// Syntactic and local: the code of nested functions, lambdas, classes and comprehensions is not
// followed (they are scopes of their own), a call is assumed to return (unless `noReturn` says it
// does not, e.g. sys.exit), `if TYPE_CHECKING:` / `if False:` bodies never run, `while True:`
// only ends through `break`. A walrus binds only as an `if`/`elif`/`while` condition.
#pragma once

#include "python/syntax.h"

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace poolify::py {

enum class Bound { No, Maybe, Yes };

/// What is followed: a name (`PROJECT_ID`) or an attribute of a name (`self.project_id`).
struct Tracked {
  std::string name;
  std::string attr; // "" for the name itself
};

class Flow {
public:
  /// `scope` is the module, a function_definition or a class_definition: its own code is followed.
  /// `noReturn(call)` is true for a call that never returns (optional).
  Flow(const Tree &tree, TSNode scope, Tracked what, std::function<bool(TSNode)> noReturn = {});

  /// The state when the innermost statement of the scope's own code that holds `node` starts to
  /// run. For a node inside a nested function or class, that is its def/class statement; for a node
  /// in a compound statement's header, that statement. Maybe for a node outside the scope's code.
  Bound at(TSNode node) const;
  /// The state at every normal end of the code: falling off its end, and every `return`.
  Bound atEnd() const { return gaveUp_ ? Bound::Maybe : end_; }

  /// True when `condition` never holds at run time: `False`, `TYPE_CHECKING`, `typing.TYPE_CHECKING`.
  static bool neverRuns(const Tree &tree, TSNode condition);

private:
  friend class FlowWalker;
  std::unordered_map<const void *, Bound> states_; // statement (node id) -> state when it starts
  Bound end_ = Bound::Maybe;
  bool gaveUp_ = false; // too deep or too large: every answer is Maybe
};

/// The names a `case` pattern binds when it matches (captures, `as` names, `*rest`, `**kw`); not
/// the values it looks up (`Color.RED`, a class pattern's class, a mapping key).
std::vector<TSNode> patternCaptures(TSNode casePattern);

} // namespace poolify::py

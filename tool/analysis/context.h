// Facts about the code around a site that decide how (and whether) it may be rewritten: which
// scope candidate can fill a required argument at that point (bound on every path before the call
// can run, python/flow.h), and, in analysis/escape.h, whether this code closes, configures or
// hands out the client it creates.
#pragma once

#include "analysis/bound.h"
#include "analysis/escape.h"
#include "analysis/sites.h"

#include <optional>
#include <string>

namespace poolify::analysis {

/// A candidate found bound at the call, and the expression that reads it there.
struct Inferred {
  rules::ScopeCandidate candidate;
  std::string
      text; // `project_id`, `self.project_id` (`this.project_id` in a method whose instance is `this`), `PROJECT_ID`
};

struct Inference {
  std::optional<Inferred> found; // the first candidate bound at the call, in the rule's order
  /// A hook for the class index: `self.<attr>` was not found bound in this class, but a base
  /// class's `__init__` (reached through `super().__init__()` / `Base.__init__(self)`, or inherited
  /// when the class has no `__init__`) may assign it: "self.project_id". Not resolved here.
  std::string baseMayProvide;
  /// When the class index may resolve the hook: the site is in a method other than `__init__` of a
  /// module-level class (`hookClass`), and that class's `__init__`, if it has one, runs its base
  /// `__init__` before anything could run another method (baseInitRunsFirst). The attribute
  /// (`project_id`) and the candidate it fills.
  std::string hookClass, hookAttr;
  std::optional<rules::ScopeCandidate> hookCandidate;
};

/// `__init__` (`init`, of class `cls`) calls its base's `__init__` as a statement of its own body
/// with only expression statements (docstrings) before it, and nothing could run another method of
/// the instance before that call.
bool baseInitRunsFirst(const py::Tree &tree, const py::ScopeModel &model, TSNode cls, TSNode init);

/// `__init__` (`init`, of class `cls`, instance `self`) assigns `self.<attr>` on every path to its
/// end, and before every statement that could run other methods of the instance.
bool initBinds(const py::Tree &tree, BoundNames &bound, TSNode cls, TSNode init, const std::string &self,
               const std::string &attr);

/// Which candidate can fill the argument at `site`:
/// - `param NAME`: a parameter of the enclosing function (or of a function it is nested in);
/// - `local NAME`: a local of the enclosing function bound on every path from its start to the call;
/// - `self.NAME`: in a method whose first parameter is the instance (not a static or class method;
///   a nested function or lambda that closes over it unchanged counts), assigned on every path of
///   the method before the call, or, from another method, on every path of `__init__` before any
///   statement that could run other methods of the instance;
/// - `global NAME`: a module-level name bound on every path: before the statement holding the call
///   when it runs at import time (module level, class bodies), at the end of the module's body when
///   it runs in a function; or bound in the call's own function that declares it `global`.
Inference inferArgument(const py::Tree &tree, const py::ScopeModel &model, BoundNames &bound, const Site &site,
                        const std::vector<rules::ScopeCandidate> &candidates);

} // namespace poolify::analysis

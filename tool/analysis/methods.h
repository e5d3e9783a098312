// The method code runs in, and the name of its instance parameter (`self` by convention only).
#pragma once

#include "python/scopes.h"

#include <optional>
#include <string>
#include <string_view>

namespace poolify::analysis {

struct Method {
  int scope = -1;   // the method's function scope
  TSNode def{};     // its function_definition
  TSNode cls{};     // the class_definition whose body defines it
  std::string self; // its first parameter: the instance
};

/// The instance parameter of a def in a class body: its first parameter, "" when it has none or
/// when it is not the instance: a static or class method (`@staticmethod`, `@classmethod`, also as
/// `builtins.staticmethod`; `__new__`, `__init_subclass__` and `__class_getitem__` are implicitly so).
std::string instanceParameter(const py::Tree &tree, const py::ScopeModel &model, TSNode def);

/// The method whose instance code in `scope` sees: the function of a class body that `scope` is or
/// sits in, through nested functions, lambdas and comprehensions that close over its instance
/// parameter unchanged (none of them binds that name, and the method binds it only as its
/// parameter). nullopt outside a method, or when the method has no instance parameter.
std::optional<Method> methodOf(const py::Tree &tree, const py::ScopeModel &model, int scope);

/// The method `name` defined directly in the class body (null when none).
TSNode methodNamed(const py::Tree &tree, TSNode cls, std::string_view name);

/// True when `n` is `<self>.<attr>`.
bool isSelfAttribute(const py::Tree &tree, TSNode n, std::string_view self, std::string_view attr);

} // namespace poolify::analysis

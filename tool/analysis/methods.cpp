#include "analysis/methods.h"

namespace poolify::analysis {

using py::is;

namespace {

// True when a decorator makes the def a static or class method.
bool staticOrClassDecorator(const py::Tree &tree, const py::ScopeModel &model, TSNode decorator) {
  TSNode expr = ts_node_named_child(decorator, 0);
  int scope = model.scopeAt(py::start(decorator));
  if (auto q = model.qualify(expr, scope); q && (*q == "builtins.staticmethod" || *q == "builtins.classmethod"))
    return true;
  if (!is(expr, "identifier"))
    return false;
  std::string_view name = tree.text(expr);
  return (name == "staticmethod" || name == "classmethod") && model.resolve(name, scope) < 0;
}

} // namespace

std::string instanceParameter(const py::Tree &tree, const py::ScopeModel &model, TSNode def) {
  std::string_view name = tree.text(py::field(def, "name"));
  if (name == "__new__" || name == "__init_subclass__" || name == "__class_getitem__")
    return "";
  TSNode parent = ts_node_parent(def);
  if (is(parent, "decorated_definition"))
    for (TSNode d : py::namedChildren(parent))
      if (is(d, "decorator") && staticOrClassDecorator(tree, model, d))
        return "";
  TSNode first = ts_node_named_child(py::field(def, "parameters"), 0);
  if (is(first, "typed_parameter"))
    first = ts_node_named_child(first, 0);
  return is(first, "identifier") ? std::string(tree.text(first)) : "";
}

std::optional<Method> methodOf(const py::Tree &tree, const py::ScopeModel &model, int scope) {
  const auto &scopes = model.scopes();
  int fn = scope;
  while (fn > 0 &&
         !(scopes[fn].kind == py::ScopeKind::Function && scopes[scopes[fn].parent].kind == py::ScopeKind::Class)) {
    if (scopes[fn].kind == py::ScopeKind::Class)
      return std::nullopt; // a class body inside a method does not see the method's names
    fn = scopes[fn].parent;
  }
  if (fn <= 0)
    return std::nullopt;
  TSNode def = scopes[fn].node;
  std::string self = instanceParameter(tree, model, def);
  if (self.empty())
    return std::nullopt;
  // `self` must still be the parameter where it is used.
  for (const py::Binding *b : model.bindingsIn(fn, self))
    if (b->kind != py::BindingKind::Parameter)
      return std::nullopt;
  if (model.resolve(self, scope) != fn)
    return std::nullopt;
  return Method{fn, def, scopes[scopes[fn].parent].node, self};
}

TSNode methodNamed(const py::Tree &tree, TSNode cls, std::string_view name) {
  for (TSNode c : py::namedChildren(py::field(cls, "body"))) {
    if (is(c, "decorated_definition"))
      c = py::field(c, "definition");
    if (is(c, "function_definition") && tree.text(py::field(c, "name")) == name)
      return c;
  }
  return TSNode{};
}

bool isSelfAttribute(const py::Tree &tree, TSNode n, std::string_view self, std::string_view attr) {
  if (!is(n, "attribute"))
    return false;
  TSNode obj = py::field(n, "object");
  return is(obj, "identifier") && tree.text(obj) == self && tree.text(py::field(n, "attribute")) == attr;
}

} // namespace poolify::analysis

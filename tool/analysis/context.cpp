#include "analysis/context.h"

#include "python/walk.h"

#include <fmt/format.h>

namespace poolify::analysis {

using py::is;

bool dominates(TSNode stmt, TSNode at) {
  if (py::end(stmt) > py::start(at))
    return false;
  TSNode block = ts_node_parent(stmt);
  return !ts_node_is_null(block) && py::contains(block, at);
}

namespace {

// The function scope's def node, when the site sits in a method: (def, class, self name).
struct MethodInfo {
  TSNode def;
  TSNode cls;
  std::string self;
};

std::optional<MethodInfo> methodOf(const py::Tree &tree, const py::ScopeModel &model, int scope) {
  int fn = model.enclosingFunction(scope);
  if (fn < 0 || model.scopes()[fn].kind != py::ScopeKind::Function)
    return std::nullopt;
  int parent = model.scopes()[fn].parent;
  if (parent < 0 || model.scopes()[parent].kind != py::ScopeKind::Class)
    return std::nullopt;
  TSNode def = model.scopes()[fn].node;
  TSNode params = py::field(def, "parameters");
  TSNode first = ts_node_named_child(params, 0);
  if (!is(first, "identifier"))
    return std::nullopt;
  std::string self(tree.text(first));
  // `self` must still be the parameter where it is used.
  for (const py::Binding *b : model.bindingsIn(fn, self))
    if (b->kind != py::BindingKind::Parameter)
      return std::nullopt;
  if (model.resolve(self, scope) != fn)
    return std::nullopt;
  return MethodInfo{def, model.scopes()[parent].node, self};
}

// True when `n` is `<self>.<attr>`.
bool isSelfAttribute(const py::Tree &tree, TSNode n, std::string_view self, std::string_view attr) {
  if (!is(n, "attribute"))
    return false;
  TSNode obj = py::field(n, "object");
  return is(obj, "identifier") && tree.text(obj) == self && tree.text(py::field(n, "attribute")) == attr;
}

// Assignments `<self>.<attr> = ...` inside `body`, not in nested functions or classes.
template <typename F> void forEachSelfAssignment(const py::Tree &tree, TSNode body, std::string_view self,
                                                 std::string_view attr, F f) {
  py::forEachNamed(body, [&](TSNode n) {
    if (is(n, "function_definition") || is(n, "class_definition") || is(n, "lambda"))
      return false;
    if (is(n, "assignment") && isSelfAttribute(tree, py::field(n, "left"), self, attr))
      f(n);
    return true;
  });
}

TSNode methodNamed(const py::Tree &tree, TSNode cls, std::string_view name) {
  TSNode body = py::field(cls, "body");
    for (TSNode c : py::namedChildren(body)) {
    if (is(c, "decorated_definition"))
      c = py::field(c, "definition");
    if (is(c, "function_definition") && tree.text(py::field(c, "name")) == name)
      return c;
  }
  return TSNode{};
}

bool selfAttributeBound(const py::Tree &tree, const py::ScopeModel &model, const Site &site, const std::string &attr) {
  auto m = methodOf(tree, model, site.scope);
  if (!m)
    return false;
  bool found = false;
  forEachSelfAssignment(tree, py::field(m->def, "body"), m->self, attr, [&](TSNode a) {
    if (dominates(py::enclosingStatement(a), site.call))
      found = true;
  });
  if (found)
    return true;
  if (tree.text(py::field(m->def, "name")) == "__init__")
    return false;
  TSNode init = methodNamed(tree, m->cls, "__init__");
  if (ts_node_is_null(init))
    return false;
  TSNode initSelf = ts_node_named_child(py::field(init, "parameters"), 0);
  if (!is(initSelf, "identifier"))
    return false;
  forEachSelfAssignment(tree, py::field(init, "body"), tree.text(initSelf), attr, [&](TSNode) { found = true; });
  return found;
}

} // namespace

std::optional<rules::ScopeCandidate> inferArgument(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                                   const std::vector<rules::ScopeCandidate> &candidates) {
  using K = rules::ScopeCandidate::Kind;
  TSNode at = ts_node_is_null(site.call) ? site.callee : site.call;
  for (const auto &c : candidates) {
    int s = model.resolve(c.name, site.scope);
    switch (c.kind) {
    case K::Parameter: {
      if (s < 0 || model.scopes()[s].kind == py::ScopeKind::Module || model.scopes()[s].kind == py::ScopeKind::Class)
        break;
      for (const py::Binding *b : model.bindingsIn(s, c.name))
        if (b->kind == py::BindingKind::Parameter)
          return c;
      break;
    }
    case K::Local: {
      int fn = model.enclosingFunction(site.scope);
      if (s < 0 || s != fn)
        break;
      for (const py::Binding *b : model.bindingsIn(s, c.name))
        if ((b->kind == py::BindingKind::Assignment || b->kind == py::BindingKind::Import) &&
            dominates(b->statement, at))
          return c;
      break;
    }
    case K::SelfAttribute:
      if (!ts_node_is_null(site.call) && selfAttributeBound(tree, model, site, c.name))
        return c;
      break;
    case K::Global: {
      if (s != 0)
        break;
      bool atModuleLevel = model.enclosingFunction(site.scope) < 0 &&
                           model.scopes()[site.scope].kind == py::ScopeKind::Module;
      for (const py::Binding *b : model.bindingsIn(0, c.name)) {
        if (b->kind == py::BindingKind::Definition || b->kind == py::BindingKind::NoneAssignment)
          continue;
        if (!atModuleLevel || dominates(b->statement, at))
          return c;
      }
      break;
    }
    }
  }
  return std::nullopt;
}

namespace {

TSNode skipParens(TSNode n) {
  TSNode p = ts_node_parent(n);
  while (is(p, "parenthesized_expression")) {
    n = p;
    p = ts_node_parent(n);
  }
  return n;
}

// Where the client created at a call is kept: the assignment target (`x` or `self.x`).
TSNode assignedTarget(const Site &site) {
  TSNode outer = skipParens(site.call);
  TSNode parent = ts_node_parent(outer);
  if (!is(parent, "assignment") || !py::same(py::field(parent, "right"), outer))
    return TSNode{};
  TSNode target = py::field(parent, "left");
  return is(target, "identifier") || is(target, "attribute") ? target : TSNode{};
}

// Calls f(node) for every later expression that denotes the object the site's client was
// assigned to: the same variable (same binding) in the function, or `self.x` in any method of
// the class. Stops when f returns true and returns that node.
template <typename F>
TSNode findUse(const py::Tree &tree, const py::ScopeModel &model, const Site &site, F f) {
  TSNode target = assignedTarget(site);
  if (ts_node_is_null(target))
    return TSNode{};
  TSNode found{};
  auto scan = [&](TSNode root, auto matches) {
    py::forEachNamed(root, [&](TSNode n) {
      if (!ts_node_is_null(found))
        return false;
      if (py::start(n) != py::start(target) && matches(n) && f(n))
        found = n;
      return true;
    });
  };
  if (is(target, "identifier")) {
    std::string_view name = tree.text(target);
    int bound = model.resolve(name, site.scope);
    int fn = model.enclosingFunction(site.scope);
    scan(fn < 0 ? tree.root() : model.scopes()[fn].node, [&](TSNode n) {
      return is(n, "identifier") && tree.text(n) == name && model.resolve(name, model.scopeAt(py::start(n))) == bound;
    });
    return found;
  }
  auto m = methodOf(tree, model, site.scope);
  TSNode obj = py::field(target, "object");
  if (!m || !is(obj, "identifier") || tree.text(obj) != m->self)
    return TSNode{};
  std::string_view attr = tree.text(py::field(target, "attribute"));
  // Any method of the class may use it; each names its own `self`.
  py::forEachNamed(py::field(m->cls, "body"), [&](TSNode n) {
    if (!ts_node_is_null(found))
      return false;
    if (!is(n, "function_definition"))
      return true;
    TSNode first = ts_node_named_child(py::field(n, "parameters"), 0);
    if (is(first, "identifier")) {
      std::string_view self = tree.text(first);
      scan(py::field(n, "body"), [&](TSNode x) { return isSelfAttribute(tree, x, self, attr); });
    }
    return false;
  });
  return found;
}

} // namespace

std::optional<std::string> closedBy(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                    const LineIndex &lines) {
  if (ts_node_is_null(site.call))
    return std::nullopt;
  TSNode parent = ts_node_parent(skipParens(site.call));
  if (is(parent, "as_pattern"))
    parent = ts_node_parent(parent);
  if (is(parent, "with_item"))
    return std::string("with statement");
  if (is(parent, "argument_list")) {
    TSNode fn = py::field(ts_node_parent(parent), "function");
    if (auto q = model.qualify(fn, site.scope); q && *q == "contextlib.closing")
      return std::string("contextlib.closing");
  }
  bool viaWith = false;
  TSNode use = findUse(tree, model, site, [&](TSNode n) {
    TSNode p = ts_node_parent(n);
    if (is(p, "attribute") && py::same(py::field(p, "object"), n) && tree.text(py::field(p, "attribute")) == "close") {
      TSNode call = ts_node_parent(p);
      return is(call, "call") && py::same(py::field(call, "function"), p);
    }
    if (is(p, "as_pattern"))
      p = ts_node_parent(p);
    viaWith = is(p, "with_item");
    return viaWith;
  });
  if (ts_node_is_null(use))
    return std::nullopt;
  return fmt::format("{} at line {}", viaWith ? "with statement" : ".close()", lines.lineOf(py::start(use)));
}

std::optional<std::string> configuredBy(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                        const std::vector<std::string> &attributes, const LineIndex &lines) {
  if (ts_node_is_null(site.call) || attributes.empty())
    return std::nullopt;
  std::string_view attr;
  TSNode use = findUse(tree, model, site, [&](TSNode n) {
    TSNode p = ts_node_parent(n);
    if (!is(p, "attribute") || !py::same(py::field(p, "object"), n))
      return false;
    attr = tree.text(py::field(p, "attribute"));
    return std::find(attributes.begin(), attributes.end(), attr) != attributes.end();
  });
  if (ts_node_is_null(use))
    return std::nullopt;
  return fmt::format(".{} at line {}", attr, lines.lineOf(py::start(use)));
}

} // namespace poolify::analysis

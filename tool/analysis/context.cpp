#include "analysis/context.h"

#include "analysis/methods.h"
#include "python/walk.h"

namespace poolify::analysis {

using py::Bound;
using py::is;

namespace {

// A binding that gives the name a value an argument can take (not `= None`, a def, or `del`).
bool hasValue(const py::ScopeModel &model, int scope, std::string_view name) {
  for (const py::Binding *b : model.bindingsIn(scope, name))
    if (b->kind == py::BindingKind::Assignment || b->kind == py::BindingKind::Import ||
        b->kind == py::BindingKind::Parameter || b->kind == py::BindingKind::Other)
      return true;
  return false;
}

// The first call in `init` of a base class's __init__: `super().__init__(...)`,
// `super(C, self).__init__(...)`, `Base.__init__(self, ...)`. Null when none.
TSNode baseInitCall(const py::Tree &tree, TSNode init, std::string_view self) {
  TSNode found{};
  py::forEachNamed(py::field(init, "body"), [&](TSNode n) {
    if (!ts_node_is_null(found) || is(n, "function_definition") || is(n, "class_definition") || is(n, "lambda"))
      return false;
    TSNode fn = py::field(n, "function");
    if (!is(n, "call") || !is(fn, "attribute") || tree.text(py::field(fn, "attribute")) != "__init__")
      return true;
    TSNode obj = py::field(fn, "object");
    TSNode first = ts_node_named_child(py::field(n, "arguments"), 0);
    bool viaSuper = is(obj, "call") && tree.text(py::field(obj, "function")) == "super";
    if (viaSuper || (is(first, "identifier") && tree.text(first) == self))
      found = n;
    return true;
  });
  return found;
}

// True when the class names a base other than `object`.
bool hasBases(const py::Tree &tree, TSNode cls) {
  TSNode bases = py::field(cls, "superclasses");
  if (ts_node_is_null(bases))
    return false;
  for (TSNode b : py::namedChildren(bases))
    if (!is(b, "keyword_argument") && tree.text(b) != "object")
      return true;
  return false;
}

// Statements of `init` after which other methods of the instance may run: a call of a method
// (`self.setup()`), the instance itself used other than through an attribute (passed, stored,
// returned, `Base.__init__(self)`), an attribute that names a method or property of the class, or
// `super()`. Nested functions count where they are defined. Not followed: descriptors and
// `__getattr__` on plain attributes, metaclasses.
std::vector<TSNode> instanceEscapes(const py::Tree &tree, TSNode cls, TSNode init, std::string_view self) {
  std::vector<TSNode> out;
  py::forEachNamed(py::field(init, "body"), [&](TSNode n) {
    if (!is(n, "identifier"))
      return true;
    std::string_view name = tree.text(n);
    TSNode parent = tree.parent(n);
    if (name == "super") {
      out.push_back(n);
    } else if (name == self) {
      bool viaAttribute = is(parent, "attribute") && py::same(py::field(parent, "object"), n);
      if (!viaAttribute) {
        out.push_back(n);
      } else {
        TSNode call = tree.parent(parent);
        bool called = is(call, "call") && py::same(py::field(call, "function"), parent);
        if (called || !ts_node_is_null(methodNamed(tree, cls, tree.text(py::field(parent, "attribute")))))
          out.push_back(n);
      }
    }
    return true;
  });
  return out;
}

class SelfInference {
public:
  SelfInference(const py::Tree &tree, const py::ScopeModel &model, BoundNames &bound, const Site &site)
      : tree_(tree), model_(model), bound_(bound), site_(site) {}

  // The expression reading `<self>.<attr>` at the site, when it is bound there; else "" (and
  // `fromBase` set when a base __init__ may assign it; `out`'s hook when the class index may tell).
  std::string find(const std::string &attr, std::string &fromBase, Inference &out,
                   const rules::ScopeCandidate &candidate) {
    std::string text = findHere(attr, fromBase);
    auto m = methodOf(tree_, model_, site_.scope);
    if (!text.empty() || fromBase.empty() || !m || tree_.text(py::field(m->def, "name")) == "__init__" ||
        !is(tree_.parent(m->cls), "module"))
      return text;
    TSNode init = methodNamed(tree_, m->cls, "__init__");
    if (!ts_node_is_null(init) && !baseInitRunsFirst(tree_, model_, m->cls, init))
      return text;
    out.hookClass = std::string(tree_.text(py::field(m->cls, "name")));
    out.hookAttr = attr;
    out.hookCandidate = candidate;
    return text;
  }

private:
  // `init` calls its base __init__ in a statement of its own body (not nested in a block), and every
  // statement before it is a plain expression statement through which no other method of the
  // instance can run: once `init` has run, so has the base __init__, before anything else could
  // read the instance.
  std::string findHere(const std::string &attr, std::string &fromBase) {
    auto m = methodOf(tree_, model_, site_.scope);
    if (!m)
      return "";
    std::string text = m->self + "." + attr;
    if (bound_.flow(m->def, {m->self, attr}).at(site_.call) == Bound::Yes)
      return text;
    bool isInit = tree_.text(py::field(m->def, "name")) == "__init__";
    TSNode init = isInit ? m->def : methodNamed(tree_, m->cls, "__init__");
    if (ts_node_is_null(init)) {
      if (hasBases(tree_, m->cls))
        fromBase = text;
      return "";
    }
    std::string initSelf = instanceParameter(tree_, model_, init);
    if (initSelf.empty())
      return "";
    if (!isInit && boundByInit(m->cls, init, initSelf, attr))
      return text;
    TSNode base = baseInitCall(tree_, init, initSelf);
    if (!ts_node_is_null(base) && (!isInit || py::start(base) < py::start(site_.call)))
      fromBase = text;
    return "";
  }

  bool boundByInit(TSNode cls, TSNode init, const std::string &self, const std::string &attr) {
    return initBinds(tree_, bound_, cls, init, self, attr);
  }

  const py::Tree &tree_;
  const py::ScopeModel &model_;
  BoundNames &bound_;
  const Site &site_;
};

} // namespace

bool baseInitRunsFirst(const py::Tree &tree, const py::ScopeModel &model, TSNode cls, TSNode init) {
  std::string self = instanceParameter(tree, model, init);
  if (self.empty())
    return false;
  TSNode call = baseInitCall(tree, init, self);
  if (ts_node_is_null(call))
    return false;
  TSNode stmt = py::enclosingStatement(call);
  if (!py::same(tree.parent(stmt), py::field(init, "body")))
    return false;
  for (TSNode s = ts_node_prev_named_sibling(stmt); !ts_node_is_null(s); s = ts_node_prev_named_sibling(s))
    if (!is(s, "expression_statement") && !is(s, "pass_statement") && !is(s, "comment"))
      return false;
  for (TSNode escape : instanceEscapes(tree, cls, init, self))
    if (py::start(escape) < py::start(stmt))
      return false;
  return true;
}

bool initBinds(const py::Tree &tree, BoundNames &bound, TSNode cls, TSNode init, const std::string &self,
               const std::string &attr) {
  const py::Flow &f = bound.flow(init, {self, attr});
  if (f.atEnd() != Bound::Yes)
    return false;
  for (TSNode escape : instanceEscapes(tree, cls, init, self))
    if (f.at(escape) != Bound::Yes)
      return false;
  return true;
}

namespace {

// The module-level `name` is bound where the site runs, or the site's own function declares it
// `global` and binds it on every path before the call.
bool globalBound(const py::ScopeModel &model, BoundNames &bound, const Site &site, const std::string &name, TSNode at) {
  if (!hasValue(model, 0, name))
    return false;
  if (bound.at(name, 0, site.scope, at) == Bound::Yes)
    return true;
  int fn = model.enclosingFunction(site.scope);
  return fn > 0 && model.scopes()[fn].kind == py::ScopeKind::Function && model.scopes()[fn].globals.count(name) &&
         bound.flow(model.scopes()[fn].node, {name, ""}).at(at) == Bound::Yes;
}

} // namespace

Inference inferArgument(const py::Tree &tree, const py::ScopeModel &model, BoundNames &bound, const Site &site,
                        const std::vector<rules::ScopeCandidate> &candidates) {
  using K = rules::ScopeCandidate::Kind;
  TSNode at = ts_node_is_null(site.call) ? site.callee : site.call;
  Inference out;
  for (const auto &c : candidates) {
    int s = model.resolve(c.name, site.scope);
    bool found = false;
    std::string text = c.name;
    switch (c.kind) {
    case K::Parameter: {
      bool deleted = false; // `del project_id`: bound at the call only when no path from the del reaches it
      if (s > 0 && model.scopes()[s].kind != py::ScopeKind::Class)
        for (const py::Binding *b : model.bindingsIn(s, c.name)) {
          found = found || b->kind == py::BindingKind::Parameter;
          deleted = deleted || b->kind == py::BindingKind::Deletion;
        }
      // In a nested function the del may have run before the call, whenever that is.
      if (found && deleted)
        found = s == model.enclosingFunction(site.scope) &&
                bound.flow(model.scopes()[s].node, {c.name, ""}).at(at) == Bound::Yes;
      break;
    }
    case K::Local: {
      int fn = model.enclosingFunction(site.scope);
      found = s > 0 && s == fn && model.scopes()[fn].kind == py::ScopeKind::Function && hasValue(model, s, c.name) &&
              bound.flow(model.scopes()[fn].node, {c.name, ""}).at(at) == Bound::Yes;
      break;
    }
    case K::SelfAttribute:
      if (!ts_node_is_null(site.call))
        text = SelfInference(tree, model, bound, site).find(c.name, out.baseMayProvide, out, c);
      found = !ts_node_is_null(site.call) && !text.empty();
      break;
    case K::Global:
      found = s == 0 && globalBound(model, bound, site, c.name, at);
      break;
    }
    if (found) {
      out.found = Inferred{c, text};
      return out;
    }
  }
  return out;
}

} // namespace poolify::analysis

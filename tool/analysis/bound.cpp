#include "analysis/bound.h"

namespace poolify::analysis {

using py::Bound;
using py::ScopeKind;

const py::Flow &BoundNames::flow(TSNode scopeNode, const py::Tracked &what) {
  auto key = std::make_tuple(scopeNode.id, what.name, what.attr);
  auto it = flows_.find(key);
  if (it == flows_.end()) {
    auto flow = std::make_unique<py::Flow>(tree_, scopeNode, what, [this](TSNode call) { return noReturn(call); });
    it = flows_.emplace(key, std::move(flow)).first;
  }
  return *it->second;
}

Bound BoundNames::at(std::string_view name, int owner, int use, TSNode at) {
  const auto &scopes = model_.scopes();
  ScopeKind kind = scopes[owner].kind;
  if (kind == ScopeKind::Lambda || kind == ScopeKind::Comprehension)
    return Bound::Yes;
  bool later = false, lazy = false;
  for (int s = use; s >= 0 && s != owner; s = scopes[s].parent) {
    later = later || scopes[s].kind == ScopeKind::Function || scopes[s].kind == ScopeKind::Lambda;
    lazy = lazy || py::is(scopes[s].node, "generator_expression");
  }
  const py::Flow &f = flow(scopes[owner].node, {std::string(name), ""});
  if (kind != ScopeKind::Module || (!later && !lazy))
    return f.at(at);
  if (later)
    return f.atEnd();
  // A generator at module level runs when it is consumed: where it stands, or later.
  Bound here = f.at(at), end = f.atEnd();
  return here == end ? here : Bound::Maybe;
}

bool BoundNames::noReturn(TSNode call) const {
  TSNode fn = py::field(call, "function");
  int scope = model_.scopeAt(py::start(call));
  if (py::is(fn, "identifier")) {
    std::string_view name = tree_.text(fn);
    if ((name == "exit" || name == "quit") && model_.resolve(name, scope) < 0)
      return true;
  }
  auto q = model_.qualify(fn, scope);
  return q && (*q == "sys.exit" || *q == "os._exit" || *q == "os.abort");
}

} // namespace poolify::analysis

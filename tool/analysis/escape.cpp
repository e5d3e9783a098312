#include "analysis/escape.h"

#include "analysis/methods.h"
#include "python/walk.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace poolify::analysis {

using py::is;

namespace {

// The expression whose context decides where a value goes: `x` climbs out of parentheses, of
// `x or y` / `x and y`, of `x if c else y` (not the condition) and of `await x`.
TSNode valueOf(const py::Tree &tree, TSNode n) {
  for (;;) {
    TSNode p = tree.parent(n);
    bool through = is(p, "parenthesized_expression") || is(p, "boolean_operator") || is(p, "await");
    if (is(p, "conditional_expression"))
      through = !py::same(ts_node_named_child(p, 1), n);
    if (is(p, "named_expression"))
      through = py::same(py::field(p, "value"), n);
    if (!through)
      return n;
    n = p;
  }
}

bool isContainer(TSNode n) {
  return is(n, "list") || is(n, "tuple") || is(n, "set") || is(n, "dictionary") || is(n, "pair") ||
         is(n, "expression_list") || is(n, "list_splat") || is(n, "dictionary_splat") ||
         is(n, "parenthesized_expression") || is(n, "list_comprehension") || is(n, "set_comprehension") ||
         is(n, "dictionary_comprehension") || is(n, "generator_expression");
}

// The assignment targets a value is assigned to: `a = v`, `a = b = v`.
std::vector<TSNode> targetsOf(const py::Tree &tree, TSNode value) {
  std::vector<TSNode> out;
  TSNode cur = value;
  for (TSNode p = tree.parent(cur); is(p, "assignment") && py::same(py::field(p, "right"), cur);
       cur = p, p = tree.parent(p))
    out.push_back(py::field(p, "left"));
  return out;
}

std::string squeeze(std::string_view text) {
  std::string out;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      out += c;
  return out;
}

// `helper()`, `atexit.register()`, or "a call" for a callee that is not a dotted name.
std::string calleeName(const py::Tree &tree, TSNode call) {
  TSNode fn = py::field(call, "function");
  TSNode cur = fn;
  while (is(cur, "attribute"))
    cur = py::field(cur, "object");
  return is(cur, "identifier") ? squeeze(tree.text(fn)) + "()" : "a call";
}

// Builtins that keep nothing of their arguments.
bool keepsNothing(const py::Tree &tree, const py::ScopeModel &model, TSNode call) {
  static const char *const kNames[] = {"isinstance", "issubclass", "id",  "type", "repr",     "str",    "print",
                                       "hasattr",    "getattr",    "len", "bool", "callable", "format", "hash"};
  TSNode fn = py::field(call, "function");
  if (!is(fn, "identifier"))
    return false;
  std::string_view name = tree.text(fn);
  return std::any_of(std::begin(kNames), std::end(kNames), [&](const char *n) { return name == n; }) &&
         model.resolve(name, model.scopeAt(py::start(call))) < 0;
}

} // namespace

NameUses::NameUses(const py::ScopeModel &model) {
  for (const py::Reference &r : model.references())
    if (!r.inString)
      byName_[r.name].push_back(&r);
}

const std::vector<const py::Reference *> &NameUses::of(std::string_view name) const {
  static const std::vector<const py::Reference *> kNone;
  auto it = byName_.find(name);
  return it == byName_.end() ? kNone : it->second;
}

ObjectUses::ObjectUses(const py::Tree &tree, const py::ScopeModel &model, const NameUses &names, const Site &site)
    : tree_(tree), model_(model), names_(names) {
  if (ts_node_is_null(site.call))
    return;
  add(site.call);
  while (!pending_.empty()) {
    TSNode n = pending_.back();
    pending_.pop_back();
    follow(n);
  }
  std::sort(uses_.begin(), uses_.end(), [](TSNode a, TSNode b) { return py::start(a) < py::start(b); });
}

void ObjectUses::add(TSNode use) {
  uses_.push_back(use);
  pending_.push_back(use);
}

void ObjectUses::reachable(model::Holder h) {
  if (std::find(holders_.begin(), holders_.end(), h) == holders_.end())
    holders_.push_back(std::move(h));
}

void ObjectUses::follow(TSNode expr) {
  TSNode v = valueOf(tree_, expr);
  for (TSNode target : targetsOf(tree_, v))
    holdIn(target);
  for (TSNode n = expr; !py::same(n, v); n = tree_.parent(n)) {
    TSNode p = tree_.parent(n);
    if (is(p, "named_expression"))
      holdIn(py::field(p, "name")); // `(alias := client)`
  }
}

void ObjectUses::holdIn(TSNode target) {
  if (is(target, "identifier"))
    holdInName(target);
  else if (is(target, "attribute"))
    holdInSelfAttribute(target);
}

void ObjectUses::holdInName(TSNode target) {
  std::string_view name = tree_.text(target);
  int scope = model_.resolve(name, model_.scopeAt(py::start(target)));
  if (scope < 0)
    return;
  std::string key = fmt::format("{}:{}", scope, name);
  if (std::find(held_.begin(), held_.end(), key) != held_.end())
    return;
  held_.push_back(key);
  py::ScopeKind kind = model_.scopes()[scope].kind;
  if (kind == py::ScopeKind::Module || kind == py::ScopeKind::Class)
    reachable({std::string(name), kind == py::ScopeKind::Class});
  for (const py::Reference *r : names_.of(name))
    if (!py::same(r->node, target) && model_.resolve(name, r->scope) == scope)
      add(r->node);
}

void ObjectUses::holdInSelfAttribute(TSNode target) {
  auto m = methodOf(tree_, model_, model_.scopeAt(py::start(target)));
  TSNode obj = py::field(target, "object");
  if (!m || !is(obj, "identifier") || tree_.text(obj) != m->self)
    return; // another object's attribute: escapedBy reports it
  std::string_view attr = tree_.text(py::field(target, "attribute"));
  std::string key = fmt::format("self:{}:{}", py::start(m->cls), attr);
  if (std::find(held_.begin(), held_.end(), key) != held_.end())
    return;
  held_.push_back(key);
  reachable({std::string(attr), true});
  // Any method of the class may use it; each names its own instance parameter.
  py::forEachNamed(py::field(m->cls, "body"), [&](TSNode n) {
    if (is(n, "class_definition"))
      return false;
    if (!is(n, "function_definition"))
      return true;
    std::string self = instanceParameter(tree_, model_, n);
    if (!self.empty())
      py::forEachNamed(py::field(n, "body"), [&](TSNode x) {
        if (isSelfAttribute(tree_, x, self, attr) && !py::same(x, target))
          add(x);
        return true;
      });
    return false;
  });
}

std::optional<std::string> closedBy(const py::Tree &tree, const py::ScopeModel &model, const Site &site,
                                    const ObjectUses &uses, const LineIndex &lines) {
  if (ts_node_is_null(site.call))
    return std::nullopt;
  auto closing = [&](TSNode v) {
    TSNode p = tree.parent(v);
    if (!is(p, "argument_list"))
      return false;
    auto q = model.qualify(py::field(tree.parent(p), "function"), model.scopeAt(py::start(p)));
    return q && *q == "contextlib.closing";
  };
  auto inWith = [&](TSNode v) {
    TSNode p = tree.parent(v);
    return is(p, "with_item") || (is(p, "as_pattern") && is(tree.parent(p), "with_item"));
  };
  for (TSNode use : uses.uses()) {
    TSNode v = valueOf(tree, use);
    bool call = py::same(use, site.call);
    unsigned line = lines.lineOf(py::start(use));
    if (inWith(v))
      return call ? std::string("with statement") : fmt::format("with statement at line {}", line);
    if (closing(v))
      return call ? std::string("contextlib.closing") : fmt::format("contextlib.closing at line {}", line);
    TSNode p = tree.parent(v);
    if (is(p, "attribute") && py::same(py::field(p, "object"), v) && tree.text(py::field(p, "attribute")) == "close") {
      TSNode c = tree.parent(p);
      if (is(c, "call") && py::same(py::field(c, "function"), p))
        return fmt::format(".close() at line {}", line);
    }
  }
  return std::nullopt;
}

std::optional<std::string> configuredBy(const py::Tree &tree, const ObjectUses &uses,
                                        const std::vector<std::string> &attributes, bool assignments,
                                        const LineIndex &lines) {
  for (TSNode use : uses.uses()) {
    TSNode v = valueOf(tree, use);
    TSNode p = tree.parent(v);
    if (!is(p, "attribute") || !py::same(py::field(p, "object"), v))
      continue;
    std::string_view attr = tree.text(py::field(p, "attribute"));
    TSNode holder = tree.parent(p);
    if (is(holder, "expression_list"))
      holder = tree.parent(holder);
    bool assigned =
        ((is(holder, "assignment") || is(holder, "augmented_assignment")) && py::same(py::field(holder, "left"), p)) ||
        is(holder, "delete_statement");
    bool listed = std::find(attributes.begin(), attributes.end(), attr) != attributes.end();
    if (listed || (assignments && assigned))
      return fmt::format(".{} at line {}", attr, lines.lineOf(py::start(use)));
  }
  return std::nullopt;
}

namespace {

// True when the target keeps the object where this code follows it: a name, or an attribute of
// the instance in a method.
bool followedTarget(const py::Tree &tree, const py::ScopeModel &model, TSNode target) {
  if (is(target, "identifier"))
    return true;
  if (!is(target, "attribute"))
    return false;
  auto m = methodOf(tree, model, model.scopeAt(py::start(target)));
  TSNode obj = py::field(target, "object");
  return m && is(obj, "identifier") && tree.text(obj) == m->self;
}

// Where a value denoting the object (or, with `subject` "client.close", its close method) goes,
// when that hands it out.
std::optional<std::string> handedOut(const py::Tree &tree, const py::ScopeModel &model, TSNode use,
                                     const std::string &subject, const LineIndex &lines) {
  TSNode v = valueOf(tree, use);
  TSNode p = tree.parent(v);
  unsigned line = lines.lineOf(py::start(use));
  if (is(p, "attribute") && py::same(py::field(p, "object"), v)) {
    TSNode holder = tree.parent(p);
    bool called = is(holder, "call") && py::same(py::field(holder, "function"), p);
    if (tree.text(py::field(p, "attribute")) != "close" || called || subject != "client")
      return std::nullopt;
    return handedOut(tree, model, p, "client.close", lines);
  }
  bool contained = false;
  while (isContainer(p)) {
    contained = contained || !is(p, "parenthesized_expression");
    v = p;
    p = tree.parent(p);
  }
  if (is(p, "keyword_argument") && py::same(py::field(p, "value"), v))
    p = tree.parent(p);
  if (is(p, "argument_list")) {
    TSNode call = tree.parent(p);
    if (!is(call, "call") || keepsNothing(tree, model, call))
      return std::nullopt;
    return fmt::format("{} is passed to {} at line {}", subject, calleeName(tree, call), line);
  }
  if (is(p, "return_statement") || (is(p, "lambda") && py::same(py::field(p, "body"), v)))
    return fmt::format("{} is returned at line {}", subject, line);
  if (is(p, "yield"))
    return fmt::format("{} is yielded at line {}", subject, line);
  if (contained)
    return fmt::format("{} is stored in a container at line {}", subject, line);
  for (TSNode target : targetsOf(tree, v))
    if (subject != "client" || !followedTarget(tree, model, target))
      return fmt::format("{} is stored in {} at line {}", subject, squeeze(tree.text(target)), line);
  if (is(p, "augmented_assignment") && py::same(py::field(p, "right"), v))
    return fmt::format("{} is stored in {} at line {}", subject, squeeze(tree.text(py::field(p, "left"))), line);
  return std::nullopt;
}

} // namespace

std::optional<std::string> escapedBy(const py::Tree &tree, const py::ScopeModel &model, const ObjectUses &uses,
                                     const LineIndex &lines) {
  for (TSNode use : uses.uses())
    if (auto why = handedOut(tree, model, use, "client", lines))
      return why;
  return std::nullopt;
}

} // namespace poolify::analysis

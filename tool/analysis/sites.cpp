#include "analysis/sites.h"

#include "analysis/bound.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace poolify::analysis {

namespace {

// What the name a site is reached through is where the site runs.
struct NameCheck {
  bool drop = false;                   // not a site: the name is unbound there on every path
  std::string problem;                 // a site, left for this reason ("" when it is the import)
  const py::Binding *anchor = nullptr; // a better anchor than the scope's first import, if any
};

unsigned lineOf(TSNode n) { return ts_node_start_point(n).row + 1; }

std::string whereMade(const py::Tree &tree, const py::ScopeModel &model, const py::Binding &b) {
  TSNode code = model.scopes()[b.textualScope].node;
  std::string_view name = tree.text(py::field(code, "name"));
  return py::is(code, "class_definition") ? fmt::format("class {}", name) : fmt::format("{}()", name);
}

// Imports made by other functions through `global NAME`: they bind the module's name when those
// functions run, which poolify cannot order. A use in that function after its import on every path
// is that import; a use elsewhere is the import when module-level code imports it on every path
// (no `= None` fallback to stand in for it).
NameCheck checkRemote(const py::Tree &tree, const py::ScopeModel &model, BoundNames &bound, const py::Reference &ref,
                      int owner) {
  std::vector<const py::Binding *> remote;
  bool fallback = false;
  for (const py::Binding *b : model.bindingsIn(owner, ref.name)) {
    if (b->kind == py::BindingKind::Import && b->remote() && ts_node_is_null(b->deadUnder))
      remote.push_back(b);
    fallback = fallback || b->kind == py::BindingKind::NoneAssignment;
  }
  if (remote.empty())
    return {};
  int fn = model.enclosingFunction(ref.scope);
  for (const py::Binding *r : remote)
    if (r->textualScope == fn &&
        bound.flow(model.scopes()[fn].node, {std::string(ref.name), ""}).at(ref.node) == py::Bound::Yes)
      return {false, "", r};
  if (!fallback && bound.at(ref.name, owner, ref.scope, ref.node) == py::Bound::Yes)
    return {};
  const py::Binding &r = *remote.front();
  return {false,
          fmt::format("{} is imported by {} through 'global {}' (line {}), which may not have run before this use",
                      ref.name, whereMade(tree, model, r), ref.name, lineOf(r.statement)),
          nullptr};
}

// Deletions and `= None` made by other code through `global NAME` (or `nonlocal NAME`): once that
// code has run, the name is unbound (a NameError) or None where the use looks it up, which poolify
// cannot order, so the use may not be the import. Not counted: a `= None` beside an import of the
// name in the same code (an import fallback, checkRemote's question), and a `del` in code that
// imports the name again on every path to its end (a reload: the name is the import once it ran).
NameCheck checkRemoteUnbinding(const py::Tree &tree, const py::ScopeModel &model, BoundNames &bound,
                               const py::Reference &ref, int owner) {
  std::vector<const py::Binding *> all = model.bindingsIn(owner, ref.name);
  auto importsThere = [&](int textual) {
    return std::any_of(all.begin(), all.end(), [&](const py::Binding *b) {
      return b->kind == py::BindingKind::Import && b->remote() && b->textualScope == textual &&
             ts_node_is_null(b->deadUnder);
    });
  };
  for (const py::Binding *b : all) {
    bool deletion = b->kind == py::BindingKind::Deletion, none = b->kind == py::BindingKind::NoneAssignment;
    if (!b->remote() || !ts_node_is_null(b->deadUnder) || !(deletion || none))
      continue;
    if (importsThere(b->textualScope)) {
      if (none)
        continue;
      TSNode code = model.scopes()[b->textualScope].node;
      if (bound.flow(code, {std::string(ref.name), ""}).atEnd() == py::Bound::Yes)
        continue;
    }
    return {false,
            fmt::format("{} is {} by {} through '{} {}' (line {}), which may have run before this use", ref.name,
                        deletion ? "deleted" : "rebound to None", whereMade(tree, model, *b),
                        model.scopes()[owner].kind == py::ScopeKind::Module ? "global" : "nonlocal", ref.name,
                        lineOf(b->statement)),
            nullptr};
  }
  return {};
}

NameCheck checkName(const py::Tree &tree, const py::ScopeModel &model, BoundNames &bound, const py::Reference &ref,
                    const py::Binding *anchor) {
  int owner = model.resolve(ref.name, ref.scope);
  if (anchor && !ts_node_is_null(anchor->deadUnder))
    return {
        false,
        fmt::format("{} is imported only under 'if {}:', which does not run", ref.name, tree.text(anchor->deadUnder)),
        nullptr};
  if (model.scopes()[owner].kind == py::ScopeKind::Class)
    return {false, fmt::format("{} is imported in the class body: a class attribute, whose import must stay", ref.name),
            nullptr};
  NameCheck remote = checkRemote(tree, model, bound, ref, owner);
  if (remote.anchor || !remote.problem.empty())
    return remote;
  if (bound.at(ref.name, owner, ref.scope, ref.node) != py::Bound::No)
    return checkRemoteUnbinding(tree, model, bound, ref, owner);
  // Unbound on every path: where the code stands, a NameError (or another binding) rather than
  // the import; in a function that runs later, poolify cannot say what it finds.
  bool runsLater = false;
  for (int s = ref.scope; s >= 0 && s != owner; s = model.scopes()[s].parent)
    runsLater = runsLater || model.scopes()[s].kind == py::ScopeKind::Function ||
                model.scopes()[s].kind == py::ScopeKind::Lambda;
  if (!runsLater)
    return {true, "", nullptr};
  return {false, fmt::format("{} is unbound when this code can run (deleted, or bound only later)", ref.name), nullptr};
}

// Type positions are not client creations: annotations and isinstance/issubclass checks.
bool isTypeUse(TSNode expr, const py::Reference &ref, const py::Tree &tree, const py::ScopeModel &model, int scope) {
  if (ref.inType)
    return true;
  TSNode parent = tree.parent(expr);
  if (py::is(parent, "tuple"))
    parent = tree.parent(parent);
  if (!py::is(parent, "argument_list"))
    return false;
  TSNode call = tree.parent(parent);
  TSNode fn = py::field(call, "function");
  if (!py::is(fn, "identifier"))
    return false;
  std::string_view name = tree.text(fn);
  return (name == "isinstance" || name == "issubclass") && model.resolve(name, scope) < 0;
}

} // namespace

namespace {

// Whether `name` is `prefix` followed by more dotted components ("a.b.c" extends "a.b").
bool extends(std::string_view name, std::string_view prefix) {
  return name.size() > prefix.size() && name[prefix.size()] == '.' && name.substr(0, prefix.size()) == prefix;
}

// The site a reference starts, walking up its attribute chain: the shortest prefix a rule matches
// (`rule` null when none does).
Site matchReference(const py::Tree &tree, const py::Reference &ref, std::string q,
                    const std::vector<rules::Rule> &rules) {
  Site s;
  TSNode expr = ref.node;
  for (;;) {
    bool longer = false; // a callable's name goes on after q: `q.attr...` may still match
    for (const auto &r : rules)
      for (const auto &rw : r.rewrites)
        for (const auto &m : rw.match) {
          if (m == q && !s.rule) {
            s.rule = &r;
            s.rewrite = &rw;
          }
          longer = longer || extends(m, q);
        }
    if (s.rule || !longer) // (no rule: the caller drops the site, wherever the chain ends)
      break;
    TSNode parent = tree.parent(expr);
    if (!py::is(parent, "attribute") || !py::same(py::field(parent, "object"), expr))
      break;
    q += '.';
    q += tree.text(py::field(parent, "attribute"));
    expr = parent;
  }
  s.qname = q;
  s.callee = expr;
  s.head = ref.node;
  s.scope = ref.scope;
  TSNode parent = tree.parent(expr);
  if (py::is(parent, "call") && py::same(py::field(parent, "function"), expr))
    s.call = parent;
  return s;
}

// Strings that name a rule's callable exactly: mock targets and the like, reported only.
void addStringSites(const py::Tree &tree, const py::ScopeModel &model, const std::vector<rules::Rule> &rules,
                    std::vector<Site> &sites) {
  for (TSNode str : model.strings()) {
    uint32_t count = ts_node_named_child_count(str);
    TSNode content{};
    for (uint32_t i = 0; i < count; ++i) {
      TSNode c = ts_node_named_child(str, i);
      if (py::is(c, "interpolation"))
        content = TSNode{}, i = count;
      else if (py::is(c, "string_content"))
        content = c;
    }
    if (ts_node_is_null(content))
      continue;
    std::string_view text = tree.text(content);
    for (const auto &r : rules)
      for (const auto &rw : r.rewrites)
        for (const auto &m : rw.match)
          if (m == text) {
            Site s;
            s.rule = &r;
            s.rewrite = &rw;
            s.qname = m;
            s.callee = str;
            s.head = str;
            s.scope = model.scopeAt(py::start(str));
            s.inString = true;
            sites.push_back(s);
          }
  }
}

// A use of a name that is an import of a rule's module in its scope, but that a nested function
// rebinds through `nonlocal` (or another function through `global`) to something else: which one
// it is when the use runs depends on whether that function ran. Left with the reason (never a
// silent non-site); nullopt when this is not the case.
std::optional<Site> reboundSite(const py::Tree &tree, const py::ScopeModel &model, const py::Reference &ref,
                                const std::vector<rules::Rule> &rules) {
  int owner = model.resolve(ref.name, ref.scope);
  if (owner < 0)
    return std::nullopt;
  const py::Binding *import = nullptr, *remote = nullptr;
  for (const py::Binding *b : model.bindingsIn(owner, ref.name)) {
    if (b->kind == py::BindingKind::Import && !b->remote() && ts_node_is_null(b->deadUnder) && !import)
      import = b;
    else if (b->remote() && b->kind != py::BindingKind::Deletion && !remote)
      remote = b;
  }
  if (!import || !remote)
    return std::nullopt;
  Site s = matchReference(tree, ref, import->qname, rules);
  if (!s.rule || isTypeUse(s.callee, ref, tree, model, ref.scope))
    return std::nullopt;
  s.anchor = import;
  s.nameProblem = fmt::format("{} is rebound by {} through '{} {}' (line {}), which may have run before this use",
                              ref.name, whereMade(tree, model, *remote),
                              model.scopes()[owner].kind == py::ScopeKind::Module ? "global" : "nonlocal", ref.name,
                              lineOf(remote->statement));
  return s;
}

} // namespace

std::vector<Site> findSites(const py::Tree &tree, const py::ScopeModel &model, const std::vector<rules::Rule> &rules) {
  std::vector<Site> sites;
  BoundNames bound(tree, model);
  for (const py::Reference &ref : model.references()) {
    if (ref.inString)
      continue;
    const py::Binding *anchor = nullptr;
    auto base = model.importTarget(ref.name, ref.scope, &anchor);
    if (!base) {
      if (auto rebound = reboundSite(tree, model, ref, rules))
        sites.push_back(*rebound);
      continue;
    }
    Site s = matchReference(tree, ref, *base, rules);
    if (!s.rule || isTypeUse(s.callee, ref, tree, model, ref.scope))
      continue;
    NameCheck check = checkName(tree, model, bound, ref, anchor);
    if (check.drop)
      continue;
    s.nameProblem = check.problem;
    s.anchor = check.anchor ? check.anchor : anchor;
    sites.push_back(s);
  }
  addStringSites(tree, model, rules, sites);
  std::sort(sites.begin(), sites.end(),
            [](const Site &a, const Site &b) { return py::start(a.callee) < py::start(b.callee); });
  return sites;
}

std::vector<PooledUse> findPooledUses(const py::Tree &tree, const py::ScopeModel &model,
                                      const std::vector<rules::Rule> &rules) {
  std::vector<PooledUse> uses;
  for (const py::Reference &ref : model.references()) {
    if (ref.inString)
      continue;
    auto base = model.importTarget(ref.name, ref.scope);
    if (!base)
      continue;
    std::string q = *base;
    TSNode expr = ref.node;
    for (;;) {
      // Only a chain that can still spell a pooled name is followed (finding a parent is costly).
      if (std::none_of(rules.begin(), rules.end(), [&](const rules::Rule &r) {
            return std::any_of(r.pooled.begin(), r.pooled.end(),
                               [&](const std::string &p) { return p == q || extends(p, q); });
          }))
        break;
      TSNode parent = tree.parent(expr);
      if (py::is(parent, "call") && py::same(py::field(parent, "function"), expr)) {
        for (const auto &r : rules)
          if (std::find(r.pooled.begin(), r.pooled.end(), q) != r.pooled.end()) {
            uses.push_back({&r, q, expr});
            break;
          }
        break;
      }
      if (!py::is(parent, "attribute") || !py::same(py::field(parent, "object"), expr))
        break;
      q += '.';
      q += tree.text(py::field(parent, "attribute"));
      expr = parent;
    }
  }
  std::sort(uses.begin(), uses.end(),
            [](const PooledUse &a, const PooledUse &b) { return py::start(a.callee) < py::start(b.callee); });
  return uses;
}

bool mentionsAnyTrigger(std::string_view text, const std::vector<rules::Rule> &rules) {
  auto in = [&](const std::vector<std::string> &words) {
    return std::any_of(words.begin(), words.end(),
                       [&](const std::string &w) { return text.find(w) != std::string_view::npos; });
  };
  // A site is a reference to one of the rule's callables, through an import that names the
  // rule's module: both words are in the text (in code, or in the string of a mock target).
  return std::any_of(rules.begin(), rules.end(), [&](const rules::Rule &r) {
    return in(r.triggers) && (r.callableNames.empty() || in(r.callableNames));
  });
}

bool mayPatchACallable(std::string_view text, const std::vector<rules::Rule> &rules) {
  // `patch` as a word of its own (`mock.patch(`, `@patch(`, `patch.object(`, an import of it), not
  // inside `dispatch`; `setattr` anywhere (`monkeypatch.setattr(`, `setattr(mod, ...)`).
  auto patchWord = [&] {
    for (size_t at = text.find("patch"); at != std::string_view::npos; at = text.find("patch", at + 1)) {
      unsigned char before = at == 0 ? ' ' : static_cast<unsigned char>(text[at - 1]);
      if (!(std::isalnum(before) || before == '_' || before >= 0x80))
        return true;
    }
    return false;
  };
  // The callable's name ends a string: the target `"pkg.mod.Client"` or the attribute `"Client"`.
  auto endsAString = [&](const std::string &name) {
    for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
      size_t end = at + name.size();
      char before = at == 0 ? ' ' : text[at - 1];
      char after = end < text.size() ? text[end] : ' ';
      if ((before == '.' || before == '"' || before == '\'') && (after == '"' || after == '\''))
        return true;
    }
    return false;
  };
  if (text.find("setattr") == std::string_view::npos && !patchWord())
    return false;
  return std::any_of(rules.begin(), rules.end(), [&](const rules::Rule &r) {
    return std::any_of(r.callableNames.begin(), r.callableNames.end(), endsAString) ||
           std::any_of(r.triggers.begin(), r.triggers.end(), endsAString); // "pkg.mod.bigquery": all of it
  });
}

} // namespace poolify::analysis

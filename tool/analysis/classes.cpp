#include "analysis/classes.h"

#include "analysis/context.h"
#include "analysis/decide.h"
#include "analysis/methods.h"
#include "python/nodes.h"
#include "python/walk.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <set>

namespace poolify::analysis {

using py::is;

namespace {

bool isIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// One string literal, no f-string, no implicit concatenation: 'a', "a", r"a\b", b'x', triple quotes.
bool isStringLiteral(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && i < 2 && std::strchr("rRbBuU", s[i]))
    ++i;
  if (i >= s.size() || (s[i] != '"' && s[i] != '\''))
    return false;
  char q = s[i];
  std::string triple(3, q);
  size_t open = s.compare(i, 3, triple) == 0 ? 3 : 1;
  for (size_t k = i + open; k < s.size(); ++k) {
    if (s[k] == '\\') {
      ++k;
      continue;
    }
    if (s[k] == q && (open == 1 || s.compare(k, 3, triple) == 0))
      return k + open == s.size();
  }
  return false;
}

bool isLiteral(std::string_view s) {
  if (s == "True" || s == "False" || s == "None")
    return true;
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0])))
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; });
  return isStringLiteral(s);
}

} // namespace

std::string argumentKey(std::string_view text, std::string_view self,
                        const std::function<std::string(std::string_view)> &global) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (isLiteral(text))
    return "lit:" + std::string(text);
  std::vector<std::string_view> parts;
  for (size_t from = 0;;) {
    size_t dot = text.find('.', from);
    parts.push_back(text.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from));
    if (!isIdentifier(parts.back()))
      return "?";
    if (dot == std::string_view::npos)
      break;
    from = dot + 1;
  }
  if (!self.empty() && parts[0] == self)
    return parts.size() == 2 ? "self:" + std::string(parts[1]) : "?";
  std::string g = global(parts[0]);
  if (g.rfind("g:", 0) == 0)
    return g + std::string(text.substr(parts[0].size()));
  if (g == "=")
    return "=" + std::string(text);
  if (g == "p" && parts.size() == 1)
    return "param:" + std::string(text);
  return "?";
}

namespace {

class Extractor {
public:
  Extractor(const py::Tree &tree, const py::ScopeModel &model, const std::vector<Site> &sites,
            const std::vector<model::Verdict> &decisions, const std::vector<rules::Rule> &rules, const LineIndex &lines)
      : tree_(tree), nodes_(tree.nodes()), model_(model), sites_(sites), decisions_(decisions), rules_(rules),
        lines_(lines) {}

  model::FileFacts run() {
    model::FileFacts facts;
    std::map<std::string, std::string> imports; // the last import binding of each name wins
    for (const auto &[name, ids] : model_.scopes()[0].bindings)
      for (int id : ids) {
        const py::Binding &b = model_.bindings()[id];
        if (b.kind != py::BindingKind::Import)
          continue;
        if (py::is(b.statement, "import_from_statement"))
          imports[name] = b.qname;
        else
          imports.erase(name);
      }
    facts.imports = model::ImportTable({imports.begin(), imports.end()});
    TSNode root = tree_.root();
    for (TSNode c : py::namedChildren(root)) {
      if (is(c, "decorated_definition"))
        c = py::field(c, "definition");
      if (is(c, "class_definition"))
        facts.classes.push_back(classFacts(c));
    }
    // Kept for the whole run, one set per file: no spare capacity (processors assign hundreds of
    // attributes, and a vector grown by doubling holds up to twice what it needs).
    for (auto &c : facts.classes) {
      // Assignments of no client go to the class's packed writes (ClassFacts::writes).
      std::vector<model::AttributeAssignment> clients;
      std::string writes;
      for (uint32_t i = 0; i < c.assignments.size(); ++i) {
        model::AttributeAssignment &a = c.assignments[i];
        a.order = i;
        if (a.source == model::AttributeAssignment::Source::Other)
          model::AttributeWrites::encode(a, writes);
        else
          clients.push_back(std::move(a));
      }
      clients.shrink_to_fit();
      c.assignments = std::move(clients);
      c.writes.adopt(writes);
      if (c.hasInit()) {
        c.defineInit().uses.shrink_to_fit();
        c.defineInit().calls.shrink_to_fit();
      }
    }
    facts.classes.shrink_to_fit();
    return facts;
  }

private:
  // A base expression's qualified name: through imports, or a class of this module ("Name").
  std::string qualifyBase(TSNode expr) {
    if (auto q = model_.qualify(expr, 0))
      return *q;
    if (is(expr, "identifier")) {
      for (const py::Binding *b : model_.bindingsIn(0, tree_.text(expr)))
        if (b->kind == py::BindingKind::Definition)
          return "=" + std::string(tree_.text(expr)); // a class of this module
    }
    return "?" + std::string(tree_.text(expr));
  }

  model::ClassFacts classFacts(TSNode cls) {
    model::ClassFacts c;
    c.name = std::string(tree_.text(py::field(cls, "name")));
    TSNode supers = py::field(cls, "superclasses");
    if (!ts_node_is_null(supers)) {
      for (TSNode b : py::namedChildren(supers)) {
        if (is(b, "keyword_argument") || is(b, "comment") || is(b, "list_splat") || is(b, "dictionary_splat"))
          continue;
        if (is(b, "subscript")) // Generic[T]
          b = py::field(b, "value");
        c.bases.push_back(qualifyBase(b));
      }
    }
    TSNode body = py::field(cls, "body");
    for (TSNode m : py::namedChildren(body)) {
      if (is(m, "decorated_definition"))
        m = py::field(m, "definition");
      if (is(m, "function_definition")) {
        method(c, m);
        if (tree_.text(py::field(m, "name")) == "__init__")
          initBindings(c, cls, m);
      } else if (is(m, "expression_statement")) {
        classAttribute(c, m);
      }
    }
    placeMovedStatements(c);
    if (c.hasInit()) {
      auto &calls = c.defineInit().selfCalls.list();
      std::sort(calls.begin(), calls.end());
      calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
      if (calls.empty())
        c.defineInit().selfCalls.clear(); // one pointer, not an empty vector
    }
    return c;
  }

  // A statement a rewrite moves up (an applied unsafe fix) assigns where it goes: just before the
  // statement it goes above.
  void placeMovedStatements(model::ClassFacts &c) const {
    for (const model::Verdict &v : decisions_)
      if (v.move && v.outcome == model::Outcome::Rewritten)
        for (auto &a : c.assignments)
          if (a.start == v.move->statement)
            a.start = a.end = v.move->above;
  }

  const Site *siteAt(TSNode callee, size_t *index) const {
    for (size_t i = 0; i < sites_.size(); ++i)
      if (!sites_[i].inString && py::same(sites_[i].callee, callee)) {
        *index = i;
        return &sites_[i];
      }
    return nullptr;
  }

  // How a name is reached from `scope` (see argumentKey): a module-level name, or "p" for a
  // parameter of the enclosing function that it never rebinds.
  std::string global(std::string_view name, int scope) const {
    int owner = model_.resolve(name, scope);
    if (owner > 0) {
      auto bindings = model_.bindingsIn(owner, name);
      bool param = model_.scopes()[owner].kind == py::ScopeKind::Function && !bindings.empty() &&
                   std::all_of(bindings.begin(), bindings.end(),
                               [](const py::Binding *b) { return b->kind == py::BindingKind::Parameter; });
      return param ? "p" : "";
    }
    if (owner != 0)
      return "";
    std::string qname;
    bool imports = false, others = false;
    for (const py::Binding *b : model_.bindingsIn(0, name)) {
      if (b->kind == py::BindingKind::Import) {
        if (imports && b->qname != qname)
          return "";
        imports = true;
        qname = b->qname;
      } else if (b->kind != py::BindingKind::NoneAssignment) {
        others = true;
      }
    }
    if (imports && !others)
      return "g:" + qname;
    return others && !imports ? "=" : "";
  }

  void keysOf(model::AttributeAssignment &a, std::string_view self, int scope) {
    auto g = [&](std::string_view name) { return global(name, scope); };
    a.keys.clear();
    for (const auto &arg : a.args)
      a.keys.push_back(argumentKey(arg.second, self, g));
    for (const auto &arg : a.inferred)
      a.keys.push_back(argumentKey(arg.second, self, g));
  }

  // Fills the source of `self.x = <value>` (or a class attribute's value).
  void classify(model::AttributeAssignment &a, TSNode value, std::string_view self) {
    while (is(value, "parenthesized_expression"))
      value = ts_node_named_child(value, 0);
    if (!is(value, "call"))
      return;
    TSNode fn = py::field(value, "function");
    size_t index = 0;
    if (const Site *s = siteAt(fn, &index)) {
      a.source = model::AttributeAssignment::Source::Site;
      a.rule = s->rule->id;
      a.siteOffset = py::start(fn);
      const rules::Replacement &rp = s->rewrite->replace;
      a.pooled = rp.module + "." + rp.function + (rp.attribute.empty() ? "" : "()." + rp.attribute);
      for (const auto &am : s->rewrite->arguments)
        if (am.required)
          a.required.push_back(am.to);
      if (index < decisions_.size()) {
        a.outcome = decisions_[index].outcome;
        a.args = decisions_[index].args;
        a.inferred = decisions_[index].inferred;
      }
      keysOf(a, self, s->scope);
      LineCol lc = lines_.at(py::start(fn));
      a.line = lc.line;
      a.col = lc.col;
      return;
    }
    auto q = model_.qualify(fn, model_.scopeAt(py::start(fn)));
    if (!q)
      return;
    for (const auto &r : rules_)
      if (std::find(r.pooled.begin(), r.pooled.end(), *q) != r.pooled.end()) {
        a.source = model::AttributeAssignment::Source::Pooled;
        a.rule = r.id;
        a.pooled = *q;
        TSNode args = py::field(value, "arguments");
        uint32_t n = ts_node_named_child_count(args), pos = 0;
        for (uint32_t i = 0; i < n; ++i) {
          TSNode arg = ts_node_named_child(args, i);
          if (is(arg, "comment"))
            continue;
          if (is(arg, "keyword_argument"))
            a.args.push_back(
                {std::string(tree_.text(py::field(arg, "name"))), std::string(tree_.text(py::field(arg, "value")))});
          else
            a.args.push_back({"#" + std::to_string(++pos), std::string(tree_.text(arg))});
        }
        keysOf(a, self, model_.scopeAt(py::start(fn)));
        return;
      }
  }

  void method(model::ClassFacts &c, TSNode def) {
    std::string name(tree_.text(py::field(def, "name")));
    TSNode first = ts_node_named_child(py::field(def, "parameters"), 0);
    if (!is(first, "identifier"))
      return;
    std::string_view self = tree_.text(first);
    bool init = name == "__init__";
    if (init)
      initParameters(c.defineInit(), def);
    forEachInBody(py::field(def, "body"), [&](TSNode n, TSNode stmt, bool unconditional) {
      // `self.x: T` alone (no value) assigns nothing at run time: it is no assignment of x.
      if (is(n, "assignment") && !ts_node_is_null(py::field(n, "right"))) {
        TSNode left = py::field(n, "left");
        if (is(left, "attribute") && is(py::field(left, "object"), "identifier") &&
            tree_.text(py::field(left, "object")) == self) {
          model::AttributeAssignment a;
          a.attr = std::string(tree_.text(py::field(left, "attribute")));
          a.start = py::start(stmt);
          a.end = py::end(stmt);
          a.where = init ? model::AttributeAssignment::Where::Init : model::AttributeAssignment::Where::OtherMethod;
          a.method = name;
          a.unconditional = unconditional;
          classify(a, py::field(n, "right"), self);
          if (a.source == model::AttributeAssignment::Source::Other) {
            // Only a parameter is ever asked for (ClassIndex::parameterBehind); any other key (a
            // literal's whole text: a SQL query) would be kept for the whole run for nothing.
            std::string key = keyOf(py::field(n, "right"), self);
            if (key.rfind("param:", 0) == 0)
              a.valueKey = std::move(key);
          }
          c.assignments.push_back(std::move(a));
        }
      } else if (init && is(n, "call")) {
        initCall(c, n, self, unconditional);
        TSNode fn = py::field(n, "function");
        if (is(fn, "attribute") && is(py::field(fn, "object"), "identifier") &&
            tree_.text(py::field(fn, "object")) == self)
          c.defineInit().selfCalls.push_back(std::string(tree_.text(py::field(fn, "attribute"))));
      } else if (init && is(n, "attribute") && is(py::field(n, "object"), "identifier") &&
                 tree_.text(py::field(n, "object")) == self) {
        // A read of self.x (an assignment's target is not a use).
        bool isTarget = is(stmt, "expression_statement") && ts_node_named_child_count(stmt) == 1 &&
                        is(ts_node_named_child(stmt, 0), "assignment") &&
                        py::same(py::field(ts_node_named_child(stmt, 0), "left"), n);
        if (!isTarget)
          c.defineInit().uses.push_back({std::string(tree_.text(py::field(n, "attribute"))), py::start(n)});
      }
    });
  }

  // Calls f(node, statement, unconditional) for every named node of a method's body, in document
  // order, but those of nested functions, classes and lambdas: its statement (its nearest ancestor
  // whose parent is a block), and whether that statement sits directly in the body (runs whenever
  // the method runs) or in a nested block.
  template <typename F> void forEachInBody(TSNode body, F &&f) const {
    enum Kind : int8_t { Function, Class, Lambda, Block };
    static const std::vector<int8_t> kinds =
        py::symbolKinds({"function_definition", "class_definition", "lambda", "block"});
    auto kindOf = [&](uint32_t i) {
      TSSymbol s = nodes_[i].symbol;
      return s < kinds.size() ? kinds[s] : -1;
    };
    auto scope = [&](uint32_t i) {
      int k = kindOf(i);
      return k == Function || k == Class || k == Lambda;
    };
    uint32_t bodyIndex = nodes_.find(body);
    if (bodyIndex == py::Nodes::kNone)
      return;
    struct Frame {
      uint32_t end; // the index after the statement's subtree
      TSNode stmt;
      bool unconditional;
    };
    std::vector<Frame> open; // the statements the walk is in, innermost last
    for (uint32_t i = bodyIndex + 1, stop = nodes_[bodyIndex].next; i < stop;) {
      while (!open.empty() && i >= open.back().end)
        open.pop_back();
      if (scope(i)) {
        i = nodes_[i].next;
        continue;
      }
      uint32_t parent = nodes_[i].parent;
      if (parent == bodyIndex || kindOf(parent) == Block)
        open.push_back({nodes_[i].next, nodes_.node(i), parent == bodyIndex});
      f(nodes_.node(i), open.back().stmt, open.back().unconditional);
      ++i;
    }
  }

  // What an expression denotes (a key, see argumentKey) where it stands.
  std::string keyOf(TSNode value, std::string_view self) const {
    int scope = model_.scopeAt(py::start(value));
    return argumentKey(tree_.text(value), self, [&](std::string_view name) { return global(name, scope); });
  }

  // The parameters of __init__ after the instance, with their defaults' keys.
  void initParameters(model::InitFacts &init, TSNode def) {
    init.params.clear();
    bool positional = true, first = true;
    for (TSNode p : py::namedChildren(py::field(def, "parameters"))) {
      if (is(p, "comment"))
        continue;
      bool instance = first;
      first = false;
      if (is(p, "list_splat_pattern") || is(p, "dictionary_splat_pattern")) {
        init.variadic = true;
        positional = false;
        continue;
      }
      if (is(p, "keyword_separator")) {
        positional = false;
        continue;
      }
      TSNode name = is(p, "identifier") ? p : py::field(p, "name");
      if (is(p, "typed_parameter"))
        name = ts_node_named_child(p, 0);
      if (instance || !is(name, "identifier"))
        continue;
      TSNode value = py::field(p, "value");
      init.params.push_back(
          {std::string(tree_.text(name)), ts_node_is_null(value) ? "" : keyOf(value, ""), positional});
    }
  }

  // super().__init__(...), super(C, self).__init__(...), Base.__init__(self, ...)
  void initCall(model::ClassFacts &c, TSNode call, std::string_view self, bool unconditional) {
    TSNode fn = py::field(call, "function");
    if (!is(fn, "attribute") || tree_.text(py::field(fn, "attribute")) != "__init__")
      return;
    TSNode obj = py::field(fn, "object");
    TSNode args = py::field(call, "arguments");
    TSNode firstArg = ts_node_named_child(args, 0);
    model::BaseInitCall k{"", py::start(call), unconditional, {}, {}, false};
    if (!(is(obj, "call") && is(py::field(obj, "function"), "identifier") &&
          tree_.text(py::field(obj, "function")) == "super")) {
      if (!is(firstArg, "identifier") || tree_.text(firstArg) != self)
        return;
      k.base = qualifyBase(obj);
    }
    Arguments a = argumentsOf(call);
    k.unpacking = a.unpacking;
    for (size_t i = 0; i < a.positional.size(); ++i) {
      k.args.push_back({"#" + std::to_string(i + 1), std::string(tree_.text(a.positional[i]))});
      k.keys.push_back(keyOf(a.positional[i], self));
    }
    for (TSNode kw : a.keywords) {
      k.args.push_back(
          {std::string(tree_.text(py::field(kw, "name"))), std::string(tree_.text(py::field(kw, "value")))});
      k.keys.push_back(keyOf(py::field(kw, "value"), self));
    }
    c.defineInit().calls.push_back(std::move(k));
  }

  void classAttribute(model::ClassFacts &c, TSNode stmt) {
    TSNode a = ts_node_named_child(stmt, 0);
    if (!is(a, "assignment") || !is(py::field(a, "left"), "identifier"))
      return;
    model::AttributeAssignment attr;
    attr.attr = std::string(tree_.text(py::field(a, "left")));
    attr.start = py::start(stmt);
    attr.end = py::end(stmt);
    attr.where = model::AttributeAssignment::Where::ClassBody;
    classify(attr, py::field(a, "right"), "");
    if (attr.source == model::AttributeAssignment::Source::Site)
      c.assignments.push_back(std::move(attr));
  }

  // The attributes rules may take from the instance that `init` assigns on every path before
  // anything could run another method (ClassFacts::initBinds).
  void initBindings(model::ClassFacts &c, TSNode cls, TSNode init) {
    if (!c.hasInit()) // an __init__ with no instance parameter: as if the class had none (method())
      return;
    if (!wantedKnown_) {
      for (const auto &rule : rules_)
        for (const auto &rw : rule.rewrites)
          for (const auto &am : rw.arguments)
            for (const auto &candidate : am.infer)
              if (candidate.kind == rules::ScopeCandidate::Kind::SelfAttribute)
                wanted_.insert(candidate.name);
      wantedKnown_ = true;
    }
    std::string self = instanceParameter(tree_, model_, init);
    std::set<std::string> binds;
    for (const auto &a : c.assignments)
      if (a.where == model::AttributeAssignment::Where::Init && wanted_.count(a.attr) && !self.empty() &&
          initBinds(tree_, bound_, cls, init, self, a.attr))
        binds.insert(a.attr);
    c.defineInit().binds = std::vector<std::string>(binds.begin(), binds.end());
    c.defineInit().baseFirst = baseInitRunsFirst(tree_, model_, cls, init);
  }

  const py::Tree &tree_;
  const py::Nodes &nodes_;
  const py::ScopeModel &model_;
  BoundNames bound_{tree_, model_};
  std::set<std::string> wanted_; // attributes the rules may take from the instance (initBindings)
  bool wantedKnown_ = false;
  const std::vector<Site> &sites_;
  const std::vector<model::Verdict> &decisions_;
  const std::vector<rules::Rule> &rules_;
  const LineIndex &lines_;
};

} // namespace

model::FileFacts extractClasses(const py::Tree &tree, const py::ScopeModel &model, const std::vector<Site> &sites,
                                const std::vector<model::Verdict> &decisions, const std::vector<rules::Rule> &rules,
                                const LineIndex &lines) {
  return Extractor(tree, model, sites, decisions, rules, lines).run();
}

} // namespace poolify::analysis

#include "analysis/sites.h"

namespace poolify::analysis {

namespace {

// Type positions are not client creations: annotations and isinstance/issubclass checks.
bool isTypeUse(TSNode expr, const py::Reference &ref, const py::Tree &tree, const py::ScopeModel &model, int scope) {
  if (ref.inType)
    return true;
  TSNode parent = ts_node_parent(expr);
  if (py::is(parent, "tuple"))
    parent = ts_node_parent(parent);
  if (!py::is(parent, "argument_list"))
    return false;
  TSNode call = ts_node_parent(parent);
  TSNode fn = py::field(call, "function");
  if (!py::is(fn, "identifier"))
    return false;
  std::string_view name = tree.text(fn);
  return (name == "isinstance" || name == "issubclass") && model.resolve(name, scope) < 0;
}

} // namespace

std::vector<Site> findSites(const py::Tree &tree, const py::ScopeModel &model, const std::vector<rules::Rule> &rules) {
  std::vector<Site> sites;
  for (const py::Reference &ref : model.references()) {
    if (ref.inString)
      continue;
    const py::Binding *anchor = nullptr;
    auto base = model.importTarget(ref.name, ref.scope, &anchor);
    if (!base)
      continue;
    // Walk up the attribute chain; the shortest prefix that a rule matches is the site.
    std::string q = *base;
    TSNode expr = ref.node;
    const rules::Rule *rule = nullptr;
    const rules::Rewrite *rewrite = nullptr;
    for (;;) {
      for (const auto &r : rules) {
        for (const auto &rw : r.rewrites)
          for (const auto &m : rw.match)
            if (m == q) {
              rule = &r;
              rewrite = &rw;
            }
        if (rule)
          break;
      }
      if (rule)
        break;
      TSNode parent = ts_node_parent(expr);
      if (!py::is(parent, "attribute") || !py::same(py::field(parent, "object"), expr))
        break;
      q += '.';
      q += tree.text(py::field(parent, "attribute"));
      expr = parent;
    }
    if (!rule || isTypeUse(expr, ref, tree, model, ref.scope))
      continue;
    Site s;
    s.rule = rule;
    s.rewrite = rewrite;
    s.qname = q;
    s.callee = expr;
    s.head = ref.node;
    s.scope = ref.scope;
    s.anchor = anchor;
    TSNode parent = ts_node_parent(expr);
    if (py::is(parent, "call") && py::same(py::field(parent, "function"), expr))
      s.call = parent;
    sites.push_back(s);
  }
  // Strings that name a rule's callable exactly: mock targets and the like, reported only.
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
      TSNode parent = ts_node_parent(expr);
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
    return std::any_of(words.begin(), words.end(), [&](const std::string &w) {
      return text.find(w) != std::string_view::npos;
    });
  };
  // A site is a reference to one of the rule's callables, through an import that names the
  // rule's module: both words are in the text (in code, or in the string of a mock target).
  return std::any_of(rules.begin(), rules.end(), [&](const rules::Rule &r) {
    return in(r.triggers) && (r.callableNames.empty() || in(r.callableNames));
  });
}

} // namespace poolify::analysis

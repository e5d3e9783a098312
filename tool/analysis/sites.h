// Finding sites: every place a rule's callable is reached through the import graph
// (aliases, from-imports, dotted imports), never in strings or comments, never through a
// name that is bound to something else where it is used, nor where the name is unbound on every
// path (after `del`, before the import).
#pragma once

#include "python/scopes.h"
#include "rules/rule.h"

#include <vector>

namespace poolify::analysis {

struct Site {
  const rules::Rule *rule = nullptr;
  const rules::Rewrite *rewrite = nullptr;
  std::string qname;                   // the matched callable
  TSNode callee{};                     // `bigquery.Client`
  TSNode call{};                       // the call node, or null for a reference that is not a call
  bool inString = false;               // a string literal naming the callable (`mock.patch("requests.get")`)
  TSNode head{};                       // the identifier the qualified name was resolved from
  int scope = 0;                       // scope of the use
  const py::Binding *anchor = nullptr; // the import that binds `head`
  /// Why `head` may not be that import where the site runs (the site is left with it): imported
  /// only under `if TYPE_CHECKING:`, a class attribute, bound by another function through `global`,
  /// deleted... "" when it is the import.
  std::string nameProblem;
};

/// Sites in document order.
std::vector<Site> findSites(const py::Tree &tree, const py::ScopeModel &model, const std::vector<rules::Rule> &rules);

/// A call of a rule's pooled callable (`get_bigquery_client(...)`, `http_pool.get(...)`).
struct PooledUse {
  const rules::Rule *rule;
  std::string qname;
  TSNode callee;
};
std::vector<PooledUse> findPooledUses(const py::Tree &tree, const py::ScopeModel &model,
                                      const std::vector<rules::Rule> &rules);

/// True when, for some rule, the text contains a trigger word and the name of one of its callables
/// (the cheap literal prefilter: a file for which this is false cannot hold a site).
bool mentionsAnyTrigger(std::string_view text, const std::vector<rules::Rule> &rules);

/// True when the text may patch a rule's callable where a module imported it by its own name
/// (`mock.patch("pkg.mod.Client")` after `from google.cloud.bigquery import Client` there): it
/// contains the word `patch` or `setattr` and a string ending in one of the rules' callables. Such a test
/// holds no trigger word, yet its patch stops intercepting when the module is migrated, so it is
/// analyzed like a file that passes mentionsAnyTrigger. A target is a string (or a string names the
/// attribute), so the callable's name must end one: `.Client"`, `'Client'`; or a trigger word, for a
/// patch of the whole library as the module bound it (`"pkg.mod.bigquery"`).
bool mayPatchACallable(std::string_view text, const std::vector<rules::Rule> &rules);

} // namespace poolify::analysis

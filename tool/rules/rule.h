// Rules are data: each pool is described by a YAML file under rules/ (see rules/README.md).
// This header is the in-memory form the analysis and the planner read; nothing else in the
// engine names a library.
#pragma once

#include <llvm/Support/Error.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::rules {

/// Where a required argument may come from when the call does not pass it, tried in order.
struct ScopeCandidate {
  enum class Kind { Parameter, Local, SelfAttribute, Global } kind;
  std::string name;
  std::string text() const; // the expression inserted: `name` or `self.name`
};

struct ArgumentMap {
  std::string from;                 // keyword of the direct call ("project")
  std::optional<unsigned> position; // 1-based positional slot that means the same argument
  std::string to;                   // keyword of the pooled call ("project_id")
  bool required = false;
  std::vector<ScopeCandidate> infer;
  bool omitWhenMissing = false; // rewrite without it (pool falls back to a default) instead of leaving
  /// A literal None passed for it is the library's default, as if not passed (`when_none: default`);
  /// false (`when_none: leave`): it asks for something else (storage: a client with no project), left.
  bool noneIsDefault = true;
  std::string missingMessage; // reason when it cannot be found ("no project id in scope")
};

struct Replacement {
  std::string module;    // "shared.clients.bigquery_pool"
  std::string function;  // "get_bigquery_client"
  std::string attribute; // optional: call the function, then this attribute: get_http_session().put
  /// The callee text given how the function is reached (`get_x` or `x_pool.get_x`).
  std::string calleeText(const std::string &function) const {
    return attribute.empty() ? function : function + "()." + attribute;
  }
};

struct Rewrite {
  std::vector<std::string> match; // qualified callables: "google.cloud.bigquery.Client"
  Replacement replace;
  std::vector<ArgumentMap> arguments;
  bool passThrough = false; // `arguments: pass`: every argument is kept as it is
  bool leaveClosed = true;  // leave calls whose client this code closes
  /// Attributes of the result whose use means this code configures its own client (a session's
  /// headers): such a call is left, since a shared client would carry the configuration to all.
  std::vector<std::string> leaveIfConfigured;
  std::string configuredMessage = "client is configured by this code";
  /// `safety: unsafe`: the pooled call may behave differently (a retrying session in front of a
  /// request that is not idempotent): only `--unsafe-fixes` applies it, and `note` says why.
  bool unsafe = false;
  std::string note;
};

struct Example {
  std::string name;
  std::string before;
  std::string after;        // equal to before when the code must stay
  bool unsafeFixes = false; // run as `migrate --unsafe-fixes`
};

struct Rule {
  std::string id;
  std::string description;
  std::string file; // where it was loaded from
  std::vector<std::string> triggers;
  std::vector<std::string> pooled; // qualified callables that count as pooled
  /// The last component of every callable the rule matches or counts as pooled ("Client",
  /// "get_bigquery_client"): a file must name one of them (and a trigger word) to hold a site.
  std::vector<std::string> callableNames;
  std::vector<Rewrite> rewrites;
  std::vector<Example> examples;
  /// A reference implementation of the pool module (`template:`, relative to the rule file):
  /// what `poolify pools init` writes where the module is missing. "" when the rule has none.
  std::string templatePath;
};

/// The package the shipped rules' pool modules are in (`shared.clients.bigquery_pool`).
inline constexpr std::string_view kShippedPoolPackage = "shared.clients";

/// Moves the rule's pool modules out of package `from` into `to`: each `replace.module` and
/// `pooled` callable under `from` (`shared.clients.bigquery_pool`, `shared.clients.bigquery_pool.
/// get_bigquery_client`) is named under `to` (`acme.clients.bigquery_pool`), and so is the
/// module where the description names it. Modules outside `from` are kept.
void movePoolPackage(Rule &rule, std::string_view from, const std::string &to);

/// Loads one rule file; errors name file:line:col and what is wrong.
llvm::Expected<Rule> loadRuleFile(const std::string &path);
/// Loads rule files from files or folders (*.yaml, sorted). Every error is reported, then the
/// first is returned, so a run never starts with a half-read rule set.
llvm::Expected<std::vector<Rule>> loadRules(const std::vector<std::string> &paths);
/// The default rules: the source rules/ folder for the binary in its own build tree, else the rules
/// compiled into the binary (`<embedded>`, rules/embedded.h).
std::string defaultRulesDir(const char *argv0);

} // namespace poolify::rules

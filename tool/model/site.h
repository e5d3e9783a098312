// What poolify decided about each place a rule cares about: the verdict on a site (made by the
// analysis, turned into edits by the rewriter) and the record of a site that the manifest,
// `check`, batches and every printer read. Plain data: no syntax trees.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace poolify::model {

/// What becomes of a site.
enum class Outcome {
  Rewritten,   // rewritten to the pooled call
  LeftMissing, // left only because a required argument was not in scope: it asks for nothing
  Left,        // left for any other reason (unsupported arguments, closed, pool module, ...)
  Removed      // a redundant override, removed
};

/// True for the outcomes `migrate` fixes: rewritten, or removed as redundant.
inline bool isFix(Outcome o) { return o == Outcome::Rewritten || o == Outcome::Removed; }

/// An argument of the pooled call as the analysis sees it: pooled keyword (or "#N" for the N-th
/// positional argument of a pass-through rewrite) and the argument's source text.
using Argument = std::pair<std::string, std::string>;

/// The verdict on one site.
struct Verdict {
  Outcome outcome = Outcome::Left;
  std::vector<Argument> args; // explicit arguments of the call, as pooled keyword -> text
  std::string reason;         // why it was left
};

/// One place a rule cares about, as the manifest and `check` report it.
struct SiteRecord {
  enum class Kind {
    Direct,         // a direct client construction (a call)
    Reference,      // the callable used without calling it (factory = bigquery.Client)
    String,         // a string naming the callable (a mock target)
    PoolDefinition, // inside the module that defines the pool
    Pooled          // a call of the pool
  } kind = Kind::Direct;
  unsigned line = 0, col = 0;
  std::string rule, callable;
  Outcome outcome = Outcome::Left;
  std::string reason; // why migrate leaves it
  std::string code;   // the source line, whitespace-normalised (baseline key)
  std::string callee; // the callee as written (`bigquery.Client`), to match mock targets
  std::string ignore; // "" | "*" (# poolify: ignore) | rule ids from # poolify: ignore[a,b]

  /// A direct use of a client (a construction or a reference to the constructor): what coverage
  /// counts against the pools and what `check` gates.
  bool isDirect() const { return kind == Kind::Direct || kind == Kind::Reference; }
  /// `migrate` fixes it (rewrites it, or removes it as a redundant override).
  bool fixable() const { return isFix(outcome); }
  /// A direct site that `migrate` leaves: a person must look at it.
  bool needsHandFix() const { return isDirect() && !fixable(); }
  /// Silenced for `ruleId` by a `# poolify: ignore[...]` comment on its line.
  bool ignoredFor(const std::string &ruleId) const;
};

/// A test's patch target that may point at a client construction:
/// `mock.patch("pkg.mod.bigquery.Client")` (dotted, as written) or
/// `patch.object(bigquery, "Client")` (qualified through imports, `object` set).
struct MockCandidate {
  unsigned line = 0, col = 0;
  std::string target;
  bool object = false;
};

/// A patch target in a test that names a site `migrate` fixes: once migrated, the patch no
/// longer intercepts anything.
struct MockTarget {
  std::string path; // the test file
  unsigned line = 0, col = 0;
  std::string target; // "pkg.mod.bigquery.Client"
  std::string sitePath;
  unsigned siteLine = 0, siteCol = 0;
  std::string rule;
};

} // namespace poolify::model

// What poolify decided about each place a rule cares about: the verdict on a site (made by the
// analysis, turned into edits by the rewriter) and the record of a site that the manifest,
// `check`, batches and every printer read. Plain data: no syntax trees.
#pragma once

#include "support/box.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace poolify::model {

/// What becomes of a site.
enum class Outcome {
  Rewritten,   // rewritten to the pooled call
  LeftMissing, // left only because a required argument was not in scope: it asks for nothing
  Left,        // left for any other reason (unsupported arguments, closed, pool module, ...)
  Removed,     // a redundant override, removed
  Unsafe       // rewritable, but only as an unsafe fix (applied with --unsafe-fixes): see `unsafe`
};

/// True for the outcomes `migrate` fixes: rewritten, or removed as redundant.
inline bool isFix(Outcome o) { return o == Outcome::Rewritten || o == Outcome::Removed; }

/// An argument of the pooled call as the analysis sees it: pooled keyword (or "#N" for the N-th
/// positional argument of a pass-through rewrite) and the argument's source text.
using Argument = std::pair<std::string, std::string>;

/// An argument of the direct call that the pooled call takes under another keyword: `keyword=` is
/// put in front of a positional argument, or replaces a keyword argument's name.
struct ArgumentChange {
  unsigned index = 0; // among the call's arguments (comments aside), from 0
  std::string keyword;
  std::string value; // "" keeps the argument's value; else the whole argument becomes `keyword=value`
};

/// An override the hierarchy found redundant: the statement goes, one comment line stays.
struct Removal {
  std::string comment; // "bq_client: pooled client inherited from PrecomputeProcessorBase"
  std::string note;    // explanation for --explain
  /// Why removing it might not keep behaviour ("" for a safe removal): applied only with
  /// --unsafe-fixes (outcome Removed), else reported as an unsafe fix (outcome Unsafe).
  std::string unsafe;
};

/// A statement moved up so that a name the pooled call takes from scope is bound before the call
/// (an unsafe fix: see Verdict::unsafe): its whole lines go to the start of the line of the
/// statement that holds the call, in the same block.
struct StatementMove {
  uint32_t start = 0, end = 0; // its lines: from its first line's start to past its last line's end
  uint32_t to = 0;             // the start of the line it goes to
  uint32_t statement = 0;      // the moved statement's own start
  uint32_t above = 0;          // the start of the statement it goes above
  unsigned fromLine = 0, toLine = 0;
  std::string target; // what it binds: "self.project_id"
};

/// Where the object a site creates is held so that code of other modules may reach it (a client or
/// session rule, `leave_closed`): an attribute of the instance (`self.session`, a class attribute
/// `Cls.session`) or a module-level name (`SESSION`). The reduce step looks for other code that
/// configures or closes it through that name (pipeline/reduce.cpp: leaveConfiguredElsewhere).
struct Holder {
  std::string name;
  bool attribute = false; // reached as `X.name` (an instance's or a class's attribute); else a module-level name
  bool operator==(const Holder &o) const { return name == o.name && attribute == o.attribute; }
};

/// The verdict on one site: what becomes of it and why, and for a rewrite how the call becomes
/// the pooled one. The analysis decides; the rewriter only turns verdicts into edits.
struct Verdict {
  Outcome outcome = Outcome::Left;
  std::vector<Argument> args;     // explicit arguments of the call, as pooled keyword -> text
  std::string reason;             // why it was left
  std::vector<std::string> notes; // what --explain says about the site, in order
  /// Why the rewrite might not keep behaviour ("" for a safe one): an unsafe fix is applied only
  /// with --unsafe-fixes (outcome Rewritten), else it is reported as one (outcome Unsafe).
  std::string unsafe;

  // Rewritten:
  std::string callee;       // the pooled callee as written at the site (`get_x`, `x_pool.get_x`, `get_s().put`)
  std::string poolModule;   // the module the pooled callable comes from
  std::string importModule; // `from importModule import importName` makes `callee` available
  std::string importName;   // ("" when a binding in scope already does)
  std::vector<ArgumentChange> changes; // arguments the pooled call takes under another keyword
  std::vector<Argument> inferred;      // arguments taken from scope, inserted first, in order (one
                                       // that replaces `project=None` in place is a change with a value)
  /// A hook for the class index (not resolved by the analysis, which sees one file): the argument
  /// could not be taken from `self.<attr>` in this class, but a base class's `__init__` (reached
  /// through `super().__init__()`, or inherited) may assign it: "self.project_id". "" otherwise.
  std::string baseMayProvide;
  /// When the class index may resolve that hook: the site's class (module-level) and the attribute.
  std::string hookClass, hookAttr;
  /// A statement to move above the call's so that an inferred argument is bound there.
  std::optional<StatementMove> move;
  /// Rewritten or Unsafe sites of `leave_closed` rules: where the object is held (see Holder).
  std::vector<Holder> holders;
  // Removed:
  Removal removal;
};

/// True when an ignore marker's rule list (`*`, or ids joined by commas, as in
/// `# poolify: ignore[bigquery,http]`) covers `ruleId`.
bool ignoreCovers(const std::string &ignore, const std::string &ruleId);

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
  std::string reason;    // why migrate leaves it; for Unsafe (and an applied unsafe fix), why it is unsafe
  std::string code;      // the source line, whitespace-normalised (baseline key)
  std::string callee;    // the callee as written (`bigquery.Client`), to match mock targets
  std::string ignore;    // "" | "*" (# poolify: ignore) | rule ids from # poolify: ignore[a,b]
  std::string pooled;    // a rewritten site: the pooled callee as written (`get_bigquery_client`)
  bool inferred = false; // a rewritten site: the pooled call passes arguments taken from scope
  bool removal = false;  // its fix removes it as a redundant override (Removed, or an unsafe removal: Unsafe)
  /// A base class's __init__ may assign the attribute its missing argument needs (Verdict::hookClass):
  /// the site's class and the attribute, for the class index. Empty otherwise.
  std::string hookClass, hookAttr;
  /// It runs when its module is imported (not inside a function or a lambda): a patch of the
  /// module's attribute, which imports the module first, comes too late for it.
  bool atImport = false;
  /// A site the run may rewrite (Rewritten or Unsafe) of a `leave_closed` rule: where the object it
  /// creates is held for other modules to reach (Verdict::holders).
  BoxedVector<Holder> holders;

  /// A direct use of a client (a construction or a reference to the constructor): what coverage
  /// counts against the pools and what `check` gates.
  bool isDirect() const { return kind == Kind::Direct || kind == Kind::Reference; }
  /// `migrate` fixes it (rewrites it, or removes it as a redundant override).
  bool fixable() const { return isFix(outcome); }
  /// A direct site that `migrate` leaves: a person must look at it (or pass --unsafe-fixes).
  bool needsHandFix() const { return isDirect() && !fixable(); }
  /// A direct site that `migrate --unsafe-fixes` rewrites and a plain run leaves.
  bool unsafeFix() const { return isDirect() && outcome == Outcome::Unsafe; }
  /// What `migrate` does to it, as the manifest says: "rewrite", "remove redundant override",
  /// "rewrite with --unsafe-fixes", "remove override with --unsafe-fixes" or "none".
  std::string fixLabel() const;
  /// Silenced for `ruleId` by a `# poolify: ignore[...]` comment on its line.
  bool ignoredFor(const std::string &ruleId) const;
  /// The pool module it was left for, when the reason is that the module is not importable where
  /// the file runs ("pool module M is not importable from ...").
  std::optional<std::string> missingPool() const;
};

/// A test's patch target that may point at a client construction:
/// `mock.patch("pkg.mod.bigquery.Client")` (dotted, as written) or
/// `patch.object(bigquery, "Client")` (qualified through imports, `object` set).
struct MockCandidate {
  unsigned line = 0, col = 0;
  std::string target;
  bool object = false;
  uint32_t offset = 0; // of the target string (object form: of the patched object) in the file
  /// The target is the value of this module-level constant (`mock.patch(PATCH_TARGET)`; offset
  /// is then of the name in the call): such a patch is never retargeted by poolify.
  std::string constant;
};

/// A test patch target that `migrate` retargets to the pooled callable of the module it names
/// (decided across the run, carried out when the test file is planned again).
struct PatchRetarget {
  uint32_t offset = 0;        // MockCandidate::offset
  std::string target;         // as recorded: "pkg.mod.bigquery.Client"
  std::string module;         // the dotted module the target names, as written: "pkg.mod"
  std::string pooled;         // the pooled callee in that module: "get_bigquery_client", "bq_pool.get_x"
  std::string rule, callable; // the rule and the qualified callable of the module's sites
  std::string modulePath;     // the module's file, for messages: "pkg/mod.py"
  bool inferred = false;      // some site of it passes arguments taken from scope
  std::string handFix;        // "" to retarget; otherwise why a person must fix the patch
};

/// What became of a test patch target (in the test file's outcome): retargeted, or needing a
/// hand fix (of the patch, or of an assertion on its mock), with the reason.
struct PatchChange {
  unsigned line = 0, col = 0;
  std::string rule;
  std::string before, after; // the target before and after ("" after: not retargeted)
  std::string modulePath;    // the module whose sites use the pool
  std::string handFix;       // "" when nothing is left to a person
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

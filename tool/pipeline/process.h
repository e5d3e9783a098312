// One file through the pipeline: decode, prefilter, parse, find sites, plan, apply edits in
// memory, re-parse and verify. Writes nothing; the caller decides (diff, --apply).
#pragma once

#include "analysis/classes.h"
#include "python/syntax.h"
#include "rewrite/planner.h"
#include "rules/rule.h"
#include "source/discover.h"

#include <llvm/Support/Error.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolify::pipeline {

struct Message {
  unsigned line = 0, col = 0; // 0 when the message has no position
  std::string text;           // "path:line:col: rule: ..." as printed
  bool error = false;         // always printed; otherwise only with --explain
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
  rewrite::SiteDecision::Outcome outcome = rewrite::SiteDecision::Outcome::Left;
  std::string reason; // why migrate leaves it
  std::string code;   // the source line, whitespace-normalised (baseline key)
  std::string callee; // the callee as written (`bigquery.Client`), to match mock targets
  std::string ignore; // "" | "*" (# poolify: ignore) | rule ids from # poolify: ignore[a,b]
  bool fixable() const {
    return outcome == rewrite::SiteDecision::Outcome::Rewritten || outcome == rewrite::SiteDecision::Outcome::Removed;
  }
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

struct FileOutcome {
  source::SourceFile file;
  // The texts are held while the file is processed; a run over many files releases them
  // (release()) and reads them again when a diff or a write needs them (texts()), so memory
  // holds compact results, not the tree's bytes.
  std::string original; // the bytes read (empty once released)
  std::string updated;  // the bytes to write, when the file changes (empty otherwise, or once released)
  std::vector<rewrite::Edit> edits; // turn the bytes read into the bytes to write (file offsets)
  uint64_t hash = 0;                // contentHash of the bytes read
  bool held = true;                 // original/updated are in memory
  bool utf8 = true;                 // the bytes read and the edits are valid UTF-8 (cacheable as JSON)
  bool mentionsClass = false;       // the bytes contain "class " (candidates for subclass scans)
  std::vector<Message> messages;
  unsigned rewritten = 0, left = 0;
  std::vector<std::string> poolModules; // modules the rewrite imports from
  unsigned removed = 0;                 // redundant overrides removed
  std::vector<SiteRecord> records;      // sites as found in the original text
  std::vector<MockCandidate> mocks;     // patch targets in this file
  std::optional<analysis::FileFacts> facts; // class facts, for files that were parsed
  bool failed = false; // could not be processed (unreadable, not text, syntax error, unsafe result)
  bool changed() const { return !failed && !edits.empty(); }
  /// The text after the run (held texts only): `updated` when the file changes, else `original`.
  const std::string &result() const { return changed() ? updated : original; }
  /// Drops the texts; texts() reads them again.
  void release();
  /// Nothing worth remembering: not parsed, nothing found, nothing to say.
  bool trivial() const {
    return !failed && edits.empty() && records.empty() && mocks.empty() && messages.empty() && !facts;
  }
};

/// The bytes read and the bytes to write of an outcome: its held texts, or the file read again,
/// which must still hash to what was analyzed ("changed on disk since it was read" otherwise).
struct Texts {
  std::string original, updated;
};
llvm::Expected<Texts> texts(const FileOutcome &o);

FileOutcome processFile(const source::SourceFile &file, const std::vector<rules::Rule> &rules);
/// The outcome of a file that could not be read: failed, with the reason as its one error.
FileOutcome unreadable(const source::SourceFile &file, llvm::Error error);

/// The safety net: where `edited` (the text of `before`, or of the file, with `edits` applied)
/// has its first syntax error, if it has one. `before`, the analysis tree, makes it an
/// incremental re-parse; without it (large files) the text is parsed from scratch.
std::optional<size_t> firstErrorAfter(std::optional<py::Tree> before, std::string_view edited,
                                      const rewrite::EditSet &edits);

/// Same, for a buffer already in memory (rule examples, tests, the second pass that removes
/// redundant overrides: `removals` is keyed by the override's callee offset in the file).
FileOutcome processText(const source::SourceFile &file, std::string bytes, const std::vector<rules::Rule> &rules,
                        const std::map<uint32_t, rewrite::Removal> &removals = {});

/// Class facts of a file the prefilter skipped but the class index needs (a base class):
/// nullopt when it cannot be read or parsed.
std::optional<analysis::FileFacts> classFactsOf(const source::SourceFile &file, const std::vector<rules::Rule> &rules);

} // namespace poolify::pipeline

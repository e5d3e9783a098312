// One file through the pipeline: decode, prefilter, parse, find sites, plan, apply edits in
// memory, re-parse and verify. Writes nothing; the caller decides (diff, --apply).
#pragma once

#include "analysis/classes.h"
#include "rewrite/planner.h"
#include "rules/rule.h"
#include "source/discover.h"

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
  std::string original; // the bytes read
  std::string updated;  // the bytes to write (== original when nothing changes)
  std::vector<Message> messages;
  unsigned rewritten = 0, left = 0;
  std::vector<std::string> poolModules; // modules the rewrite imports from
  unsigned removed = 0;                 // redundant overrides removed
  std::vector<SiteRecord> records;      // sites as found in the original text
  std::vector<MockCandidate> mocks;     // patch targets in this file
  std::optional<analysis::FileFacts> facts; // class facts, for files that were parsed
  bool failed = false; // could not be processed (unreadable, not text, syntax error, unsafe result)
  bool changed() const { return !failed && updated != original; }
};

FileOutcome processFile(const source::SourceFile &file, const std::vector<rules::Rule> &rules);

/// Same, for a buffer already in memory (rule examples, tests, the second pass that removes
/// redundant overrides: `removals` is keyed by the override's callee offset in the file).
FileOutcome processText(const source::SourceFile &file, std::string bytes, const std::vector<rules::Rule> &rules,
                        const std::map<uint32_t, rewrite::Removal> &removals = {});

/// Class facts of a file the prefilter skipped but the class index needs (a base class):
/// nullopt when it cannot be read or parsed.
std::optional<analysis::FileFacts> classFactsOf(const source::SourceFile &file, const std::vector<rules::Rule> &rules);

} // namespace poolify::pipeline

// A file's outcome: everything a run learned about one file — its site records, class facts,
// test patch targets, messages, and the edits that turn the bytes read into the bytes to write.
// Compact: a run over many files keeps these, not the files' texts (see release()).
#pragma once

#include "model/classes.h"
#include "model/edit.h"
#include "model/site.h"
#include "model/source_file.h"
#include "support/box.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poolify::model {

struct Message {
  unsigned line = 0, col = 0; // 0 when the message has no position
  std::string text;           // "path:line:col: rule: ..." as printed
  bool error = false;         // always printed; otherwise only with --explain
  // Set on the message that says why a file could not be analyzed (FileOutcome::failed), for
  // `check`'s finding: "syntax" (a syntax error, or a file CPython rejects) or "unanalyzable"
  // (bytes that are not Python text poolify edits, a file it cannot read, a rewrite it refused),
  // and the reason alone, without the position or what the command did about it.
  std::string rule{}, reason{};
};

/// A module-level import name the rewrite left unused and removed (another module may need it:
/// the run's reduce step looks, and plans the file again keeping the ones used).
struct RemovedImport {
  std::string name;           // the name the import bound
  std::string rule;           // the rule of the site that relied on it
  unsigned line = 0, col = 0; // the import item
};

/// The reason in what a failure message says after its position, "error: <reason>; file skipped"
/// (or "; file not rewritten ..."): the text without "error: " and the consequence.
std::string failureReason(std::string_view what);
/// A failure message ("path:1:2: error: syntax error; file not rewritten") with what the command did
/// about it in place of the consequence the analysis wrote: withConsequence(text, "file not analyzed")
/// for the commands that rewrite nothing. A text without a consequence is returned as it is.
std::string withConsequence(std::string_view text, std::string_view consequence);

/// A use in a file's text that configures or closes an object through the name it is held in:
/// `X.session.headers`, `del X.y.auth`, `SESSION.mount(...)`, `X.client.close()` (an attribute
/// some `leave_closed` rule's `leave_if_configured` lists, or a call of `close`). Found by a scan of
/// the text (analysis/configures.h), so every file has them, parsed or not: the reduce step matches
/// them against the holders of the sites of other files (model::Holder).
struct ConfigUse {
  std::string holder; // the name right before the attribute: `session` in `self.session.headers`
  std::string attr;   // `headers`, `close`
  unsigned line = 0;
  bool dotted = false; // the holder is itself an attribute (`X.session.headers`), not a bare name
};

/// (leading dots, dotted name) pairs, in order, packed into one string ("<dots>\t<name>\n" lines):
/// a run keeps them for every module a test reaches.
class ImportedModules {
public:
  ImportedModules() = default;
  explicit ImportedModules(const std::vector<std::pair<uint32_t, std::string>> &pairs);
  /// A dotted name as the parser gives it: its white space and line continuations are dropped
  /// (`import os . path` imports os.path).
  void add(uint32_t dots, std::string_view name);
  /// Calls f(dots, name) for each pair, in order.
  template <typename F> void forEach(F f) const {
    std::string_view d = data_;
    for (size_t pos = 0; pos < d.size();) {
      size_t tab = d.find('\t', pos), nl = tab == std::string_view::npos ? tab : d.find('\n', tab);
      if (nl == std::string_view::npos)
        return; // not as add() writes it
      uint32_t dots = 0;
      for (size_t k = pos; k < tab; ++k)
        dots = dots * 10 + static_cast<uint32_t>(d[k] - '0');
      f(dots, d.substr(tab + 1, nl - tab - 1));
      pos = nl + 1;
    }
  }
  std::vector<std::pair<uint32_t, std::string>> entries() const;
  void shrink() { data_.shrink_to_fit(); }
  /// The pairs as one string (equal strings, equal pairs).
  std::string_view raw() const { return data_; }

private:
  std::string data_;
};

/// What the test patches' reach (pipeline/intercept) needs of a file: kept in the cache (under
/// the variant kReachVariant) so that a warm run does not parse the file again.
struct ReachFacts {
  /// The module names it imports anywhere (a function's imports run when it is called): (leading
  /// dots, dotted name) for `import a.b`, `from a import b` (a, and a.b if a module), relative forms.
  ImportedModules imported;
  /// Module-level names bound by an import, with the absolute qualified name of the first such binding.
  ImportTable moduleImports;
  bool parsed = false; // false: it could not be read or parsed (nothing above is known)
  /// The names its text after the run binds at module level, sorted (a "bound ..." cache entry).
  std::vector<std::string> moduleNames;
};
inline constexpr const char *kReachVariant = "reach";

struct FileOutcome {
  FileRef file;
  // The texts are held while the file is processed; a run over many files releases them
  // (release()) and reads them again when a diff or a write needs them, so memory holds compact
  // results, not the tree's bytes.
  std::string original;       // the bytes read (empty once released)
  std::string updated;        // the bytes to write, when the file changes (empty otherwise, or once released)
  std::vector<Edit> edits;    // turn the bytes read into the bytes to write (file offsets)
  uint64_t hash = 0;          // contentHash of the bytes read
  bool held = true;           // original/updated are in memory
  bool utf8 = true;           // the bytes read and the edits are valid UTF-8
  bool mentionsClass = false; // the bytes contain "class " (candidates for subclass scans)
  bool mayStar = false;       // the bytes may hold `import *` (pipeline/uses.h: mayStarImport)
  bool failed = false;        // could not be processed (unreadable, not text, syntax error, unsafe result)
  unsigned rewritten = 0, left = 0;
  unsigned removed = 0; // redundant overrides removed
  BoxedVector<Message> messages;
  BoxedVector<std::string> poolModules;      // modules the rewrite imports from
  std::vector<SiteRecord> records;           // sites as found in the original text
  BoxedVector<MockCandidate> mocks;          // patch targets in this file
  BoxedVector<RemovedImport> removedImports; // module-level import names the rewrite removed
  BoxedVector<PatchChange> patches;          // test patches retargeted (or left for a hand fix) by the run
  Box<FileFacts> facts;                      // class facts, for files that were parsed
  Box<ReachFacts> reach;                     // what the test patches' reach needed of it, when it did
  BoxedVector<ConfigUse> configures;         // what its text configures or closes, and through which name

  bool changed() const { return !failed && !edits.empty(); }
  /// The text after the run (held texts only): `updated` when the file changes, else `original`.
  const std::string &result() const { return changed() ? updated : original; }
  /// Drops the texts; they are read again when needed.
  void release();
  /// Nothing worth remembering: not parsed, nothing found, nothing to say.
  bool trivial() const {
    return !failed && edits.empty() && records.empty() && mocks.empty() && patches.empty() && messages.empty() &&
           !facts && !reach && configures.empty() && !mayStar;
  }
};

/// The bytes read and the bytes to write of an outcome (equal when the file does not change).
struct Texts {
  std::string original, updated;
};

} // namespace poolify::model

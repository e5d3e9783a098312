// The cache of per-file results for repeated runs (`--cache DIR`, `--no-cache`): each file's
// outcome (site records, class facts, messages, and the edits when it changes), keyed by
// path and content hash, valid only for this poolify version and these exact rules. One file
// per run, read whole and replaced atomically at the end, so concurrent runs never see half a
// cache; anything unreadable or inconsistent (each entry has a checksum) is ignored whole, never
// trusted. The format is length-prefixed (no JSON to parse): reading it back is what a warm run
// spends its time on.
#pragma once

#include "model/outcome.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolify::cache {

class Cache {
public:
  /// `dir` holds the cache file; `stamp` identifies poolify's version and the rules.
  Cache(std::string dir, std::string stamp);

  /// The cached outcome of `file` when its bytes hash to the stored hash (`hash`, from
  /// contentHash). It comes back released: its texts are read again when needed. A non-empty
  /// `variant` names another outcome of the same bytes (planned with redundant overrides removed).
  std::optional<model::FileOutcome> lookup(const model::SourceFile &file, uint64_t hash,
                                              const std::string &variant = "");
  /// Records outcomes to keep (lookup and put are thread-safe; call store() once at the end).
  void put(const model::FileOutcome &outcome, const std::string &variant = "");
  /// Writes the cache file (atomically); returns false when it could not be written.
  bool store();

  size_t hits() const { return hits_; }

private:
  std::string dir_, file_, stamp_; // dir_ "" when the cache is not used
  std::map<std::string, std::pair<uint64_t, std::string>> loaded_; // path -> (hash, serialized outcome)
  std::map<std::string, std::pair<uint64_t, std::string>> fresh_;
  size_t hits_ = 0;
};

/// Where the cache lives by default: <git dir>/poolify-cache inside a git work tree, else
/// .poolify-cache/ in the folder of the first path; "" (with a warning) when the work tree's .git
/// is a symbolic link. Whatever the folder, a Cache refuses it when it is a symbolic link.
std::string defaultCacheDir(const std::string &firstPath);

/// The serialized form of an outcome (JSON), and back; exposed for tests.
std::string serialize(const model::FileOutcome &o);
std::optional<model::FileOutcome> deserialize(const std::string &text, const model::SourceFile &file,
                                                 uint64_t hash);

} // namespace poolify::cache

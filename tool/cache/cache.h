// The cache of per-file results for repeated runs (`--cache DIR`, `--no-cache`): each file's
// outcome (site records, class facts, messages, and the edits when it changes), keyed by
// path and content hash, valid only for this poolify version and these exact rules. As git's
// index does, it also keeps each file's stat data (size, mtime, ctime, inode, device): a file
// whose stat data did not change, and whose times are not racy (not within two seconds before
// the run that recorded them started), is not read again: its recorded hash stands.
//
// Two files: poolify-cache.dat, read whole and replaced atomically, so concurrent runs never see half
// a cache; and poolify-cache.dat.log, to which a run that changed a small part of the cache appends what
// changed (its new entries and the changes to the stat data) as one checksummed chunk, instead of
// writing the whole file again. A chunk belongs to the .dat of its generation (a random number the
// .dat carries; replacing the .dat starts a new one, and removes the log). Chunks are read in order;
// a chunk's stat changes apply only to the state they were computed against (its parent: how many
// chunks of that chain its run had read), so concurrent appends never merge two runs' stat data into
// one neither recorded; the entries of any intact chunk are used (an entry is trusted by its content
// hash and checksum, whatever wrote it). The .dat is written again, whole, when the log would grow
// past a quarter of it. A file that is unreadable or does not hold together is ignored whole (a log
// from its first damaged chunk on), and an entry whose checksum fails (checked when the entry is
// used, not for every entry at load) is a miss: nothing damaged is trusted. The format is length-
// prefixed (no JSON to parse): reading it back is what a warm run spends its time on.
#pragma once

#include "model/outcome.h"
#include "source/posix.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::cache {

/// What the cache compares before trusting a file unchanged without reading it.
using FileStat = model::FileStat;
/// The stat data of the file `path` names (through links); nullopt when it cannot be stat'ed.
std::optional<FileStat> statOf(const std::string &path);

/// A file changed within this long before a run started may change again within the same timestamp
/// (coarse file system clocks): its stat data prove nothing, and it is hashed again.
inline constexpr uint64_t kRacyNs = 2000000000u;
/// The time now (CLOCK_REALTIME, the file system's clock), in nanoseconds.
uint64_t nowNs();
/// Whether stat data recorded by a run that started at `startNs` are racy (see kRacyNs).
bool racy(const FileStat &st, uint64_t startNs);

/// Why `dir` cannot hold a cache (a symbolic link, or not a folder); nullopt when it can, or is not there.
std::optional<std::string> notARealFolder(const std::string &dir);
/// The cache folder `dir`, made if missing (its parents too, for an explicit --cache), then opened
/// without following a link: one put there since the run started is refused, not written through.
/// Not open when it cannot be.
source::Fd openCacheFolder(const std::string &dir);

class Cache {
public:
  /// `dir` holds the cache file; `stamp` identifies poolify's version and the rules.
  Cache(const std::string &dir, std::string stamp);

  /// The cached outcome of `file` when its bytes hash to the stored hash (`hash`, from
  /// contentHash). It comes back released: its texts are read again when needed. A non-empty
  /// `variant` names another outcome of the same bytes (planned with redundant overrides removed).
  std::optional<model::FileOutcome> lookup(const model::SourceFile &file, uint64_t hash,
                                           const std::string &variant = "");
  /// Records outcomes to keep (lookup and put are thread-safe; call store() once at the end).
  void put(const model::FileOutcome &outcome, const std::string &variant = "");
  /// The content hash recorded for `file` when its stat data are those recorded and were not racy
  /// then: the file need not be read to know it is unchanged.
  std::optional<uint64_t> unchangedHash(const model::SourceFile &file, const FileStat &st) const;
  /// Records the stat data `st` (taken before the bytes hashing to `hash` were read) for the next run.
  void noteStat(const model::SourceFile &file, const FileStat &st, uint64_t hash);
  /// Keeps what this run found: nothing when it is all there already, else one chunk appended to the
  /// log, or the cache file written whole (atomically); false when it could not be written.
  bool store();

  size_t hits() const { return hits_; }

private:
  // An entry read from the cache file: its bytes stay in buffer_ (not one string each); `used` when
  // this run reused it as it is (store() writes it again).
  struct Loaded {
    uint64_t hash = 0, check = 0; // check: the entry's checksum as read (compared when it is used)
    std::string_view bytes;
    bool used = false;
  };
  struct LoadedStat {
    FileStat stat;
    uint64_t hash = 0;
    bool used = false;
  };
  void load(std::string_view text);
  void loadLog(std::string_view text);       // the chunks of the loaded generation, in order
  bool applyChunk(std::string_view payload); // false when it does not hold together
  std::string statSection() const;
  bool write(uint64_t start) const; // the whole cache file, atomically (a new generation)
  // What changed since the load, as one chunk of the log ("" when nothing did: nothing is written);
  // nullopt when the .dat must be written whole.
  std::optional<std::string> chunk(uint64_t start) const;
  bool append(const std::string &chunk) const;

  std::string dir_, file_, stamp_;       // dir_ "" when the cache is not used
  std::string buffer_;                   // the cache file as read
  std::string logBuffer_;                // its log as read
  uint64_t generation_ = 0;              // of the .dat loaded (0: none)
  bool logDamaged_ = false;              // a chunk cut short or failing its checksum: the next store writes the .dat
  uint64_t chain_ = 0;                   // how many chunks of the log were applied with their stat data
  std::map<std::string, Loaded> loaded_; // key -> entry
  std::map<std::string, std::pair<uint64_t, std::string>> fresh_; // key -> (hash, serialized outcome): new this run
  std::map<std::string, LoadedStat> statsLoaded_;
  std::map<std::string, std::pair<FileStat, uint64_t>> statsFresh_; // path -> (stat, hash): new or changed
  uint64_t loadedStartNs_ = 0;                                      // when the run that wrote the loaded file started
  uint64_t startNs_ = 0; // when this cache was opened (before any file was read)
  size_t hits_ = 0;
};

/// Where the cache lives by default: <git dir>/poolify-cache inside a git work tree, else
/// .poolify-cache/ in the folder of the first path; "" (with a warning) when the work tree's .git
/// is a symbolic link. Whatever the folder, a Cache refuses it when it is a symbolic link.
std::string defaultCacheDir(const std::string &firstPath);

/// The serialized form of an outcome, and back (about `file`: a copy of a SourceFile, or a view of
/// a run's file list).
std::string serialize(const model::FileOutcome &o);
std::optional<model::FileOutcome> deserialize(std::string_view text, model::FileRef file, uint64_t hash);

} // namespace poolify::cache

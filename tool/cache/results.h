// The last run's results, whole (check and manifest keep them beside the cache of per-file results):
// every file's final outcome after the cross-file steps, and what those steps found (warnings, the
// sites held for test patches, the inherited clients). A run whose inputs besides the files are the
// same (its key: poolify, the rules, the configuration, the paths, what the import roots found) and
// whose every file has the stat data the last run recorded, none racy (cache.h), takes them as they
// are: it reads no Python file, loads no per-file cache, and runs no cross-file step (a file whose stat
// data alone changed, its bytes not, is read and hashed to know that). Any other run
// does the work and records its own. As the cache: written atomically, every part checksummed,
// anything unreadable or inconsistent ignored whole.
#pragma once

#include "model/classes.h"
#include "model/outcome.h"
#include "model/source_file.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace poolify::cache {

/// What a run's cross-file steps leave besides the outcomes (pipeline::Run's fields of the same names).
struct RunFindings {
  std::vector<std::string> warnings;
  std::map<size_t, std::map<std::pair<unsigned, unsigned>, std::string>> holds;
  std::map<size_t, std::set<std::pair<unsigned, unsigned>>> baseProvided;
  std::vector<std::vector<model::Inherited>> inherited; // empty, or one list per file
};

class Results {
public:
  /// The results file `name` in the cache folder `dir` ("" : none), for runs whose inputs besides the
  /// files are `key`. Made before the run reads any file: its stat data are racy from then on.
  Results(std::string dir, const std::string &name, std::string key);

  /// The content hash of file i as it is now; nullopt when it cannot be read.
  using HashNow = std::function<std::optional<uint64_t>(size_t)>;

  /// The last run's results into `outcomes` (one per file, viewing `files`) and `findings`, when it
  /// had this key and the same files in the same order, each with the stat data it recorded and none
  /// racy; false otherwise (then neither is touched). With `hashNow`, as git's index does, a file
  /// whose stat data changed or were racy is hashed again instead: the results stand when its bytes
  /// are those the last run analyzed. The hashes so asked go to `rehashed` (file, hash), when given,
  /// whether the results stand or not (then the first file found changed ends the asking).
  bool restore(const std::vector<model::SourceFile> &files, unsigned jobs, std::vector<model::FileOutcome> &outcomes,
               RunFindings &findings, const HashNow &hashNow = {},
               std::vector<std::pair<size_t, uint64_t>> *rehashed = nullptr) const;
  /// Records this run's results (atomically) for the next run; false when they cannot be written.
  /// When a file has no stat data from the walk or is not UTF-8 text (the cache does not keep it),
  /// none are kept (and the last run's are removed).
  bool store(const std::vector<model::SourceFile> &files, const std::vector<model::FileOutcome> &outcomes,
             const RunFindings &findings, unsigned jobs) const;

private:
  std::string dir_, file_, key_;
  uint64_t startNs_;
};

} // namespace poolify::cache

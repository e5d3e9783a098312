// The plans a run made of each file in its cross-file steps, by the variant they were made with
// (reduce.cpp's planVariant: the removals of redundant overrides, the imports kept, the holds and
// the context). Those steps plan a file again with a variant it had before: the removals decided,
// dropped for a round of test-patch holds, then decided again; a file's own analysis, taken back.
// Such a plan is taken from here instead of parsing and analyzing the file again. The key is the
// one the cache keeps plans under across runs, and the bytes are the run's own (the file's index),
// so a plan taken back is the plan that would be made. Held serialized (cache/cache.h), within a
// budget of bytes: past it, a plan is made again as before.
#pragma once

#include "model/outcome.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace poolify::pipeline {

class PlanMemo {
public:
  explicit PlanMemo(size_t budget = kBudget) : budget_(budget) {}

  /// The variant of the plan the run holds for `file` now; nullopt while it holds the analysis's own.
  std::optional<std::string> current(size_t file) const;
  /// The run now holds a plan of `file` with `variant`.
  void setCurrent(size_t file, const std::string &variant);
  /// Keeps `plan`, the plan of `file` with `variant`, unless the budget is spent (thread-safe).
  void keep(size_t file, const std::string &variant, const model::FileOutcome &plan);
  /// The plan of `file` with `variant` kept before, about `ref` (the run's entry for the file).
  std::optional<model::FileOutcome> take(size_t file, const std::string &variant, model::FileRef ref) const;

  /// Drops the plans kept and keeps no more (the steps that plan a file with a variant it had are over).
  void close();

  size_t bytes() const;
  /// 4 MiB: every plan the cross-file steps replace at 20,000 files of the benchmark's shape (3.5
  /// MB there), a quarter of them at 90,000, where more would lift the run's peak of memory (the
  /// class index deciding again, while they are kept) past its target.
  static constexpr size_t kBudget = 4u << 20;

private:
  mutable std::mutex mutex_;
  std::map<std::pair<size_t, std::string>, std::pair<uint64_t, std::string>> plans_; // -> (hash, serialized)
  std::map<size_t, std::string> current_;
  size_t budget_;
  size_t bytes_ = 0;
};

/// The facts the test patches' reach needs of each file (model::ReachFacts: its imports), made by
/// the file's analysis, which has its tree and scopes at hand: most files a test reaches hold a
/// client and were analyzed, and the reach takes their facts from here instead of parsing them
/// again. Files with the same facts share one copy (modules of a code base repeat their import
/// blocks), within a budget of bytes: past it, a file's facts are made again when the reach needs
/// them, as before. Thread-safe.
class ReachMemo {
public:
  explicit ReachMemo(size_t budget = kBudget) : budget_(budget) {}

  /// Keeps `facts`, the reach facts of `file` (a parse of its bytes as the run read them).
  void keep(size_t file, model::ReachFacts facts);
  /// The facts kept for `file`, if any.
  std::optional<model::ReachFacts> take(size_t file) const;
  /// Drops the facts and keeps no more (the reach is over).
  void close();

  /// The bytes the distinct facts hold.
  size_t bytes() const;
  size_t distinct() const;
  /// 2 MiB: a few thousand files of distinct imports; the benchmark's 90,000 files share a few
  /// hundred sets. Kept until the reach is over, through the class index's first decision (the
  /// run's peak of memory).
  static constexpr size_t kBudget = 2u << 20;

private:
  mutable std::mutex mutex_;
  std::vector<uint32_t> setOf_; // by file: 0 none, else 1 + an index in sets_
  std::vector<model::ReachFacts> sets_;
  std::unordered_multimap<uint64_t, uint32_t> byHash_; // a set's hash -> its index
  size_t budget_;
  size_t bytes_ = 0;
};

} // namespace poolify::pipeline

#include "pipeline/plans.h"

#include "cache/cache.h"
#include "support/text.h"

namespace poolify::pipeline {

std::optional<std::string> PlanMemo::current(size_t file) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = current_.find(file);
  return it == current_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

void PlanMemo::setCurrent(size_t file, const std::string &variant) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_[file] = variant;
}

void PlanMemo::keep(size_t file, const std::string &variant, const model::FileOutcome &plan) {
  if (!plan.utf8 || plan.failed)
    return; // as the cache: only what it would keep (a failure is made again, and says so again)
  auto key = std::make_pair(file, variant);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (bytes_ >= budget_ || plans_.count(key))
      return; // closed, full, or kept already: not serialized for nothing
  }
  std::string bytes = cache::serialize(plan);
  std::lock_guard<std::mutex> lock(mutex_);
  if (plans_.count(key) || bytes_ + bytes.size() > budget_)
    return;
  bytes_ += bytes.size();
  plans_.emplace(std::move(key), std::make_pair(plan.hash, std::move(bytes)));
}

std::optional<model::FileOutcome> PlanMemo::take(size_t file, const std::string &variant, model::FileRef ref) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = plans_.find({file, variant});
  if (it == plans_.end())
    return std::nullopt;
  return cache::deserialize(it->second.second, std::move(ref), it->second.first);
}

void PlanMemo::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  plans_.clear();
  budget_ = bytes_ = 0;
}

size_t PlanMemo::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

void ReachMemo::keep(size_t file, model::ReachFacts facts) {
  if (!facts.parsed || !facts.moduleNames.empty())
    return; // only what an analysis gives
  std::string_view imported = facts.imported.raw(), table = facts.moduleImports.raw();
  uint64_t hash = contentHash(imported) * 31 + contentHash(table);
  std::lock_guard<std::mutex> lock(mutex_);
  if (budget_ == 0)
    return;
  uint32_t set = 0;
  auto range = byHash_.equal_range(hash);
  for (auto it = range.first; it != range.second && set == 0; ++it)
    if (sets_[it->second].imported.raw() == imported && sets_[it->second].moduleImports.raw() == table)
      set = it->second + 1;
  if (set == 0) {
    size_t size = sizeof(model::ReachFacts) + imported.size() + table.size();
    if (bytes_ + size > budget_)
      return;
    bytes_ += size;
    sets_.push_back(std::move(facts));
    set = static_cast<uint32_t>(sets_.size());
    byHash_.emplace(hash, set - 1);
  }
  if (setOf_.size() <= file)
    setOf_.resize(file + 1, 0);
  setOf_[file] = set;
}

std::optional<model::ReachFacts> ReachMemo::take(size_t file) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file >= setOf_.size() || setOf_[file] == 0)
    return std::nullopt;
  return sets_[setOf_[file] - 1];
}

void ReachMemo::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  setOf_ = {};
  sets_ = {};
  byHash_ = {};
  budget_ = bytes_ = 0;
}

size_t ReachMemo::bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

size_t ReachMemo::distinct() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sets_.size();
}

} // namespace poolify::pipeline

#include "pipeline/plans.h"

#include "cache/cache.h"

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

} // namespace poolify::pipeline

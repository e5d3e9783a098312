#include "pipeline/batches.h"

#include "config/config.h"

#include <fmt/format.h>

#include <algorithm>

namespace poolify::pipeline {

namespace {

// The first configured batch that takes the file (by category or glob), or "unbatched".
std::string membership(const Run &run, size_t i) {
  const auto &file = run.found.files[i];
  std::string category = run.categoryOf(file);
  auto rel = run.config.relative(file.path);
  for (const auto &b : run.config.batches) {
    if (std::find(b.categories.begin(), b.categories.end(), category) != b.categories.end())
      return b.name;
    if (rel)
      for (const auto &g : b.globs)
        if (config::globMatch(g, *rel))
          return b.name;
  }
  return "unbatched";
}

bool matters(const model::FileOutcome &o) {
  if (o.failed)
    return false;
  return o.changed() || std::any_of(o.records.begin(), o.records.end(), [](const model::SiteRecord &r) {
           return r.isDirect();
         });
}

} // namespace

llvm::Expected<std::vector<BatchPlan>> planBatches(const Run &run, const BatchOptions &options) {
  const std::string &batch = options.batch, &category = options.category;
  unsigned maxFiles = options.maxFiles;
  bool all = options.all;
  std::vector<std::pair<std::string, std::vector<size_t>>> groups;
  auto group = [&](const std::string &name) -> std::vector<size_t> & {
    for (auto &g : groups)
      if (g.first == name)
        return g.second;
    groups.push_back({name, {}});
    return groups.back().second;
  };
  if (!batch.empty()) {
    bool known = std::any_of(run.config.batches.begin(), run.config.batches.end(),
                             [&](const config::Batch &b) { return b.name == batch; });
    if (!known) {
      std::string why = run.config.file.empty()
                            ? fmt::format("no batch '{}': there is no poolify.yaml with batches", batch)
                            : fmt::format("no batch '{}' in {}", batch, run.config.file);
      return llvm::createStringError(std::errc::invalid_argument, "%s", why.c_str());
    }
    group(batch);
  } else if (!category.empty()) {
    group(category);
  } else if (all) {
    for (const auto &b : run.config.batches)
      group(b.name);
  } else {
    group("all");
  }
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    if (!matters(run.outcomes[i]))
      continue;
    if (!batch.empty()) {
      if (membership(run, i) == batch)
        group(batch).push_back(i);
    } else if (!category.empty()) {
      if (run.categoryOf(run.found.files[i]) == category)
        group(category).push_back(i);
    } else if (all) {
      group(membership(run, i)).push_back(i);
    } else {
      group("all").push_back(i);
    }
  }
  std::vector<BatchPlan> out;
  for (auto &[name, files] : groups) {
    if (files.empty())
      continue;
    // --max-files counts the files a batch changes; unchanged files ride with the last part.
    std::vector<std::vector<size_t>> parts(1);
    unsigned changed = 0;
    for (size_t i : files) {
      if (run.outcomes[i].changed()) {
        if (maxFiles && changed == maxFiles) {
          parts.emplace_back();
          changed = 0;
        }
        ++changed;
      }
      parts.back().push_back(i);
    }
    for (size_t p = 0; p < parts.size(); ++p) {
      std::string label = parts.size() > 1 ? fmt::format("{}-part{}", name, p + 1) : name;
      out.push_back({label, parts[p]});
    }
  }
  for (size_t k = 0; k < out.size(); ++k)
    out[k].name = fmt::format("{:02}-{}", k + 1, out[k].name);
  return out;
}

} // namespace poolify::pipeline

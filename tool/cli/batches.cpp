#include "cli/batches.h"

#include "output/diff.h"
#include "pipeline/reader.h"

#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <map>

namespace poolify::cli {

namespace {

// The first configured batch that takes the file (by category or glob), or "unbatched".
std::string membership(const pipeline::Run &run, size_t i) {
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
  if (o.changed())
    return true;
  return std::any_of(o.records.begin(), o.records.end(), [](const model::SiteRecord &r) {
    return r.kind == model::SiteRecord::Kind::Direct || r.kind == model::SiteRecord::Kind::Reference;
  });
}

} // namespace

std::vector<BatchPlan> planBatches(const pipeline::Run &run, const std::string &batch, const std::string &category,
                                   unsigned maxFiles, bool all, std::string &error) {
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
      error = run.config.file.empty()
                  ? fmt::format("no batch '{}': there is no poolify.yaml with batches", batch)
                  : fmt::format("no batch '{}' in {}", batch, run.config.file);
      return {};
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

std::string batchPatch(const pipeline::Run &run, const BatchPlan &b) {
  std::string patch;
  for (size_t i : b.files) {
    const auto &o = run.outcomes[i];
    if (!o.changed())
      continue;
    auto texts = pipeline::texts(o);
    if (!texts) {
      llvm::errs() << o.file.display << ": error: " << llvm::toString(texts.takeError()) << "; left out of the patch\n";
      continue;
    }
    patch += output::unifiedDiff(texts->original, texts->updated, o.file.display);
  }
  return patch;
}

std::string batchSummary(const pipeline::Run &run, const BatchPlan &b) {
  using Outcome = model::Outcome;
  std::map<std::string, unsigned> perRule;
  unsigned removed = 0, changedFiles = 0, rewritten = 0;
  std::string files, left;
  for (size_t i : b.files) {
    const auto &o = run.outcomes[i];
    std::map<std::string, unsigned> fileRules;
    unsigned fileRemoved = 0;
    for (const auto &r : o.records) {
      bool direct = r.kind == model::SiteRecord::Kind::Direct || r.kind == model::SiteRecord::Kind::Reference;
      if (!direct)
        continue;
      if (r.outcome == Outcome::Rewritten) {
        ++perRule[r.rule];
        ++fileRules[r.rule];
        ++rewritten;
      } else if (r.outcome == Outcome::Removed) {
        ++fileRemoved;
        ++removed;
      } else {
        left += fmt::format("- `{}:{}:{}` {}: {}\n", o.file.display, r.line, r.col, r.rule, r.reason);
      }
    }
    if (!o.changed())
      continue;
    ++changedFiles;
    std::string what;
    for (const auto &[rule, n] : fileRules)
      what += fmt::format("{}{} {}", what.empty() ? "" : ", ", rule, n);
    if (fileRemoved)
      what += fmt::format("{}{} redundant override{} removed", what.empty() ? "" : "; ", fileRemoved,
                          fileRemoved == 1 ? "" : "s");
    files += fmt::format("- `{}` ({})\n", o.file.display, what);
  }
  std::string rules;
  for (const auto &[rule, n] : perRule)
    rules += fmt::format("{}{} {}", rules.empty() ? "" : ", ", rule, n);
  std::string out = fmt::format("{} file{} changed: {} site{} rewritten{}, {} redundant override{} removed.\n",
                                changedFiles, changedFiles == 1 ? "" : "s", rewritten, rewritten == 1 ? "" : "s",
                                rules.empty() ? "" : " (" + rules + ")", removed, removed == 1 ? "" : "s");
  if (!files.empty())
    out += "\n## Files\n\n" + files;
  if (!left.empty())
    out += "\n## Sites left (with the reason poolify did not rewrite them)\n\n" + left;
  return out;
}

} // namespace poolify::cli

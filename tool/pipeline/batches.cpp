#include "pipeline/batches.h"

#include "config/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

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
  return o.changed() || !o.patches.empty() ||
         std::any_of(o.records.begin(), o.records.end(), [](const model::SiteRecord &r) { return r.isDirect(); });
}

// A test file whose patches the run retargets goes with the module they name (the first one):
// the patch changes in the same batch as the code it follows. npos for other files.
std::vector<size_t> leaders(const Run &run) {
  std::vector<size_t> out(run.outcomes.size(), std::string::npos);
  std::map<std::string, size_t> byDisplay;
  for (size_t i = 0; i < run.outcomes.size(); ++i)
    byDisplay[run.outcomes[i].file->display()] = i;
  for (size_t i = 0; i < run.outcomes.size(); ++i)
    for (const auto &p : run.outcomes[i].patches)
      if (auto it = byDisplay.find(p.modulePath); it != byDisplay.end() && it->second != i) {
        out[i] = it->second;
        break;
      }
  return out;
}

// The batches planned, in order: a name and the files it holds (indices into run.outcomes).
using Groups = std::vector<std::pair<std::string, std::vector<size_t>>>;

// The files of the group called `name`, a new empty group at the end when there is none yet.
std::vector<size_t> &groupNamed(Groups &groups, const std::string &name) {
  for (auto &g : groups)
    if (g.first == name)
      return g.second;
  groups.push_back({name, {}});
  return groups.back().second;
}

// Why --batch or --category selects nothing the configuration knows; nullopt when it does.
std::optional<std::string> unknownSelection(const Run &run, const BatchOptions &options) {
  const std::string &batch = options.batch;
  if (!batch.empty()) {
    bool known = std::any_of(run.config.batches.begin(), run.config.batches.end(),
                             [&](const config::Batch &b) { return b.name == batch; });
    if (known)
      return std::nullopt;
    return run.config.file.empty() ? fmt::format("no batch '{}': there is no poolify.yaml with batches", batch)
                                   : fmt::format("no batch '{}' in {}", batch, run.config.file);
  }
  if (!options.category.empty())
    return unknownCategory(run.config, options.category);
  return std::nullopt;
}

// The groups a selection plans, in order, before any file joins them.
Groups selectedGroups(const Run &run, const BatchOptions &options) {
  Groups groups;
  if (!options.batch.empty()) {
    groupNamed(groups, options.batch);
  } else if (!options.category.empty()) {
    groupNamed(groups, options.category);
  } else if (options.all) {
    for (const auto &b : run.config.batches)
      groupNamed(groups, b.name);
  } else {
    groupNamed(groups, "all");
  }
  return groups;
}

// The group a file joins when it goes with file `as`; nullopt when the selection leaves it out.
std::optional<std::string> groupJoined(const Run &run, const BatchOptions &options, size_t as) {
  if (!options.batch.empty()) {
    if (membership(run, as) == options.batch)
      return options.batch;
    return std::nullopt;
  }
  if (!options.category.empty()) {
    if (run.categoryOf(run.found.files[as]) == options.category)
      return options.category;
    return std::nullopt;
  }
  if (options.all)
    return membership(run, as);
  return std::string("all");
}

// Whether file i follows the patches of a module in the same group (it goes in that module's part).
bool followsInGroup(const std::vector<size_t> &leader, const std::vector<size_t> &files, size_t i) {
  return leader[i] != std::string::npos && std::find(files.begin(), files.end(), leader[i]) != files.end();
}

// The changed followers of each leader in the group.
std::map<size_t, unsigned> changedFollowers(const Run &run, const std::vector<size_t> &files,
                                            const std::vector<size_t> &leader) {
  std::map<size_t, unsigned> followersOf;
  for (size_t i : files)
    if (followsInGroup(leader, files, i))
      followersOf[leader[i]] += run.outcomes[i].changed();
  return followersOf;
}

// --max-files counts the files a batch changes; unchanged files ride with the last part. A test
// file whose patches follow a module goes in that module's part, and counts there: the module
// and its followers start a new part when they would not fit in the current one.
std::vector<std::vector<size_t>> cutIntoParts(const Run &run, const std::vector<size_t> &files,
                                              const std::vector<size_t> &leader, unsigned maxFiles) {
  std::vector<std::vector<size_t>> parts(1);
  std::map<size_t, size_t> partOf;
  std::map<size_t, unsigned> followersOf = changedFollowers(run, files, leader);
  unsigned changed = 0;
  for (size_t i : files) {
    if (followsInGroup(leader, files, i))
      continue;
    if (run.outcomes[i].changed()) {
      unsigned size = 1 + (followersOf.count(i) ? followersOf.at(i) : 0);
      if (maxFiles && changed > 0 && changed + size > maxFiles) {
        parts.emplace_back();
        changed = 0;
      }
      changed += size;
    }
    partOf[i] = parts.size() - 1;
    parts.back().push_back(i);
  }
  for (size_t i : files)
    if (followsInGroup(leader, files, i)) {
      auto &part = parts[partOf.at(leader[i])];
      part.insert(std::upper_bound(part.begin(), part.end(), i), i);
    }
  return parts;
}

// The parts of group `name` as batches ("name-partN" when there are several).
void appendParts(const std::string &name, const std::vector<std::vector<size_t>> &parts, std::vector<BatchPlan> &out) {
  for (size_t p = 0; p < parts.size(); ++p) {
    std::string label = parts.size() > 1 ? fmt::format("{}-part{}", name, p + 1) : name;
    out.push_back({label, parts[p]});
  }
}

} // namespace

std::optional<std::string> unknownCategory(const config::Config &config, const std::string &category) {
  std::string known;
  for (const auto &c : config.categories) {
    if (c.name == category)
      return std::nullopt;
    known += c.name + ", ";
  }
  if (category == "other") // what a file no category matches belongs to
    return std::nullopt;
  std::string where = config.file.empty() ? "there is no poolify.yaml with categories" : "not in " + config.file;
  return fmt::format("no category '{}': {} (known: {}other)", category, where, known);
}

llvm::Expected<std::vector<BatchPlan>> planBatches(const Run &run, const BatchOptions &options) {
  if (auto why = unknownSelection(run, options))
    return llvm::createStringError(std::errc::invalid_argument, "%s", why->c_str());
  Groups groups = selectedGroups(run, options);
  std::vector<size_t> leader = leaders(run);
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    if (!matters(run.outcomes[i]))
      continue;
    size_t as = leader[i] == std::string::npos ? i : leader[i]; // whose batch the file joins
    if (auto name = groupJoined(run, options, as))
      groupNamed(groups, *name).push_back(i);
  }
  std::vector<BatchPlan> out;
  for (const auto &[name, files] : groups)
    if (!files.empty())
      appendParts(name, cutIntoParts(run, files, leader, options.maxFiles), out);
  for (size_t k = 0; k < out.size(); ++k)
    out[k].name = fmt::format("{:02}-{}", k + 1, out[k].name);
  return out;
}

} // namespace poolify::pipeline

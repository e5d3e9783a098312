#include "pipeline/reduce.h"

#include "analysis/sites.h"
#include "index/hierarchy.h"
#include "pipeline/intercept.h"
#include "pipeline/mocks.h"
#include "pipeline/process.h"
#include "pipeline/reader.h"
#include "pipeline/uses.h"
#include "python/scopes.h"
#include "support/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <unordered_set>

namespace poolify::pipeline {

namespace {

// The path a module's name comes from: relative to the configured source root that holds it
// (src/pkg/mod.py -> pkg/mod.py), else the display path; bases are matched by module-path suffix.
std::string modulePath(const config::Config &cfg, const model::SourceFile &f) {
  if (cfg.sourceRoots.empty())
    return f.display;
  auto rel = cfg.relative(f.path);
  if (!rel)
    return f.display;
  for (std::string root : cfg.sourceRoots) {
    while (!root.empty() && root.back() == '/')
      root.pop_back();
    if (root.empty() || root == ".")
      return *rel;
    if (rel->size() > root.size() && rel->compare(0, root.size(), root) == 0 && (*rel)[root.size()] == '/')
      return rel->substr(root.size() + 1);
  }
  return f.display;
}

// Classes that get a pooled client from a base. Subclasses need not mention any rule's words,
// so files are found by a literal scan for the names of providing classes, repeated for the
// subclasses found (grandchildren name their parent, not the base).
// Files outside this --shard are read from disk when needed (classes chain across shards).
template <typename Load, typename WasLoaded>
void collectInherited(const std::vector<model::SourceFile> &files, const std::vector<model::FileOutcome> &outcomes,
                      const std::vector<bool> &active, const std::vector<rules::Rule> &rules,
                      index::ClassIndex &classes, Load &load, WasLoaded wasLoaded, unsigned jobs,
                      std::vector<std::vector<model::Inherited>> &inherited) {
  // Texts are read again when scanned (a run keeps no file's text): only files that contain
  // "class " at all, which the analysis noted (files outside the shard: on their first read).
  std::vector<char> hasClass(files.size(), 0); // 0 unknown, 1 no, 2 yes
  for (size_t i = 0; i < files.size(); ++i)
    if (active[i])
      hasClass[i] = outcomes[i].mentionsClass ? 2 : 1;
  auto textOf = [&](size_t i) -> std::string {
    if (hasClass[i] == 1)
      return std::string();
    auto bytes = readSource(files[i]);
    if (!bytes)
      llvm::consumeError(bytes.takeError());
    std::string text = bytes ? std::move(*bytes) : std::string();
    hasClass[i] = text.find("class ") != std::string::npos ? 2 : 1;
    return text;
  };
  // Reads, tests and loads the classes of `indices` in parallel (each file has its own slots);
  // the caller joins the hits in file order, so the result does not depend on --jobs.
  auto scan = [&](const std::vector<size_t> &indices, auto test) {
    std::vector<char> hit(files.size(), 0);
    parallelFor(indices, jobs, [&](size_t i) {
      std::string text = textOf(i);
      hit[i] = hasClass[i] == 2 && test(text) && load(i);
    });
    return hit;
  };
  std::vector<size_t> others;
  for (size_t i = 0; i < files.size(); ++i)
    if (!active[i])
      others.push_back(i);
  std::vector<char> otherHit =
      scan(others, [&](const std::string &text) { return analysis::mentionsAnyTrigger(text, rules); });
  std::vector<size_t> scope;
  std::vector<bool> inScope(files.size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    // Files whose classes were loaded on demand (bases) belong to the scope too, as they do when
    // their facts come from the cache: warm and cold runs see the same classes.
    if (outcomes[i].facts || otherHit[i] || (active[i] && wasLoaded(i))) {
      scope.push_back(i);
      inScope[i] = true;
    }
  }
  std::vector<std::string> names = classes.providerNames(scope);
  std::vector<std::string> searched;
  while (names.size() > searched.size()) {
    std::vector<std::string> fresh;
    for (const auto &n : names)
      if (std::find(searched.begin(), searched.end(), n) == searched.end())
        fresh.push_back(n);
    searched = names;
    std::vector<size_t> candidates, added;
    for (size_t i = 0; i < files.size(); ++i)
      if (!inScope[i] && !outcomes[i].failed && hasClass[i] != 1)
        candidates.push_back(i);
    // A subclass names its base (or an alias of it imports the name): one pass over the text's
    // identifiers, each looked up among the new names (not one search of the text per name).
    std::unordered_set<std::string_view> wanted(fresh.begin(), fresh.end());
    std::array<bool, 256> word{}, first{};
    size_t shortest = SIZE_MAX, longest = 0;
    for (int c = 0; c < 256; ++c)
      word[c] = std::isalnum(c) || c == '_';
    for (const auto &n : fresh) {
      if (n.empty())
        continue;
      first[static_cast<unsigned char>(n[0])] = true;
      shortest = std::min(shortest, n.size());
      longest = std::max(longest, n.size());
    }
    std::vector<char> hit = scan(candidates, [&](const std::string &text) {
      const auto *t = reinterpret_cast<const unsigned char *>(text.data());
      for (size_t i = 0, n = text.size(); i < n;) {
        if (!word[t[i]]) {
          ++i;
          continue;
        }
        size_t j = i + 1;
        while (j < n && word[t[j]])
          ++j;
        if (first[t[i]] && j - i >= shortest && j - i <= longest &&
            wanted.count(std::string_view(text).substr(i, j - i)))
          return true;
        i = j;
      }
      return false;
    });
    for (size_t i : candidates)
      if (hit[i]) {
        inScope[i] = true;
        added.push_back(i);
      }
    if (added.empty())
      break;
    scope.insert(scope.end(), added.begin(), added.end());
    names = classes.providerNames(scope);
  }
  inherited.assign(files.size(), {});
  for (size_t i : scope)
    if (active[i])
      inherited[i] = classes.inheritedClients(i);
}

using Removals = std::map<size_t, std::map<uint32_t, model::Removal>>;
using Keeps = std::map<size_t, std::map<std::string, std::string>>; // file -> imports kept (name -> why)

// What the class index decided: the redundant overrides removed (per file) and the overrides kept
// (said with --explain once every file has its final plan).
struct HierarchyDecisions {
  Removals removals;
  std::vector<model::OverrideDecision> kept;
};

// The name of a plan in the cache among those of the same bytes: the removals and the imports
// kept it was made with, and the file's context.
std::string planVariant(const Run &run, size_t i, const std::map<uint32_t, model::Removal> *removals,
                        const std::map<std::string, std::string> *keep) {
  std::string variant;
  if (removals) {
    std::string key;
    for (const auto &[offset, r] : *removals)
      key += fmt::format("{}\n{}\n{}\n{}\n", offset, r.comment, r.note, r.unsafe);
    variant += fmt::format("remove {:x}", contentHash(key));
  }
  if (keep) {
    std::string key;
    for (const auto &[name, why] : *keep)
      key += fmt::format("{}\n{}\n", name, why);
    variant += fmt::format("{}keep {:x}", variant.empty() ? "" : " ", contentHash(key));
  }
  return variant + cacheVariant(run, i);
}

// Plans file i again with `context` (from the cache when it holds this plan).
void replan(Run &run, size_t i, analysis::FileContext context, const std::string &variant) {
  const auto &files = run.found.files;
  auto &outcomes = run.outcomes;
  cache::Cache *cache = run.cache.get();
  if (cache)
    if (auto hit = cache->lookup(files[i], outcomes[i].hash, variant)) {
      outcomes[i] = std::move(*hit);
      return;
    }
  auto read = texts(outcomes[i]);
  if (!read) {
    model::FileOutcome out;
    out.file = files[i];
    out.failed = true;
    std::string reason = llvm::toString(read.takeError());
    out.messages.push_back({0, 0, fmt::format("{}: error: {}; file not rewritten", files[i].display, reason), true,
                            std::string(kUnanalyzable), reason});
    outcomes[i] = std::move(out);
    return;
  }
  model::FileOutcome out = processText(files[i], std::move(read->original), run.rules, context);
  if (cache)
    cache->put(out, variant);
  out.release();
  outcomes[i] = std::move(out);
}

// The reduce step: the class index across all files decides which client overrides are
// redundant; the files holding them are planned again with those removals. Bases in files the
// prefilter skipped are parsed on demand.
HierarchyDecisions applyHierarchy(Run &run) {
  const auto &files = run.found.files;
  const auto &rules = run.rules;
  const auto &cfg = run.config;
  const auto &active = run.active;
  auto &outcomes = run.outcomes;
  auto *inherited = run.options.withInherited ? &run.inherited : nullptr;
  cache::Cache *cache = run.cache.get();
  unsigned jobs = run.options.jobs;
  std::vector<std::string> displays;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < files.size(); ++i) {
    displays.push_back(modulePath(cfg, files[i]));
    const auto &facts = outcomes[i].facts;
    bool hasOverride = facts && std::any_of(facts->classes.begin(), facts->classes.end(), [](const auto &c) {
                         return std::any_of(c.assignments.begin(), c.assignments.end(), [](const auto &a) {
                           return a.source == model::AttributeAssignment::Source::Site;
                         });
                       });
    if (hasOverride && !outcomes[i].failed)
      candidates.push_back(i);
  }
  if (candidates.empty() && !inherited)
    return {};
  std::vector<std::optional<model::FileFacts>> loaded(files.size());
  std::vector<char> tried(files.size(), 0); // not vector<bool>: files are loaded in parallel
  auto load = [&](size_t i) -> const model::FileFacts * {
    if (outcomes[i].facts)
      return &*outcomes[i].facts;
    if (!tried[i]) {
      tried[i] = 1;
      loaded[i] = classFactsOf(files[i], rules, contextFor(run, i));
      // Remembered with the file's other results, so the next run parses it no more.
      if (cache && loaded[i] && active[i] && !outcomes[i].failed) {
        model::FileOutcome withFacts = outcomes[i];
        withFacts.facts = loaded[i];
        cache->put(withFacts, cacheVariant(run, i));
      }
    }
    return loaded[i] ? &*loaded[i] : nullptr;
  };
  index::ClassIndex classes(displays, load);
  auto decisions = classes.decideOverrides(candidates);
  for (const auto &p : classes.problems())
    run.warnings.push_back(p);
  HierarchyDecisions out;
  Removals &removals = out.removals;
  std::vector<model::OverrideDecision> &kept = out.kept;
  for (const auto &d : decisions) {
    if (d.remove)
      removals[d.file][d.siteOffset] = d.removal;
    else
      kept.push_back(d);
  }
  std::vector<size_t> replan;
  for (const auto &[file, _] : removals)
    replan.push_back(file);
  // Outcomes are replaced in place; the maps read by the workers are not modified meanwhile.
  // The cache keeps these plans too, keyed by the file's bytes and the removals decided.
  parallelFor(replan, jobs, [&](size_t i) {
    const auto &fileRemovals = removals.at(i);
    analysis::FileContext context = contextFor(run, i);
    context.removals = fileRemovals;
    pipeline::replan(run, i, std::move(context), planVariant(run, i, &fileRemovals, nullptr));
  });
  if (inherited)
    collectInherited(
        files, outcomes, active, rules, classes, load, [&](size_t i) { return tried[i] && loaded[i]; }, jobs,
        *inherited);
  return out;
}

// Module-level imports the rewrite removed that other modules use (`from pkg.a import bigquery`,
// `pkg.a.bigquery`, patch targets through them, star imports): their files are planned again
// keeping them (with the removals of redundant overrides they already had).
Keeps keepImportsUsedElsewhere(Run &run, const Removals &removals,
                               const std::set<std::pair<size_t, uint32_t>> &rewritten) {
  std::map<size_t, std::set<std::string>> removed;
  for (size_t i = 0; i < run.outcomes.size(); ++i)
    if (run.active[i] && !run.outcomes[i].failed)
      for (const auto &r : run.outcomes[i].removedImports)
        removed[i].insert(r.name);
  if (removed.empty())
    return {};
  Keeps keep = usesFromOtherModules(run, removed, rewritten);
  std::vector<size_t> files;
  for (const auto &[file, _] : keep)
    files.push_back(file);
  parallelFor(files, run.options.jobs, [&](size_t i) {
    analysis::FileContext context = contextFor(run, i);
    auto r = removals.find(i);
    if (r != removals.end())
      context.removals = r->second;
    context.keepImports = keep.at(i);
    replan(run, i, context, planVariant(run, i, r != removals.end() ? &r->second : nullptr, &context.keepImports));
  });
  return keep;
}

// Whether `text` binds `name` at module level (an import or any other binding of the module scope).
bool bindsAtModuleLevel(const std::string &text, const std::string &name) {
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF")
    body.remove_prefix(3);
  py::Tree tree = py::Tree::parse(body);
  py::ScopeModel model(tree);
  return !model.bindingsIn(0, name).empty();
}

using Retargets = std::map<size_t, std::vector<model::PatchRetarget>>; // test file -> its retargets
using Bound = std::map<std::pair<size_t, std::string>, bool>;

// Whether module's text after the run binds `name` at module level, remembered in `bound`.
BindsAtModuleLevel bindsIn(const Run &run, Bound &bound) {
  return [&run, &bound](size_t module, const std::string &name) {
    auto key = std::make_pair(module, name);
    if (auto it = bound.find(key); it != bound.end())
      return it->second;
    auto read = texts(run.outcomes[module]);
    bool yes = read ? bindsAtModuleLevel(read->updated, name) : (llvm::consumeError(read.takeError()), true);
    return bound[key] = yes;
  };
}

bool anyMocks(const Run &run) {
  return std::any_of(run.outcomes.begin(), run.outcomes.end(),
                     [](const model::FileOutcome &o) { return !o.mocks.empty() && !o.failed; });
}

// Test patches that keep intercepting (pipeline/intercept.h): the sites a patch reaches that no
// one retargeted patch can stand for are held, and their files planned again (with the removals of
// redundant overrides they had), until no more sites are held. The last plan decides the patches.
InterceptPlan holdSitesForPatches(Run &run, const Removals &removals) {
  if (!anyMocks(run))
    return {};
  for (unsigned round = 0;; ++round) {
    Bound bound;
    InterceptPlan plan = planIntercepts(run, bindsIn(run, bound));
    std::vector<size_t> grown;
    for (const auto &[file, sites] : plan.holds) {
      auto &held = run.holds[file];
      size_t before = held.size();
      held.insert(sites.begin(), sites.end());
      if (held.size() != before)
        grown.push_back(file);
    }
    if (grown.empty() || round >= 16)
      return plan;
    parallelFor(grown, run.options.jobs, [&](size_t i) {
      analysis::FileContext context = contextFor(run, i);
      auto r = removals.find(i);
      if (r != removals.end())
        context.removals = r->second;
      replan(run, i, std::move(context), planVariant(run, i, r != removals.end() ? &r->second : nullptr, nullptr));
    });
  }
}

// Test patches that follow the code: after every module is planned, the patch targets that name
// a module whose sites of the client are all rewritten are retargeted to its pooled callable. The
// patches `intercepts` decided take its decision.
Retargets planPatchRetargets(Run &run, const InterceptPlan &intercepts) {
  const auto &files = run.found.files;
  auto &outcomes = run.outcomes;
  if (!anyMocks(run))
    return {};
  Bound bound;
  BindsAtModuleLevel binds = bindsIn(run, bound);
  std::vector<size_t> active;
  for (size_t i = 0; i < files.size(); ++i)
    if (run.active[i])
      active.push_back(i);
  auto recordsOf = [&](size_t i) -> const std::vector<model::SiteRecord> & { return outcomes[i].records; };
  Retargets retargets;
  for (auto &p : planRetargets(outcomes, active, recordsOf, binds))
    if (!outcomes[p.test].failed && !intercepts.decided.count({p.test, p.retarget.offset}))
      retargets[p.test].push_back(std::move(p.retarget));
  for (const auto &p : intercepts.retargets)
    if (!outcomes[p.test].failed)
      retargets[p.test].push_back(p.retarget);
  for (auto &[test, list] : retargets)
    std::sort(list.begin(), list.end(),
              [](const model::PatchRetarget &a, const model::PatchRetarget &b) { return a.offset < b.offset; });
  return retargets;
}

// The test files holding retargets are planned again with them (and with what they had: the
// removals of their own redundant overrides, the imports other modules use).
void applyPatchRetargets(Run &run, const Retargets &retargets, const Removals &removals, const Keeps &keeps) {
  std::vector<size_t> testFiles;
  for (const auto &[file, _] : retargets)
    testFiles.push_back(file);
  parallelFor(testFiles, run.options.jobs, [&](size_t i) {
    const auto &fileRetargets = retargets.at(i);
    std::string key;
    for (const auto &r : fileRetargets)
      key += fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n", r.offset, r.target, r.module, r.pooled, r.rule,
                         r.callable, r.modulePath, r.inferred, r.handFix);
    analysis::FileContext context = contextFor(run, i);
    context.retargets = fileRetargets;
    auto r = removals.find(i);
    if (r != removals.end())
      context.removals = r->second;
    auto k = keeps.find(i);
    if (k != keeps.end())
      context.keepImports = k->second;
    std::string variant =
        planVariant(run, i, r != removals.end() ? &r->second : nullptr, k != keeps.end() ? &k->second : nullptr);
    replan(run, i, std::move(context), fmt::format("patches {:x} ", contentHash(key)) + variant);
  });
}

// Says (with --explain) why each override the class index kept stays.
void noteKeptOverrides(Run &run, const HierarchyDecisions &hierarchy) {
  for (const auto &d : hierarchy.kept)
    run.outcomes[d.file].messages.push_back(
        {d.line, d.col, fmt::format("{}:{}:{}: {}: {}", run.found.files[d.file].display, d.line, d.col, d.rule, d.note),
         false});
}

} // namespace

void reduce(Run &run) {
  HierarchyDecisions hierarchy = applyHierarchy(run);
  // Sites held for the test patches that intercept them change verdicts: check and the manifest
  // count them as migrate will (unsafe fixes), so this runs for every command.
  InterceptPlan intercepts = holdSitesForPatches(run, hierarchy.removals);
  if (!run.options.finalEdits) {
    noteKeptOverrides(run, hierarchy);
    return;
  }
  // Patches retargeted need the old import no more: decided first, so it is not kept for them.
  Retargets retargets = planPatchRetargets(run, intercepts);
  std::set<std::pair<size_t, uint32_t>> retargeted;
  for (const auto &[file, list] : retargets)
    for (const auto &r : list)
      if (r.handFix.empty())
        retargeted.insert({file, r.offset});
  Keeps keeps = keepImportsUsedElsewhere(run, hierarchy.removals, retargeted);
  applyPatchRetargets(run, retargets, hierarchy.removals, keeps);
  noteKeptOverrides(run, hierarchy);
}

} // namespace poolify::pipeline

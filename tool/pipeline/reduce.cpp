#include "pipeline/reduce.h"

#include "analysis/configures.h"
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

// Which files hold "class " at all (0 unknown, 1 no, 2 yes), as the analysis noted (files outside
// the shard: on their first read). Texts are read again, hash-checked, when scanned (a run keeps no
// file's text).
class ClassTexts {
public:
  explicit ClassTexts(const Run &run) : run_(run), hasClass_(run.found.files.size(), 0) {
    for (size_t i = 0; i < hasClass_.size(); ++i)
      if (run.active[i])
        hasClass_[i] = run.outcomes[i].mentionsClass ? 2 : 1;
  }

  // Whether file i may hold a class: it does, or it was not read yet.
  bool mayHoldClass(size_t i) const { return hasClass_[i] != 1; }

  // Reads, tests and loads the classes of `indices` in parallel (each file has its own slots);
  // the caller joins the hits in file order, so the result does not depend on --jobs.
  template <typename Test, typename Load>
  std::vector<char> scan(const std::vector<size_t> &indices, unsigned jobs, const Test &test, Load &load) {
    std::vector<char> hit(hasClass_.size(), 0);
    parallelFor(indices, jobs, [&](size_t i) {
      std::string text = textOf(i);
      hit[i] = hasClass_[i] == 2 && test(text) && load(i);
    });
    return hit;
  }

private:
  std::string textOf(size_t i) {
    if (hasClass_[i] == 1)
      return std::string();
    auto bytes = run_.reread(i);
    if (!bytes)
      llvm::consumeError(bytes.takeError());
    std::string text = bytes ? std::move(*bytes) : std::string();
    hasClass_[i] = text.find("class ") != std::string::npos ? 2 : 1;
    return text;
  }

  const Run &run_;
  std::vector<char> hasClass_;
};

// Whether a text names one of `names` as an identifier: one pass over the text's identifiers,
// each looked up among the names (not one search of the text per name). It holds views of
// `names`, which must outlive it.
class IdentifierMatcher {
public:
  explicit IdentifierMatcher(const std::vector<std::string> &names) : wanted_(names.begin(), names.end()) {
    for (int c = 0; c < 256; ++c)
      word_[c] = std::isalnum(c) || c == '_';
    for (const auto &n : names) {
      if (n.empty())
        continue;
      first_[static_cast<unsigned char>(n[0])] = true;
      shortest_ = std::min(shortest_, n.size());
      longest_ = std::max(longest_, n.size());
    }
  }

  bool operator()(const std::string &text) const {
    const auto *t = reinterpret_cast<const unsigned char *>(text.data());
    for (size_t i = 0, n = text.size(); i < n;) {
      if (!word_[t[i]]) {
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < n && word_[t[j]])
        ++j;
      if (first_[t[i]] && j - i >= shortest_ && j - i <= longest_ &&
          wanted_.count(std::string_view(text).substr(i, j - i)))
        return true;
      i = j;
    }
    return false;
  }

private:
  std::unordered_set<std::string_view> wanted_;
  std::array<bool, 256> word_{}, first_{};
  size_t shortest_ = SIZE_MAX, longest_ = 0;
};

// The files whose classes the index searches, in the order they joined.
struct ClassScope {
  std::vector<size_t> files;
  std::vector<bool> in;

  void add(size_t i) {
    files.push_back(i);
    in[i] = true;
  }
};

// The names not searched for yet.
std::vector<std::string> notSearched(const std::vector<std::string> &names, const std::vector<std::string> &searched) {
  std::vector<std::string> fresh;
  for (const auto &n : names)
    if (std::find(searched.begin(), searched.end(), n) == searched.end())
      fresh.push_back(n);
  return fresh;
}

// Classes that get a pooled client from a base. Subclasses need not mention any rule's words,
// so files are found by a literal scan for the names of providing classes, repeated for the
// subclasses found (grandchildren name their parent, not the base).
// Files outside this --shard are read from disk when needed (classes chain across shards).
template <typename Load, typename WasLoaded> class InheritedSearch {
public:
  InheritedSearch(const Run &run, const std::vector<model::SourceFile> &files,
                  const std::vector<model::FileOutcome> &outcomes, const std::vector<bool> &active,
                  const std::vector<rules::Rule> &rules, index::ClassIndex &classes, Load &load, WasLoaded wasLoaded,
                  unsigned jobs)
      : files_(files), outcomes_(outcomes), active_(active), rules_(rules), classes_(classes), load_(load),
        wasLoaded_(std::move(wasLoaded)), jobs_(jobs), texts_(run) {}

  // The files whose classes provide a pooled client or inherit one, in the order they were found.
  std::vector<size_t> scope() {
    ClassScope scope = startingScope();
    std::vector<std::string> names = classes_.providerNames(scope.files);
    std::vector<std::string> searched;
    while (names.size() > searched.size()) {
      std::vector<std::string> fresh = notSearched(names, searched);
      searched = names;
      if (!addNamingFiles(fresh, scope))
        break;
      names = classes_.providerNames(scope.files);
    }
    return scope.files;
  }

private:
  // The files analyzed with facts, the others that mention a rule's trigger (their classes
  // loaded), and the files whose classes were loaded on demand (bases): these belong to the
  // scope too, as they do when their facts come from the cache: warm and cold runs see the same
  // classes.
  ClassScope startingScope() {
    std::vector<size_t> others;
    for (size_t i = 0; i < files_.size(); ++i)
      if (!active_[i])
        others.push_back(i);
    std::vector<char> otherHit = texts_.scan(
        others, jobs_, [&](const std::string &text) { return analysis::mentionsAnyTrigger(text, rules_); }, load_);
    ClassScope scope{{}, std::vector<bool>(files_.size(), false)};
    for (size_t i = 0; i < files_.size(); ++i)
      if (outcomes_[i].facts || otherHit[i] || (active_[i] && wasLoaded_(i)))
        scope.add(i);
    return scope;
  }

  // Adds to the scope the files that name one of `fresh` (a subclass names its base, or an alias
  // of it imports the name); false when there is none.
  bool addNamingFiles(const std::vector<std::string> &fresh, ClassScope &scope) {
    std::vector<size_t> candidates;
    for (size_t i = 0; i < files_.size(); ++i)
      if (!scope.in[i] && !outcomes_[i].failed && texts_.mayHoldClass(i))
        candidates.push_back(i);
    std::vector<char> hit = texts_.scan(candidates, jobs_, IdentifierMatcher(fresh), load_);
    bool added = false;
    for (size_t i : candidates)
      if (hit[i]) {
        scope.add(i);
        added = true;
      }
    return added;
  }

  const std::vector<model::SourceFile> &files_;
  const std::vector<model::FileOutcome> &outcomes_;
  const std::vector<bool> &active_;
  const std::vector<rules::Rule> &rules_;
  index::ClassIndex &classes_;
  Load &load_;
  WasLoaded wasLoaded_;
  unsigned jobs_;
  ClassTexts texts_;
};

// The inherited clients of the active files (see InheritedSearch).
template <typename Load, typename WasLoaded>
void collectInherited(const Run &run, const std::vector<model::SourceFile> &files,
                      const std::vector<model::FileOutcome> &outcomes, const std::vector<bool> &active,
                      const std::vector<rules::Rule> &rules, index::ClassIndex &classes, Load &load,
                      WasLoaded wasLoaded, unsigned jobs, std::vector<std::vector<model::Inherited>> &inherited) {
  InheritedSearch<Load, WasLoaded> search(run, files, outcomes, active, rules, classes, load, std::move(wasLoaded),
                                          jobs);
  std::vector<size_t> scope = search.scope();
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

// Plans file i again with `context` (named `variant`): nothing to do when the run holds that plan
// already; else from the cache when it holds this plan, or from the plans this run made of the file
// (the one replaced is kept there first).
void replan(Run &run, size_t i, const analysis::FileContext &context, const std::string &variant) {
  const auto &files = run.found.files;
  auto &outcomes = run.outcomes;
  PlanMemo &plans = *run.plans;
  std::optional<std::string> now = plans.current(i);
  if (!now)
    now = cacheVariant(run, i, /*asAnalyzed=*/true);
  if (*now == variant && !outcomes[i].failed)
    return;
  plans.keep(i, *now, outcomes[i]);
  plans.setCurrent(i, variant);
  cache::Cache *cache = run.cache.get();
  std::optional<model::FileOutcome> hit = cache ? cache->lookup(files[i], outcomes[i].hash, variant) : std::nullopt;
  if (!hit)
    hit = plans.take(i, variant, model::FileRef::view(files[i]));
  if (hit) {
    outcomes[i] = std::move(*hit);
  } else if (auto read = texts(outcomes[i]); !read) {
    outcomes[i] = notRewritten(files[i], read.takeError());
  } else {
    model::FileOutcome out = processText(files[i], std::move(read->original), run.rules, context);
    if (cache)
      cache->put(out, variant);
    out.release();
    outcomes[i] = std::move(out);
  }
  outcomes[i].file = model::FileRef::view(files[i]); // as analyze() keeps it
  // On the thread pool: the module names were made by analyze(), before its threads, never here.
  dropImportsOutOfRun(outcomes[i], *run.namesByModulePath(), i);
}

// Sites left for a missing `self.<attr>` that a base __init__ may assign (SiteRecord::hookClass):
// those whose base __init__ that runs first does assign it on every path are recorded in
// run.baseProvided, so that their files, planned again, take it from there (an unsafe fix: the
// direct call used the library's default project). Returns the files whose set changed.
std::vector<size_t> resolveBaseHooks(Run &run, index::ClassIndex &classes) {
  std::vector<size_t> changed;
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
    if (!run.active[i] || o.failed)
      continue;
    std::set<std::pair<unsigned, unsigned>> provided;
    for (const auto &r : o.records)
      if (!r.hookClass.empty() && classes.baseBinds(i, r.hookClass, r.hookAttr))
        provided.insert({r.line, r.col});
    auto &now = run.baseProvided[i];
    if (provided != now) {
      now = std::move(provided);
      changed.push_back(i);
    }
    if (now.empty())
      run.baseProvided.erase(i);
  }
  return changed;
}

// The class facts of file i, read again (hash-checked); nullopt when it cannot be read or parsed.
std::optional<model::FileFacts> classFactsAgain(const Run &run, size_t i) {
  auto bytes = run.reread(i);
  if (!bytes) {
    llvm::consumeError(bytes.takeError());
    return std::nullopt;
  }
  return classFactsOf(run.found.files[i], std::move(*bytes), run.rules, contextFor(run, i));
}

// The files with sites whose missing `self.<attr>` a base __init__ may assign (SiteRecord::hookClass).
std::vector<size_t> filesWithBaseHooks(const std::vector<model::FileOutcome> &outcomes) {
  std::vector<size_t> out;
  for (size_t i = 0; i < outcomes.size(); ++i)
    if (std::any_of(outcomes[i].records.begin(), outcomes[i].records.end(),
                    [](const auto &r) { return !r.hookClass.empty(); }))
      out.push_back(i);
  return out;
}

// Bases in files the analysis did not parse are parsed on the thread pool, not one at a time as
// the class index resolves them: those of the classes of `candidates` and of `hookFiles`.
// (Several files a base's module path may denote are all parsed.)
template <class Load>
void prefetchBases(const Run &run, index::ClassIndex &classes, std::vector<size_t> starts,
                   const std::vector<size_t> &hookFiles, Load &load) {
  starts.insert(starts.end(), hookFiles.begin(), hookFiles.end());
  classes.prefetch(starts, [&](const std::vector<size_t> &need) { parallelFor(need, run.options.jobs, load); });
}

// The reduce step: the class index across all files decides which client overrides are
// redundant; the files holding them are planned again with those removals. Bases in files the
// prefilter skipped are parsed on demand.
HierarchyDecisions applyHierarchy(Run &run) {
  const auto &files = run.found.files;
  const auto &rules = run.rules;
  const auto &active = run.active;
  auto &outcomes = run.outcomes;
  auto *inherited = run.options.withInherited ? &run.inherited : nullptr;
  cache::Cache *cache = run.cache.get();
  unsigned jobs = run.options.jobs;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto &facts = outcomes[i].facts;
    bool hasOverride = facts && std::any_of(facts->classes.begin(), facts->classes.end(), [](const auto &c) {
                         return std::any_of(c.assignments.begin(), c.assignments.end(), [](const auto &a) {
                           return a.source == model::AttributeAssignment::Source::Site;
                         });
                       });
    if (hasOverride && !outcomes[i].failed)
      candidates.push_back(i);
  }
  std::vector<size_t> hookFiles = filesWithBaseHooks(outcomes);
  bool hooks = !hookFiles.empty();
  if (candidates.empty() && !inherited && !hooks)
    return {};
  std::vector<Box<model::FileFacts>> loaded(files.size()); // one pointer a file: most are never loaded
  std::vector<char> tried(files.size(), 0);                // not vector<bool>: files are loaded in parallel
  auto load = [&](size_t i) -> const model::FileFacts * {
    if (outcomes[i].facts)
      return &*outcomes[i].facts;
    if (!tried[i]) {
      tried[i] = 1;
      if (auto again = classFactsAgain(run, i))
        loaded[i] = std::move(*again);
      // Remembered with the file's other results, so the next run parses it no more.
      if (cache && loaded[i] && active[i] && !outcomes[i].failed) {
        model::FileOutcome withFacts = outcomes[i];
        withFacts.facts = *loaded[i];
        cache->put(withFacts, cacheVariant(run, i));
      }
    }
    return loaded[i] ? &*loaded[i] : nullptr;
  };
  index::ClassIndex classes(run.namesByModulePath(), load);
  prefetchBases(run, classes, candidates, hookFiles, load);
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
  std::set<size_t> replan;
  for (const auto &[file, _] : removals)
    replan.insert(file);
  if (hooks)
    for (size_t file : resolveBaseHooks(run, classes))
      replan.insert(file);
  // Outcomes are replaced in place; the maps read by the workers are not modified meanwhile.
  // The cache keeps these plans too, keyed by the file's bytes and the removals decided.
  parallelFor(std::vector<size_t>(replan.begin(), replan.end()), jobs, [&](size_t i) {
    analysis::FileContext context = contextFor(run, i);
    auto r = removals.find(i);
    if (r != removals.end())
      context.removals = r->second;
    pipeline::replan(run, i, context, planVariant(run, i, r != removals.end() ? &r->second : nullptr, nullptr));
  });
  if (inherited)
    collectInherited(
        run, files, outcomes, active, rules, classes, load, [&](size_t i) { return tried[i] && loaded[i]; }, jobs,
        *inherited);
  return out;
}

// A pool import added at module level to a module without __all__ leaks through `import *` into
// the modules that star-import it (pipeline/uses.h: starImportClashes): where one of them binds or
// reads the name already, the module's sites reach the pooled function through its module, as
// when the name is taken in the file itself (analysis::FileContext::starClashes). The files
// whose rewritten sites use such a name are planned again knowing them. Before the class index and
// the test patches, which then see the sites as migrate writes them.
void avoidStarClashes(Run &run) {
  std::set<std::string> names; // what a pool import may bind: each function, each pool module's last part
  for (const auto &rule : run.rules)
    for (const auto &rw : rule.rewrites) {
      const std::string &module = rw.replace.module;
      for (std::string name : {rw.replace.function, module.substr(module.rfind('.') + 1)})
        if (!name.empty() && name[0] != '_')
          names.insert(std::move(name));
    }
  auto head = [](const std::string &pooled) { return pooled.substr(0, pooled.find_first_of(".(")); };
  auto uses = [&](size_t i, auto &&wanted) {
    return std::any_of(run.outcomes[i].records.begin(), run.outcomes[i].records.end(),
                       [&](const model::SiteRecord &r) { return r.fixable() && wanted(head(r.pooled)); });
  };
  std::set<size_t> exporters;
  for (size_t i = 0; i < run.outcomes.size(); ++i)
    if (run.active[i] && !run.outcomes[i].failed && uses(i, [&](const std::string &h) { return names.count(h); }))
      exporters.insert(i);
  if (exporters.empty())
    return;
  std::vector<size_t> files;
  for (auto &found : starImportClashes(run, exporters, names)) {
    const auto &clashes = found.second;
    if (uses(found.first, [&](const std::string &h) { return clashes.count(h); })) {
      run.starClashes[found.first] = clashes;
      files.push_back(found.first);
    }
  }
  parallelFor(files, run.options.jobs,
              [&](size_t i) { replan(run, i, contextFor(run, i), planVariant(run, i, nullptr, nullptr)); });
}

// The rewrite of a `leave_closed` rule that made a site (the rule's, matching its callable).
const rules::Rewrite *rewriteOf(const Run &run, const model::SiteRecord &r) {
  for (const auto &rule : run.rules)
    if (rule.id == r.rule)
      for (const auto &rw : rule.rewrites)
        if (std::find(rw.match.begin(), rw.match.end(), r.callable) != rw.match.end())
          return &rw;
  return nullptr;
}

// Why `use` (in file `file`) makes the object of a site of rewrite `rw` held as `h` unsafe to share,
// or "" when it does not touch it: a use of an attribute the rule lists, or a call of `close`, on
// the name it is held in (an attribute holder only as an attribute: `X.session.headers`, not a
// variable `session`).
std::string touchedBy(const Run &run, const rules::Rewrite &rw, const model::Holder &h, size_t file,
                      const model::ConfigUse &use) {
  if (use.holder != h.name || (h.attribute && !use.dotted))
    return "";
  std::string where = fmt::format("{}:{}: .{}", run.found.files[file].display(), use.line, use.attr);
  if (use.attr == "close")
    return fmt::format("client is closed by other code ({}())", where);
  if (std::find(rw.leaveIfConfigured.begin(), rw.leaveIfConfigured.end(), use.attr) == rw.leaveIfConfigured.end())
    return "";
  std::string message = rw.configuredMessage;
  constexpr std::string_view kThis = "by this code";
  if (message.size() >= kThis.size() && message.compare(message.size() - kThis.size(), kThis.size(), kThis) == 0)
    message.replace(message.size() - kThis.size(), kThis.size(), "by other code");
  else
    message += " (by other code)";
  return fmt::format("{} ({})", message, where);
}

// The analysis follows the object a site creates through its own file only: the names, `self`
// attributes (in every method of the class) and module-level names that hold it. Another module may
// reach the object through the name it is held in, and configure or close it there: a subclass
// (`self.session.headers.update(...)` in its __init__), code holding an instance
// (`c.session.auth = ...`), an importer of a module-level name (`from pkg.base import SESSION`,
// `b.SESSION.mount(...)`). Shared, that configuration would reach every user of the pool. So a site
// of a `leave_closed` rule that the run would rewrite (or would with --unsafe-fixes), whose object is
// held in `self.<attr>` (or a class attribute) or a module-level name, is left when any file of the
// run configures or closes something through that name (ConfigUse, found in every file's text as it
// was read): by name, not by type, so a use in an unrelated class leaves it too. Its files are planned
// again knowing why. Before the other steps, which then see the sites as left, and for every command,
// so that check and the manifest count what migrate does.
void leaveConfiguredElsewhere(Run &run) {
  const auto &files = run.found.files;
  std::set<std::string> names;
  for (size_t i = 0; i < files.size(); ++i)
    if (run.active[i] && !run.outcomes[i].failed)
      for (const auto &r : run.outcomes[i].records)
        if (r.outcome == model::Outcome::Rewritten || r.outcome == model::Outcome::Unsafe)
          for (const auto &h : r.holders)
            names.insert(h.name);
  if (names.empty())
    return;
  // The files of other shards were not analyzed: their texts are read again for it.
  std::vector<size_t> unread;
  for (size_t i = 0; i < files.size(); ++i)
    if (!run.active[i])
      unread.push_back(i);
  std::vector<std::vector<model::ConfigUse>> scanned(files.size());
  std::vector<std::string> attributes = analysis::configuringAttributes(run.rules);
  parallelFor(unread, run.options.jobs, [&](size_t i) {
    auto bytes = run.reread(i);
    if (!bytes) {
      llvm::consumeError(bytes.takeError());
      return;
    }
    scanned[i] = analysis::scanConfigUses(*bytes, attributes);
  });
  // name -> (file, use), in file order, then in the file's
  std::map<std::string, std::vector<std::pair<size_t, const model::ConfigUse *>>> uses;
  for (size_t i = 0; i < files.size(); ++i) {
    auto note = [&](const model::ConfigUse &u) {
      if (names.count(u.holder))
        uses[u.holder].push_back({i, &u});
    };
    for (const auto &u : run.outcomes[i].configures)
      note(u);
    for (const auto &u : scanned[i])
      note(u);
  }
  std::vector<size_t> replanned;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!run.active[i] || run.outcomes[i].failed)
      continue;
    std::map<std::pair<unsigned, unsigned>, std::string> left;
    for (const auto &r : run.outcomes[i].records) {
      if (r.holders.empty() || (r.outcome != model::Outcome::Rewritten && r.outcome != model::Outcome::Unsafe))
        continue;
      const rules::Rewrite *rw = rewriteOf(run, r);
      if (!rw)
        continue;
      std::string why;
      for (const auto &h : r.holders) {
        auto found = uses.find(h.name);
        if (found == uses.end())
          continue;
        for (const auto &[file, use] : found->second)
          if (why = touchedBy(run, *rw, h, file, *use); !why.empty())
            break;
        if (!why.empty())
          break;
      }
      if (!why.empty())
        left[{r.line, r.col}] = why;
    }
    if (!left.empty()) {
      run.configuredElsewhere[i] = std::move(left);
      replanned.push_back(i);
    }
  }
  parallelFor(replanned, run.options.jobs,
              [&](size_t i) { replan(run, i, contextFor(run, i), planVariant(run, i, nullptr, nullptr)); });
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

using Retargets = std::map<size_t, std::vector<model::PatchRetarget>>; // test file -> its retargets

bool anyMocks(const Run &run) {
  return std::any_of(run.outcomes.begin(), run.outcomes.end(),
                     [](const model::FileOutcome &o) { return !o.mocks.empty() && !o.failed; });
}

// Test patches that keep intercepting (pipeline/intercept.h): the sites a patch reaches that no
// one retargeted patch can stand for are held, and their files planned again (with the removals of
// redundant overrides they had), until no more sites are held. The last plan decides the patches.
// The patch reach lives for one call: the class index that decideWithHolds runs between two calls
// parses base classes (a run's peak of memory), and does not need it.
InterceptPlan holdSitesForPatches(Run &run, const Removals &removals) {
  if (!anyMocks(run))
    return {};
  PatchReach reach(run);
  for (unsigned round = 0;; ++round) {
    ModuleNamesAfterRun names(run); // the files were planned again since the last round
    InterceptPlan plan = planIntercepts(run, names, reach);
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
      replan(run, i, context, planVariant(run, i, r != removals.end() ? &r->second : nullptr, nullptr));
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
  ModuleNamesAfterRun names(run);
  BindsAtModuleLevel binds = names.function();
  std::vector<size_t> active;
  for (size_t i = 0; i < files.size(); ++i)
    if (run.active[i])
      active.push_back(i);
  auto recordsOf = [&](size_t i) -> const std::vector<model::SiteRecord> & { return outcomes[i].records; };
  Retargets retargets;
  for (auto &p : planRetargets(outcomes, active, recordsOf, binds, run.namesByDisplay().get()))
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
    replan(run, i, context, fmt::format("patches {:x} ", contentHash(key)) + variant);
  });
}

// Says (with --explain) why each override the class index kept stays.
void noteKeptOverrides(Run &run, const HierarchyDecisions &hierarchy) {
  for (const auto &d : hierarchy.kept)
    run.outcomes[d.file].messages.push_back(
        {d.line, d.col,
         fmt::format("{}:{}:{}: {}: {}", run.found.files[d.file].display(), d.line, d.col, d.rule, d.note), false});
}

} // namespace

// The sites held so far, (file, line, column).
std::set<std::tuple<size_t, unsigned, unsigned>> heldSites(const Run &run) {
  std::set<std::tuple<size_t, unsigned, unsigned>> held;
  for (const auto &[file, sites] : run.holds)
    for (const auto &[at, _] : sites)
      held.insert({file, at.first, at.second});
  return held;
}

// Overrides removed as redundant with a base's pooled client are decided again when sites were
// held for test patches since: the held one may be that client, which then stays direct. The files
// that had removals are planned again without them (with their holds), then the class index decides
// on the verdicts as they now are, until no more sites are held. The class index's warnings depend
// on the classes' bases only, so each is given once.
void decideWithHolds(Run &run, HierarchyDecisions &hierarchy, InterceptPlan &intercepts) {
  auto held = heldSites(run);
  for (unsigned round = 0; round < 8 && !hierarchy.removals.empty(); ++round) {
    intercepts = holdSitesForPatches(run, hierarchy.removals);
    releaseFreePages(); // the patches' reach
    auto now = heldSites(run);
    if (now == held)
      return;
    held = std::move(now);
    std::vector<size_t> had;
    for (const auto &[file, _] : hierarchy.removals)
      had.push_back(file);
    parallelFor(had, run.options.jobs,
                [&](size_t i) { replan(run, i, contextFor(run, i), planVariant(run, i, nullptr, nullptr)); });
    size_t warnings = run.warnings.size();
    hierarchy = applyHierarchy(run);
    releaseFreePages();
    run.warnings.resize(warnings);
  }
  intercepts = holdSitesForPatches(run, hierarchy.removals);
}

model::FileOutcome notRewritten(const model::SourceFile &file, llvm::Error why) {
  model::FileOutcome out;
  out.file = file;
  out.failed = true;
  std::string reason = llvm::toString(std::move(why));
  out.messages.push_back({0, 0, fmt::format("{}: error: {}; file not rewritten", file.display(), reason), true,
                          std::string(kUnanalyzable), reason});
  return out;
}

void reduce(Run &run) {
  // Every command: check and the manifest count a site as migrate writes or leaves it, also where
  // a pool import would leak through `import *` (only the files whose text may star-import are
  // read again, FileOutcome::mayStar).
  leaveConfiguredElsewhere(run);
  avoidStarClashes(run);
  HierarchyDecisions hierarchy = applyHierarchy(run);
  releaseFreePages(); // the class index's parses of base classes
  // Sites held for the test patches that intercept them change verdicts: check and the manifest
  // count them as migrate will (unsafe fixes), so this runs for every command.
  InterceptPlan intercepts;
  decideWithHolds(run, hierarchy, intercepts);
  run.plans->close(); // the steps after plan each file with variants it never had

  // The reach facts the plans remembered in the outcomes serve no later step (the cache has its
  // own copy of those it keeps): dropped before the steps that scan every file again.
  for (auto &o : run.outcomes)
    o.reach.reset();
  run.reachMemo->close();
  releaseFreePages();
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
  releaseFreePages(); // every file's uses
  applyPatchRetargets(run, retargets, hierarchy.removals, keeps);
  noteKeptOverrides(run, hierarchy);
}

} // namespace poolify::pipeline

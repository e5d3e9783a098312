#include "cli/run.h"

#include "cli/options.h"
#include "analysis/sites.h"
#include "index/hierarchy.h"
#include "source/file_io.h"
#include "support/text.h"

#include <llvm/Support/ThreadPool.h>
#include <llvm/Support/Threading.h>
#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <map>
#include <mutex>
#include <unordered_set>

namespace poolify::cli {

namespace {

// Runs work(i) for each index, on --jobs threads; each index writes only its own slot.
template <typename F> void parallelFor(const std::vector<size_t> &indices, F work) {
  if (Jobs == 1 || indices.size() < 2) {
    for (size_t i : indices)
      work(i);
    return;
  }
  // One task per thread, each taking the next index (not one queued task per file: at 100k files
  // the queue alone took megabytes).
  llvm::ThreadPoolStrategy strategy = llvm::hardware_concurrency(Jobs);
  unsigned threads = std::min<unsigned>(strategy.compute_thread_count(), static_cast<unsigned>(indices.size()));
  llvm::ThreadPool pool(strategy);
  std::atomic<size_t> next{0};
  for (unsigned t = 0; t < threads; ++t)
    pool.async([&] {
      for (size_t k = next++; k < indices.size(); k = next++)
        work(indices[k]);
    });
  pool.wait();
}

// Progress on a terminal for runs of a few hundred files or more (never when piped or --quiet).
class Progress {
public:
  explicit Progress(size_t total)
      : total_(total), on_(total >= 200 && !Quiet && llvm::errs().is_displayed()) {}
  void tick() {
    size_t n = ++done_;
    if (!on_ || (n % 50 != 0 && n != total_))
      return;
    std::lock_guard<std::mutex> lock(mutex_);
    llvm::errs() << fmt::format("\rpoolify: analyzed {}/{} files", n, total_);
    if (n == total_)
      llvm::errs() << "\r\033[K";
    llvm::errs().flush();
  }

private:
  size_t total_;
  bool on_;
  std::atomic<size_t> done_{0};
  std::mutex mutex_;
};

// One file: from the cache when its bytes are unchanged, else analyzed (and remembered). The
// outcome comes back released: a run holds compact results, not every file's text.
pipeline::FileOutcome processOne(const source::SourceFile &file, const std::vector<rules::Rule> &rules,
                                 cache::Cache *cache) {
  auto bytes = source::readFile(file.path);
  if (!bytes)
    return pipeline::unreadable(file, bytes.takeError());
  if (cache)
    if (auto hit = cache->lookup(file, contentHash(*bytes)))
      return std::move(*hit);
  pipeline::FileOutcome out = pipeline::processText(file, std::move(*bytes), rules);
  if (cache)
    cache->put(out);
  out.release();
  return out;
}

std::vector<pipeline::FileOutcome> processAll(const std::vector<source::SourceFile> &files,
                                              const std::vector<rules::Rule> &rules, const std::vector<bool> &active,
                                              cache::Cache *cache) {
  std::vector<pipeline::FileOutcome> outcomes(files.size());
  std::vector<size_t> all;
  for (size_t i = 0; i < files.size(); ++i) {
    outcomes[i].file = files[i];
    if (active[i])
      all.push_back(i);
  }
  Progress progress(all.size());
  parallelFor(all, [&](size_t i) {
    outcomes[i] = processOne(files[i], rules, cache);
    progress.tick();
  });
  return outcomes;
}

// The path a module's name comes from: relative to the configured source root that holds it
// (src/pkg/mod.py -> pkg/mod.py), else the display path; bases are matched by module-path suffix.
std::string modulePath(const config::Config &cfg, const source::SourceFile &f) {
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
void collectInherited(const std::vector<source::SourceFile> &files, const std::vector<pipeline::FileOutcome> &outcomes,
                      const std::vector<bool> &active, const std::vector<rules::Rule> &rules,
                      index::ClassIndex &classes, Load &load, WasLoaded wasLoaded,
                      std::vector<std::vector<index::ClassIndex::Inherited>> &inherited) {
  // Texts are read again when scanned (a run keeps no file's text): only files that contain
  // "class " at all, which the analysis noted (files outside the shard: on their first read).
  std::vector<char> hasClass(files.size(), 0); // 0 unknown, 1 no, 2 yes
  for (size_t i = 0; i < files.size(); ++i)
    if (active[i])
      hasClass[i] = outcomes[i].mentionsClass ? 2 : 1;
  auto textOf = [&](size_t i) -> std::string {
    if (hasClass[i] == 1)
      return std::string();
    auto bytes = source::readFile(files[i].path);
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
    parallelFor(indices, [&](size_t i) {
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

// The reduce step: the class index across all files decides which client overrides are
// redundant; the files holding them are planned again with those removals. Bases in files the
// prefilter skipped are parsed on demand.
void applyHierarchy(const std::vector<source::SourceFile> &files, const std::vector<rules::Rule> &rules,
                    const config::Config &cfg, const std::vector<bool> &active,
                    std::vector<pipeline::FileOutcome> &outcomes,
                    std::vector<std::vector<index::ClassIndex::Inherited>> *inherited, cache::Cache *cache) {
  std::vector<std::string> displays;
  std::vector<size_t> candidates;
  for (size_t i = 0; i < files.size(); ++i) {
    displays.push_back(modulePath(cfg, files[i]));
    const auto &facts = outcomes[i].facts;
    bool hasOverride = facts && std::any_of(facts->classes.begin(), facts->classes.end(), [](const auto &c) {
      return std::any_of(c.assignments.begin(), c.assignments.end(), [](const auto &a) {
        return a.source == analysis::AttributeAssignment::Source::Site;
      });
    });
    if (hasOverride && !outcomes[i].failed)
      candidates.push_back(i);
  }
  if (candidates.empty() && !inherited)
    return;
  std::vector<std::optional<analysis::FileFacts>> loaded(files.size());
  std::vector<char> tried(files.size(), 0); // not vector<bool>: files are loaded in parallel
  auto load = [&](size_t i) -> const analysis::FileFacts * {
    if (outcomes[i].facts)
      return &*outcomes[i].facts;
    if (!tried[i]) {
      tried[i] = 1;
      loaded[i] = pipeline::classFactsOf(files[i], rules);
      // Remembered with the file's other results, so the next run parses it no more.
      if (cache && loaded[i] && active[i] && !outcomes[i].failed) {
        pipeline::FileOutcome withFacts = outcomes[i];
        withFacts.facts = loaded[i];
        cache->put(withFacts);
      }
    }
    return loaded[i] ? &*loaded[i] : nullptr;
  };
  index::ClassIndex classes(displays, load);
  auto decisions = classes.decideOverrides(candidates);
  for (const auto &p : classes.problems())
    llvm::errs() << "poolify: warning: " << p << "\n";
  std::map<size_t, std::map<uint32_t, rewrite::Removal>> removals;
  std::vector<index::OverrideDecision> kept;
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
  parallelFor(replan, [&](size_t i) {
    const auto &fileRemovals = removals.at(i);
    std::string key;
    for (const auto &[offset, r] : fileRemovals)
      key += fmt::format("{}\n{}\n{}\n", offset, r.comment, r.note);
    std::string variant = fmt::format("remove {:x}", contentHash(key));
    if (cache)
      if (auto hit = cache->lookup(files[i], outcomes[i].hash, variant)) {
        outcomes[i] = std::move(*hit);
        return;
      }
    auto texts = pipeline::texts(outcomes[i]);
    if (!texts) {
      pipeline::FileOutcome out;
      out.file = files[i];
      out.failed = true;
      out.messages.push_back({0, 0, fmt::format("{}: error: {}; file not rewritten", files[i].display,
                                                llvm::toString(texts.takeError())),
                              true});
      outcomes[i] = std::move(out);
      return;
    }
    pipeline::FileOutcome out = pipeline::processText(files[i], std::move(texts->original), rules, fileRemovals);
    if (cache)
      cache->put(out, variant);
    out.release();
    outcomes[i] = std::move(out);
  });
  for (const auto &d : kept)
    outcomes[d.file].messages.push_back(
        {d.line, d.col, fmt::format("{}:{}:{}: {}: {}", files[d.file].display, d.line, d.col, d.rule, d.note), false});
  if (inherited)
    collectInherited(files, outcomes, active, rules, classes, load, [&](size_t i) { return tried[i] && loaded[i]; },
                     *inherited);
}

} // namespace

// A rewrite that imports a module the codebase does not have would fail at import time:
// say so once per module (the pool may still come from an installed package).
void warnMissingPools(const std::vector<pipeline::FileOutcome> &outcomes) {
  std::map<std::string, std::vector<std::string>> missing;
  for (const auto &o : outcomes)
    if (o.changed())
      for (const auto &m : o.poolModules)
        if (!source::moduleFileAbove(o.file.path, m))
          missing[m].push_back(o.file.display);
  for (const auto &[module, files] : missing)
    llvm::errs() << fmt::format("poolify: warning: {} rewritten file(s) import {}, which is not found beside or above "
                                "them (first: {}); make sure it is importable where they run\n",
                                files.size(), module, files.front());
}


std::string Run::categoryOf(const source::SourceFile &f) const {
  auto rel = config.relative(f.path);
  return rel ? config.categoryOf(*rel) : "other";
}

std::optional<Run> prepareRun(const std::vector<std::string> &paths) {
  Run run;
  std::vector<std::string> roots = paths;
  if (roots.empty())
    roots.push_back(".");
  if (!NoConfig) {
    std::optional<std::string> file = ConfigFile.empty() ? config::findConfig(roots.front())
                                                         : std::optional<std::string>(ConfigFile);
    if (file) {
      auto cfg = config::loadConfig(*file);
      if (!cfg) {
        llvm::errs() << llvm::toString(cfg.takeError()) << "\npoolify: the configuration could not be loaded; "
                                                            "nothing was changed\n";
        return std::nullopt;
      }
      run.config = std::move(*cfg);
    }
  }
  auto rules = selectedRules(run.config.rules, run.config.ruleIds);
  if (!rules)
    return std::nullopt;
  run.rules = std::move(*rules);
  run.found = source::discover(roots);
  for (const auto &n : run.found.notes)
    llvm::errs() << n << "\n";
  if (!run.config.exclude.empty()) {
    auto &files = run.found.files;
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const source::SourceFile &f) {
                                 auto rel = run.config.relative(f.path);
                                 return rel && run.config.excluded(*rel);
                               }),
                files.end());
  }
  // `check` and `manifest` (read-only, and run on every CI build) keep a cache by default; `migrate`
  // and `report` only with an explicit --cache, so a dry run writes nothing anywhere.
  bool cacheByDefault = CheckCmd || ManifestCmd;
  if (!NoCache && (cacheByDefault || !CacheDir.empty())) {
    // The cache is valid for this poolify and these exact rule files, nothing else.
    std::string stamp = fmt::format("poolify-cache 3 {}", POOLIFY_VERSION);
    uint64_t h = 0;
    for (const auto &r : run.rules) {
      auto bytes = source::readFile(r.file);
      std::string text = bytes ? *bytes : (llvm::consumeError(bytes.takeError()), std::string());
      h = h * 31 + contentHash(r.id + "\n" + text);
    }
    stamp += fmt::format(" rules {:x}", h);
    std::string dir = CacheDir.empty() ? cache::defaultCacheDir(roots.front()) : std::string(CacheDir);
    run.cache = std::make_shared<cache::Cache>(dir, stamp);
  }
  run.active.assign(run.found.files.size(), true);
  if (!Shard.empty()) {
    unsigned k = 0, n = 0;
    char slash = 0, extra = 0;
    if (std::sscanf(Shard.c_str(), "%u%c%u%c", &k, &slash, &n, &extra) != 3 || slash != '/' || n == 0 || k == 0 ||
        k > n) {
      llvm::errs() << "poolify: --shard takes K/N with 1 <= K <= N, not '" << Shard << "'\n";
      return std::nullopt;
    }
    for (size_t i = 0; i < run.found.files.size(); ++i)
      run.active[i] = shardOf(run.found.files[i].display, n) == k - 1;
  }
  return run;
}

const std::vector<pipeline::SiteRecord> &recordsOf(Run &run, size_t i) {
  if (run.active[i])
    return run.outcomes[i].records;
  auto it = run.lookup.find(i);
  if (it == run.lookup.end())
    it = run.lookup.emplace(i, pipeline::processFile(run.found.files[i], run.rules).records).first;
  return it->second;
}

bool printErrors(const Run &run) {
  bool failed = !run.found.problems.empty();
  for (const auto &p : run.found.problems)
    llvm::errs() << p << "\n";
  for (const auto &o : run.outcomes) {
    for (const auto &m : o.messages)
      if (m.error)
        llvm::errs() << m.text << "\n";
    failed = failed || o.failed;
  }
  return failed;
}

std::vector<std::string> categoriesOf(const Run &run) {
  std::vector<std::string> out;
  for (const auto &f : run.found.files)
    out.push_back(run.categoryOf(f));
  return out;
}

unsigned shardOf(const std::string &display, unsigned shards) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : display) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<unsigned>(h % shards);
}

void analyze(Run &run, bool withInherited) {
  run.outcomes = processAll(run.found.files, run.rules, run.active, run.cache.get());
  size_t hits = run.cache ? run.cache->hits() : 0;
  applyHierarchy(run.found.files, run.rules, run.config, run.active, run.outcomes,
                 withInherited ? &run.inherited : nullptr, run.cache.get());
  if (run.cache && !run.cache->store())
    llvm::errs() << "poolify: warning: the cache could not be written (the results are not affected)\n";
  if (hits && !Quiet)
    llvm::errs() << fmt::format("poolify: reused {} of {} file results from the cache\n", hits,
                                run.found.files.size());
  for (auto &o : run.outcomes)
    std::stable_sort(o.messages.begin(), o.messages.end(), [](const auto &a, const auto &b) {
      return std::tie(a.line, a.col) < std::tie(b.line, b.col);
    });
}

} // namespace poolify::cli

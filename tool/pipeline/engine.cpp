#include "pipeline/engine.h"

#include "index/hierarchy.h"
#include "pipeline/process.h"
#include "pipeline/reader.h"
#include "pipeline/reduce.h"
#include "source/file_io.h"
#include "support/text.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <mutex>

namespace poolify::pipeline {

llvm::Expected<Shard> parseShard(std::string_view spec) {
  unsigned k = 0, n = 0;
  char slash = 0, extra = 0;
  std::string s(spec);
  if (std::sscanf(s.c_str(), "%u%c%u%c", &k, &slash, &n, &extra) != 3 || slash != '/' || n == 0 || k == 0 || k > n)
    return llvm::createStringError(std::errc::invalid_argument, "poolify: --shard takes K/N with 1 <= K <= N, not '%s'",
                                   s.c_str());
  return Shard{k, n};
}

unsigned shardOf(const std::string &display, unsigned count) {
  uint64_t h = 14695981039346656037ull; // FNV-1a 64-bit offset basis
  for (unsigned char c : display) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<unsigned>(h % count);
}

llvm::Expected<std::vector<rules::Rule>> selectRules(const std::vector<std::string> &paths,
                                                     const std::vector<std::string> &ids,
                                                     const std::vector<std::string> &configPaths,
                                                     const std::vector<std::string> &configIds,
                                                     const std::string &defaultDir) {
  std::vector<std::string> from = !paths.empty()         ? paths
                                  : !configPaths.empty() ? configPaths
                                                         : std::vector<std::string>{defaultDir};
  const std::vector<std::string> &only = !ids.empty() ? ids : configIds;
  auto loaded = rules::loadRules(from);
  if (!loaded)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "%s\npoolify: the rules could not be loaded; nothing "
                                   "was changed",
                                   llvm::toString(loaded.takeError()).c_str());
  if (only.empty()) {
    if (loaded->empty())
      return llvm::createStringError(std::errc::invalid_argument, "poolify: no rule files found in %s",
                                     from.front().c_str());
    return std::move(*loaded);
  }
  std::vector<rules::Rule> picked;
  for (const auto &id : only) {
    auto it = std::find_if(loaded->begin(), loaded->end(), [&](const rules::Rule &r) { return r.id == id; });
    if (it == loaded->end())
      return llvm::createStringError(std::errc::invalid_argument,
                                     "poolify: unknown rule id '%s' (poolify rules list shows them)", id.c_str());
    picked.push_back(*it);
  }
  return picked;
}

llvm::Error applyPoolPackages(std::vector<rules::Rule> &rules, const config::Config &config, bool allRules) {
  for (const auto &entry : config.rulePoolPackages) {
    const std::string &id = entry.first;
    bool known = std::any_of(rules.begin(), rules.end(), [&](const rules::Rule &r) { return r.id == id; });
    if (allRules && !known)
      return llvm::createStringError(std::errc::invalid_argument,
                                     "%s: error: pools.by_rule names rule '%s', which no rule file defines (poolify "
                                     "rules list shows them)",
                                     config.file.c_str(), id.c_str());
  }
  for (auto &r : rules) {
    auto it = config.rulePoolPackages.find(r.id);
    const std::string &to = it != config.rulePoolPackages.end() ? it->second : config.poolPackage;
    if (!to.empty())
      rules::movePoolPackage(r, rules::kShippedPoolPackage, to);
  }
  return llvm::Error::success();
}

std::string Run::categoryOf(const model::SourceFile &f) const {
  auto rel = config.relative(f.path);
  return rel ? config.categoryOf(*rel) : "other";
}

std::vector<std::string> Run::categories() const {
  std::vector<std::string> out;
  for (const auto &f : found.files)
    out.push_back(categoryOf(f));
  return out;
}

llvm::Expected<std::string> Run::reread(size_t i) const {
  std::optional<uint64_t> hash;
  if (i < outcomes.size() && active[i] && !outcomes[i].failed)
    hash = outcomes[i].hash;
  bool changed = false;
  auto bytes = readAgain(found.files[i], hash, &changed);
  if (changed)
    changedOnDisk->note(i);
  return bytes;
}

const std::vector<model::SiteRecord> &Run::recordsOf(size_t i) {
  if (active[i])
    return outcomes[i].records;
  auto it = lookup_.find(i);
  if (it == lookup_.end())
    it = lookup_.emplace(i, processFile(found.files[i], rules, contextFor(*this, i)).records).first;
  return it->second;
}

namespace {

// The configuration of `options` (none with noConfig); the error is the loader's.
llvm::Expected<config::Config> readConfiguration(const RunOptions &options) {
  if (options.noConfig)
    return config::Config{};
  std::optional<std::string> file = options.configFile.empty()
                                        ? config::findConfig(options.paths.empty() ? "." : options.paths.front())
                                        : std::optional<std::string>(options.configFile);
  if (!file)
    return config::Config{};
  return config::loadConfig(*file);
}

llvm::Expected<config::Config> loadConfiguration(const RunOptions &options) {
  auto cfg = readConfiguration(options);
  if (!cfg)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "%s\npoolify: the configuration could not be loaded; nothing was changed",
                                   llvm::toString(cfg.takeError()).c_str());
  return cfg;
}

// The rules of `options` under `config`: selected, then given the configured pool packages.
llvm::Expected<std::vector<rules::Rule>> configuredRules(const RunOptions &options, const config::Config &config) {
  auto rules = selectRules(options.rulePaths, options.ruleIds, config.rules, config.ruleIds, options.defaultRules);
  if (!rules)
    return rules.takeError();
  if (auto err = applyPoolPackages(*rules, config, options.ruleIds.empty() && config.ruleIds.empty()))
    return err;
  return rules;
}

// The cache is valid for this poolify and these exact rule files, nothing else.
std::string cacheStamp(const std::vector<rules::Rule> &rules) {
  std::string stamp = fmt::format("poolify-cache 18 {}", POOLIFY_VERSION);
  uint64_t h = 0;
  for (const auto &r : rules) {
    auto bytes = source::readFile(r.file);
    std::string text = bytes ? *bytes : (llvm::consumeError(bytes.takeError()), std::string());
    h = h * 31 + contentHash(r.id + "\n" + text);
    for (const auto &rw : r.rewrites) // the modules as poolify.yaml's pools: placed them
      h = h * 31 + contentHash(rw.replace.module);
  }
  return stamp + fmt::format(" rules {:x}", h);
}

// One file: from the cache when its bytes (and context) are unchanged, else analyzed (and
// remembered). The outcome comes back released: a run holds compact results, not every file's text.
// A file whose stat data the cache recorded (and which were not racy) is not even read.
model::FileOutcome processOne(const Run &run, size_t i) {
  const model::SourceFile &file = run.found.files[i];
  std::string variant = cacheVariant(run, i);
  std::optional<cache::FileStat> st = !run.cache ? std::nullopt : file.listed ? file.listed : cache::statOf(file.path);
  if (st) {
    std::optional<uint64_t> known = run.cache->unchangedHash(file, *st);
    if (auto hashed = run.hashedBeforeAnalysis.find(i); !known && hashed != run.hashedBeforeAnalysis.end())
      known = hashed->second; // read after the stat data were taken, as below
    if (known)
      if (auto hit = run.cache->lookup(file, *known, variant)) {
        run.cache->noteStat(file, *st, *known);
        return std::move(*hit);
      }
  }
  auto bytes = readSource(file);
  if (!bytes)
    return unreadable(file, bytes.takeError());
  uint64_t hash = contentHash(*bytes);
  if (st)
    run.cache->noteStat(file, *st, hash);
  if (run.cache)
    if (auto hit = run.cache->lookup(file, hash, variant))
      return std::move(*hit);
  analysis::FileContext context = contextFor(run, i);
  context.reachFacts = true;
  model::FileOutcome out = processText(file, std::move(*bytes), run.rules, context);
  if (out.reach) { // the run keeps them apart (and shared), and the cache keeps them with the reach's
    run.reachMemo->keep(i, std::move(*out.reach));
    out.reach.reset();
  }
  if (run.cache)
    run.cache->put(out, variant);
  out.release();
  return out;
}

std::vector<std::string> poolModules(const std::vector<rules::Rule> &rules) {
  std::vector<std::string> out;
  for (const auto &r : rules)
    for (const auto &rw : r.rewrites)
      if (std::find(out.begin(), out.end(), rw.replace.module) == out.end())
        out.push_back(rw.replace.module);
  return out;
}

// What a run's results depend on besides its files' bytes (cache/results.h): poolify and the rules,
// where it runs and on what, the configuration's bytes, the tier of fixes, whether the inherited
// clients are listed, and what the import roots found on disk.
std::string resultsKey(const Run &run, const RunOptions &options) {
  std::string key = run.cacheStamp + "\n";
  key += fmt::format("cwd {}\n", source::workingDirectory());
  for (const auto &p : options.paths)
    key += fmt::format("path {}\n", p);
  std::string configBytes;
  if (!run.config.file.empty()) {
    auto bytes = source::readFile(run.config.file);
    configBytes = bytes ? *bytes : (llvm::consumeError(bytes.takeError()), std::string("unreadable"));
  }
  key += fmt::format("config {} {:x} {}\n", run.config.file, contentHash(configBytes), configBytes.size());
  key += fmt::format("config file {}\nno config {}\n", options.configFile, options.noConfig);
  for (const auto &id : options.ruleIds)
    key += fmt::format("rule {}\n", id);
  key += fmt::format("unsafe {}\ninherited {}\n", options.unsafeFixes, options.withInherited);
  return key + (run.roots ? run.roots->fingerprint() : std::string());
}

const char *const kCacheNotWritten = "the cache could not be written (the results are not affected)";

// The last run's results, when they stand for this one (cache/results.h).
bool restoreResults(Run &run) {
  cache::RunFindings found;
  std::vector<std::pair<size_t, uint64_t>> rehashed;
  auto hashNow = [&run](size_t i) -> std::optional<uint64_t> {
    auto bytes = readSource(run.found.files[i]);
    if (!bytes) {
      llvm::consumeError(bytes.takeError());
      return std::nullopt;
    }
    return contentHash(*bytes);
  };
  if (!run.results->restore(run.found.files, run.options.jobs, run.outcomes, found, hashNow, &rehashed)) {
    run.hashedBeforeAnalysis.insert(rehashed.begin(), rehashed.end());
    return false;
  }
  // Their stat data changed, their bytes did not: recorded anew, so the next run need not read them.
  if (!rehashed.empty() && !run.results->store(run.found.files, run.outcomes, found, run.options.jobs))
    run.warnings.push_back(kCacheNotWritten);
  run.warnings.insert(run.warnings.end(), found.warnings.begin(), found.warnings.end());
  run.holds = std::move(found.holds);
  run.baseProvided = std::move(found.baseProvided);
  if (run.options.withInherited)
    run.inherited = std::move(found.inherited);
  run.resultsReused = true;
  return true;
}

// Records this run's results for the next (the warnings from `firstWarning` on are this analysis's).
bool storeResults(const Run &run, size_t firstWarning) {
  cache::RunFindings found;
  found.warnings.assign(run.warnings.begin() + static_cast<std::ptrdiff_t>(firstWarning), run.warnings.end());
  found.holds = run.holds;
  found.baseProvided = run.baseProvided;
  found.inherited = run.inherited;
  return run.results->store(run.found.files, run.outcomes, found, run.options.jobs);
}

} // namespace

llvm::Expected<std::vector<rules::Rule>> rulesOf(const RunOptions &options, bool withConfig) {
  config::Config none;
  auto cfg = withConfig ? readConfiguration(options) : llvm::Expected<config::Config>(std::move(none));
  if (!cfg)
    return cfg.takeError();
  return configuredRules(options, *cfg);
}

std::vector<std::string> pathsWithoutPython(const Run &run) {
  std::string cwd = source::workingDirectory(); // asked once: not once per file
  if (cwd.empty())
    return {};
  auto absolute = [&cwd](const std::string &p) { return source::lexicalAbsolute(p, cwd); };
  std::vector<std::string> files;
  files.reserve(run.found.files.size());
  for (const auto &f : run.found.files)
    files.push_back(absolute(f.path));
  std::vector<std::string> out;
  for (const auto &p : run.options.paths) {
    if (!llvm::sys::fs::exists(p))
      continue;
    std::string root = absolute(p);
    std::string under = root == "/" ? root : root + "/";
    bool any = std::any_of(files.begin(), files.end(),
                           [&](const std::string &f) { return f == root || f.compare(0, under.size(), under) == 0; });
    if (!any)
      out.push_back(p);
  }
  return out;
}

llvm::Expected<Run> prepare(RunOptions options) {
  if (options.paths.empty())
    options.paths.push_back(".");
  Run run;
  auto cfg = loadConfiguration(options);
  if (!cfg)
    return cfg.takeError();
  run.config = std::move(*cfg);
  auto rules = configuredRules(options, run.config);
  if (!rules)
    return rules.takeError();
  run.rules = std::move(*rules);
  run.found = source::discover(options.paths, options.jobs);
  if (!run.config.exclude.empty()) {
    auto &files = run.found.files;
    files.erase(std::remove_if(files.begin(), files.end(),
                               [&](const model::SourceFile &f) {
                                 auto rel = run.config.relative(f.path);
                                 return rel && run.config.excluded(*rel);
                               }),
                files.end());
  }
  run.roots = std::make_shared<ImportRoots>(run.config, options.paths, run.found.files, poolModules(run.rules));
  if (options.useCache) {
    run.cacheDir = options.cacheDir.empty() ? cache::defaultCacheDir(options.paths.front()) : options.cacheDir;
    run.cacheStamp = cacheStamp(run.rules);
  }
  if (options.useCache && !options.finalEdits && !options.shard)
    run.results = std::make_shared<cache::Results>(
        run.cacheDir, options.withInherited ? "poolify-results-inherited.dat" : "poolify-results.dat",
        resultsKey(run, options));
  run.active.assign(run.found.files.size(), true);
  if (options.shard)
    for (size_t i = 0; i < run.found.files.size(); ++i)
      run.active[i] = shardOf(run.found.files[i].display(), options.shard->count) == options.shard->index - 1;
  run.options = std::move(options);
  return run;
}

void analyze(Run &run) {
  const auto &files = run.found.files;
  run.outcomes.assign(files.size(), {});
  std::vector<size_t> active;
  for (size_t i = 0; i < files.size(); ++i) {
    run.outcomes[i].file = model::FileRef::view(files[i]);
    if (run.active[i])
      active.push_back(i);
  }
  if (run.results && restoreResults(run)) {
    run.cacheHits = active.size();
    return;
  }
  if (run.options.useCache && !run.cache)
    run.cache = std::make_shared<cache::Cache>(run.cacheDir, run.cacheStamp);
  size_t warnings = run.warnings.size();
  size_t done = 0;
  std::mutex progressMutex;
  std::shared_ptr<const index::ModuleNames> names = run.namesByModulePath(); // made before the threads read it
  parallelFor(active, run.options.jobs, [&](size_t i) {
    run.outcomes[i] = processOne(run, i);
    run.outcomes[i].file = model::FileRef::view(files[i]); // not a copy of its path for every file
    dropImportsOutOfRun(run.outcomes[i], *names, i);
    if (run.options.progress) { // counted under the lock, so the count never goes backwards
      std::lock_guard<std::mutex> lock(progressMutex);
      run.options.progress(++done, active.size());
    }
  });
  run.cacheHits = run.cache ? run.cache->hits() : 0;
  releaseFreePages(); // the workers' parse trees and texts
  reduce(run);
  bool changed = false;
  for (size_t i : run.changedOnDisk->take()) { // analyzed at one content, read again at another
    run.outcomes[i] = notRewritten(files[i], changedSinceRead());
    changed = true;
  }
  for (auto &o : run.outcomes) {
    std::stable_sort(o.messages.begin(), o.messages.end(),
                     [](const auto &a, const auto &b) { return std::tie(a.line, a.col) < std::tie(b.line, b.col); });
    if (!run.options.finalEdits) // the cross-file steps' input: the reports need them no more
      o.facts.reset();
  }
  bool stored = !run.cache || run.cache->store();
  if (run.results && !changed)
    stored = storeResults(run, warnings) && stored;
  if (!stored)
    run.warnings.push_back(kCacheNotWritten);
}

void dropImportsOutOfRun(model::FileOutcome &o, const index::ModuleNames &names, size_t i) {
  if (!o.facts || o.facts->imports.empty())
    return;
  auto entries = o.facts->imports.entries();
  size_t before = entries.size();
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [&](const auto &e) { return !index::ClassIndex::mayResolve(names, e.second, i); }),
                entries.end());
  if (entries.size() != before)
    o.facts->imports = model::ImportTable(entries);
}

std::shared_ptr<const index::ModuleNames> Run::namesByDisplay() {
  if (!byDisplay_)
    byDisplay_ = std::make_shared<const index::ModuleNames>(
        found.files.size(), [this](size_t i) { return std::string_view(found.files[i].display()); });
  return byDisplay_;
}

std::shared_ptr<const index::ModuleNames> Run::namesByModulePath() {
  if (config.sourceRoots.empty()) // every module path is the display path
    return namesByDisplay();
  if (!byModulePath_)
    byModulePath_ = std::make_shared<const index::ModuleNames>(
        found.files.size(), [this](size_t i) { return config.modulePath(found.files[i]); });
  return byModulePath_;
}

analysis::FileContext contextFor(const Run &run, size_t file) {
  analysis::FileContext context;
  context.unsafeFixes = run.options.unsafeFixes;
  if (run.roots) {
    std::shared_ptr<ImportRoots> roots = run.roots;
    std::string path = run.found.files[file].path;
    context.poolProblem = [roots, path](const std::string &module) { return roots->problem(path, module); };
    context.poolCallProblem = [roots, path](const std::string &module, const std::string &function,
                                            const py::CallShape &call) {
      return roots->callProblem(path, module, function, call);
    };
  }
  if (auto h = run.holds.find(file); h != run.holds.end())
    context.holds = h->second;
  if (auto b = run.baseProvided.find(file); b != run.baseProvided.end())
    context.baseProvided = b->second;
  if (auto c = run.starClashes.find(file); c != run.starClashes.end())
    context.starClashes = c->second;
  if (auto c = run.configuredElsewhere.find(file); c != run.configuredElsewhere.end())
    context.configuredElsewhere = c->second;
  return context;
}

std::string cacheVariant(const Run &run, size_t file, bool asAnalyzed) {
  std::string unsafe = run.options.unsafeFixes ? " unsafe" : "";
  if (auto h = run.holds.find(file); !asAnalyzed && h != run.holds.end()) {
    std::string key;
    for (const auto &[at, why] : h->second)
      key += fmt::format("{}:{} {}\n", at.first, at.second, why);
    unsafe += fmt::format(" held {:x}", contentHash(key));
  }
  if (auto b = run.baseProvided.find(file); !asAnalyzed && b != run.baseProvided.end()) {
    std::string key;
    for (const auto &[line, col] : b->second)
      key += fmt::format("{}:{}\n", line, col);
    unsafe += fmt::format(" base {:x}", contentHash(key));
  }
  if (auto c = run.starClashes.find(file); !asAnalyzed && c != run.starClashes.end()) {
    std::string key;
    for (const auto &[name, where] : c->second)
      key += fmt::format("{}\n{}\n", name, where);
    unsafe += fmt::format(" star {:x}", contentHash(key));
  }
  if (auto c = run.configuredElsewhere.find(file); !asAnalyzed && c != run.configuredElsewhere.end()) {
    std::string key;
    for (const auto &[at, why] : c->second)
      key += fmt::format("{}:{} {}\n", at.first, at.second, why);
    unsafe += fmt::format(" conf {:x}", contentHash(key));
  }
  if (!run.roots)
    return unsafe;
  if (std::string key = run.roots->poolKey(run.found.files[file].path); !key.empty())
    unsafe += " signatures " + key;
  std::string problems;
  for (const auto &problem : run.roots->problems(run.found.files[file].path, poolModules(run.rules)))
    problems += problem + "\n";
  if (problems.find_first_not_of('\n') == std::string::npos)
    return unsafe;
  return unsafe + fmt::format(" pools {:x}", contentHash(problems));
}

model::FileOutcome reanalyze(const Run &run, size_t file, std::string text) {
  model::FileOutcome out = processText(run.found.files[file], std::move(text), run.rules, contextFor(run, file));
  out.release();
  return out;
}

} // namespace poolify::pipeline

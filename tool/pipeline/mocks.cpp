#include "pipeline/mocks.h"

#include "index/module_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <optional>

namespace poolify::pipeline {

std::vector<model::MockTarget> findMockTargets(Run &run) {
  return findMockTargets(
      run.outcomes, allFiles(run.outcomes),
      [&](size_t i) -> const std::vector<model::SiteRecord> & { return run.recordsOf(i); }, run.namesByDisplay().get());
}

std::vector<size_t> allFiles(const std::vector<model::FileOutcome> &outcomes) {
  std::vector<size_t> all(outcomes.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  return all;
}

namespace {

// A patch target and the first rewritable site it names.
struct Match {
  size_t test = 0;
  const model::MockCandidate *mock = nullptr;
  size_t module = 0;
  const model::SiteRecord *site = nullptr;
  std::string modulePrefix; // the module as the target names it ("" for the library itself)
};

// `target` is `<module>.<callee>` with <module> a dotted suffix of `dotted` (the file's module).
std::optional<std::string> namesModule(const std::string &target, const std::string &callee, std::string_view d) {
  if (target.size() <= callee.size() + 1 || target.compare(target.size() - callee.size(), callee.size(), callee) != 0 ||
      target[target.size() - callee.size() - 1] != '.')
    return std::nullopt;
  std::string module = target.substr(0, target.size() - callee.size() - 1);
  if (index::ModuleNames::endsWith(d, module))
    return module;
  return std::nullopt;
}

// Every patch target among `files` that names a rewritable site, in file order.
std::vector<Match> matchTargets(const std::vector<model::FileOutcome> &outcomes, const std::vector<size_t> &files,
                                const RecordsOf &recordsOf, const index::ModuleNames *given) {
  std::vector<Match> out;
  // Candidate files, indexed once: a target names the module (its last component at least, as
  // one of the target's components); an object target naming the library itself is looked up
  // among the files analyzed anyway.
  std::optional<index::ModuleNames> made;
  if (!given)
    made.emplace(outcomes.size(), [&](size_t i) { return std::string_view(outcomes[i].file->display()); });
  const index::ModuleNames &names = given ? *given : *made;
  std::vector<char> candidate(outcomes.size(), 0);
  std::vector<size_t> withRecords;
  for (size_t i : files) {
    candidate[i] = 1;
    if (!outcomes[i].records.empty())
      withRecords.push_back(i);
  }
  // Files in the order given (path order), however they are numbered.
  // (A vector, not a hash map: the sort below runs once per patch target, over every file with
  // records for a patch.object target.)
  std::vector<size_t> positions(outcomes.size(), 0);
  for (size_t k = 0; k < files.size(); ++k)
    positions[files[k]] = k;
  auto position = [&](size_t i) { return positions[i]; };
  std::vector<size_t> named, merged;
  for (size_t t : files) {
    const model::FileOutcome &test = outcomes[t];
    for (const auto &mock : test.mocks) {
      named.clear();
      for (size_t b = 0; b <= mock.target.size();) {
        size_t e = std::min(mock.target.find('.', b), mock.target.size());
        std::string_view component = std::string_view(mock.target).substr(b, e - b);
        if (!component.empty()) // the files whose module path ends with it
          for (size_t i : names.endingWith(component))
            if (candidate[i])
              named.push_back(i);
        b = e + 1;
      }
      auto byPosition = [&](size_t a, size_t b) { return position(a) < position(b); };
      std::sort(named.begin(), named.end(), byPosition);
      named.erase(std::unique(named.begin(), named.end()), named.end());
      if (mock.object) { // patch.object(bigquery, "Client"): the library itself, wherever it is used
        merged.clear();  // withRecords is in position order already: merged, not sorted again
        std::set_union(named.begin(), named.end(), withRecords.begin(), withRecords.end(), std::back_inserter(merged),
                       byPosition);
        named.swap(merged);
      }
      // The first rewritable site the target names (files in path order, sites in line order).
      for (size_t i : named) {
        std::string_view d = names.dotted(i);
        Match m{t, &mock, i, nullptr, ""};
        for (const auto &r : recordsOf(i)) {
          if (r.kind != model::SiteRecord::Kind::Direct || !r.fixable())
            continue;
          if (auto module = namesModule(mock.target, r.callee, d)) {
            m.site = &r;
            m.modulePrefix = *module;
          } else if (mock.object && r.callable == mock.target) {
            m.site = &r;
          }
          if (m.site)
            break;
        }
        if (m.site) {
          out.push_back(m);
          break;
        }
      }
    }
  }
  return out;
}

// The retarget of one match, or nullopt when the patch stays as it is (the module keeps a direct
// site of the client, or the target is the library itself).
// `planned`: the outcomes hold this run's plans (the module must change); otherwise the decision is
// made from the records alone (a --shard sees the same as the whole run).
std::optional<model::PatchRetarget> retargetOf(const std::vector<model::FileOutcome> &outcomes, const Match &m,
                                               const RecordsOf &recordsOf, const BindsAtModuleLevel &binds,
                                               bool planned) {
  if (m.modulePrefix.empty())
    return std::nullopt;
  model::PatchRetarget r;
  r.offset = m.mock->offset;
  r.target = m.mock->target;
  r.module = m.modulePrefix;
  r.rule = m.site->rule;
  r.callable = m.site->callable;
  r.modulePath = outcomes[m.module].file->display();
  r.pooled = m.site->pooled;
  if (!m.mock->constant.empty())
    r.handFix = fmt::format("the target is the value of {}; retarget it to {}.{} by hand", m.mock->constant, r.module,
                            r.pooled);
  for (const auto &s : recordsOf(m.module)) {
    if (!s.isDirect() || s.callable != m.site->callable)
      continue;
    if (!s.fixable())
      return std::nullopt; // kept: its import stays, the patch still resolves and intercepts it
    if (s.outcome == model::Outcome::Removed) {
      if (r.handFix.empty())
        r.handFix = fmt::format("{}:{}:{} is removed as a redundant override, so {} has no pooled callable to patch",
                                r.modulePath, s.line, s.col, r.module);
      continue;
    }
    if (s.pooled != r.pooled && r.handFix.empty())
      r.handFix = fmt::format("{} reaches the pool both as {} and as {}; one patch cannot replace both", r.module,
                              r.pooled, s.pooled);
    r.inferred = r.inferred || s.inferred;
  }
  if (planned && (outcomes[m.module].failed || !outcomes[m.module].changed()))
    return std::nullopt; // not migrated in this run after all
  std::string head = r.pooled.substr(0, r.pooled.find_first_of(".("));
  if (r.handFix.empty() && binds && !binds(m.module, head))
    r.handFix = fmt::format("{} imports {} inside a function, so it is not an attribute of the module; patch "
                            "{} where it is defined",
                            r.modulePath, head, head);
  return r;
}

} // namespace

std::vector<model::MockTarget> findMockTargets(const std::vector<model::FileOutcome> &outcomes,
                                               const std::vector<size_t> &files, const RecordsOf &recordsOf,
                                               const index::ModuleNames *names) {
  std::vector<model::MockTarget> out;
  for (const auto &m : matchTargets(outcomes, files, recordsOf, names)) {
    const model::FileOutcome &test = outcomes[m.test];
    // Retargeted by migrate in the same run (and batch) as the module: it keeps intercepting. Decided
    // from the records, as planRetargets does, so a --shard reports what the whole run does.
    auto r = retargetOf(outcomes, m, recordsOf, nullptr, /*planned=*/false);
    if (r && r->handFix.empty())
      continue;
    out.push_back({test.file->display(), m.mock->line, m.mock->col, m.mock->target, outcomes[m.module].file->display(),
                   m.site->line, m.site->col, m.site->rule});
  }
  return out;
}

std::vector<PlannedRetarget> planRetargets(const std::vector<model::FileOutcome> &outcomes,
                                           const std::vector<size_t> &files, const RecordsOf &recordsOf,
                                           const BindsAtModuleLevel &binds, const index::ModuleNames *names) {
  std::vector<PlannedRetarget> out;
  for (const auto &m : matchTargets(outcomes, files, recordsOf, names))
    if (auto r = retargetOf(outcomes, m, recordsOf, binds, /*planned=*/true))
      out.push_back({m.test, m.module, std::move(*r)});
  return out;
}

} // namespace poolify::pipeline

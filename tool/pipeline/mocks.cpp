#include "pipeline/mocks.h"

#include "index/hierarchy.h"

#include <algorithm>
#include <unordered_map>

namespace poolify::pipeline {

std::vector<model::MockTarget> findMockTargets(Run &run) {
  return findMockTargets(run.outcomes, allFiles(run.outcomes),
                         [&](size_t i) -> const std::vector<model::SiteRecord> & { return run.recordsOf(i); });
}

std::vector<size_t> allFiles(const std::vector<model::FileOutcome> &outcomes) {
  std::vector<size_t> all(outcomes.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  return all;
}

std::vector<model::MockTarget> findMockTargets(const std::vector<model::FileOutcome> &outcomes,
                                               const std::vector<size_t> &files, const RecordsOf &recordsOf) {
  std::vector<model::MockTarget> out;
  // Candidate files, indexed once: a string target names the module (its last component at
  // least, as one of the target's components); an object target is looked up only among the
  // files analyzed anyway.
  std::unordered_map<size_t, std::string> dotted;
  std::unordered_map<std::string, std::vector<size_t>> byLastComponent;
  std::vector<size_t> withRecords;
  for (size_t i : files) {
    const std::string &d = dotted[i] = index::ClassIndex::dottedPath(outcomes[i].file.display);
    std::string last = d.substr(d.rfind('.') == std::string::npos ? 0 : d.rfind('.') + 1);
    if (!last.empty())
      byLastComponent[last].push_back(i);
    if (!outcomes[i].records.empty())
      withRecords.push_back(i);
  }
  // Files in the order given (path order), however they are numbered.
  std::unordered_map<size_t, size_t> positions;
  for (size_t k = 0; k < files.size(); ++k)
    positions[files[k]] = k;
  auto position = [&](size_t i) { return positions.at(i); };
  std::vector<size_t> named;
  for (size_t t : files) {
    const model::FileOutcome &test = outcomes[t];
    for (const auto &mock : test.mocks) {
      if (!mock.object) {
        named.clear();
        for (size_t b = 0; b <= mock.target.size();) {
          size_t e = std::min(mock.target.find('.', b), mock.target.size());
          if (auto it = byLastComponent.find(mock.target.substr(b, e - b)); it != byLastComponent.end())
            named.insert(named.end(), it->second.begin(), it->second.end());
          b = e + 1;
        }
        std::sort(named.begin(), named.end(), [&](size_t a, size_t b) { return position(a) < position(b); });
        named.erase(std::unique(named.begin(), named.end()), named.end());
      }
      // The first rewritable site the target names (files in path order, sites in line order).
      for (size_t i : mock.object ? withRecords : named) {
        const std::string &d = dotted.at(i);
        const model::SiteRecord *hit = nullptr;
        const auto &records = recordsOf(i);
        for (const auto &r : records) {
          if (r.kind != model::SiteRecord::Kind::Direct || !r.fixable())
            continue;
          if (mock.object) {
            if (r.callable == mock.target)
              hit = &r;
          } else if (mock.target.size() > r.callee.size() + 1 &&
                     mock.target.compare(mock.target.size() - r.callee.size(), r.callee.size(), r.callee) == 0 &&
                     mock.target[mock.target.size() - r.callee.size() - 1] == '.') {
            std::string module = mock.target.substr(0, mock.target.size() - r.callee.size() - 1);
            if (d == module || (d.size() > module.size() && d.compare(d.size() - module.size(), module.size(), module) == 0 &&
                                d[d.size() - module.size() - 1] == '.'))
              hit = &r;
          }
          if (hit)
            break;
        }
        if (hit) {
          out.push_back({test.file.display, mock.line, mock.col, mock.target, outcomes[i].file.display, hit->line,
                         hit->col, hit->rule});
          break;
        }
      }
    }
  }
  return out;
}

} // namespace poolify::pipeline

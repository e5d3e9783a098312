#include "model/summary.h"

#include <algorithm>

namespace poolify::model {

void MigrateTally::addSites(const FileOutcome &o) {
  rewritten += o.rewritten;
  removed += o.removed;
  for (const auto &r : o.records) {
    left += r.needsHandFix();
    unsafe += r.unsafeFix();
  }
  for (const auto &p : o.patches) {
    patches += !p.after.empty();
    patchesLeft += !p.handFix.empty();
  }
}

ChangeTotals countChanges(const std::vector<FileOutcome> &outcomes) {
  ChangeTotals t;
  for (const auto &o : outcomes) {
    t.changed += o.changed();
    t.left += std::count_if(o.records.begin(), o.records.end(), [](const auto &r) { return r.needsHandFix(); });
  }
  return t;
}

std::map<std::string, unsigned> missingPools(const std::vector<FileOutcome> &outcomes) {
  std::map<std::string, unsigned> missing;
  for (const auto &o : outcomes)
    for (const auto &r : o.records)
      if (auto module = r.missingPool(); module && r.needsHandFix())
        ++missing[*module];
  return missing;
}

} // namespace poolify::model

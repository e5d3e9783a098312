#include "pipeline/coverage.h"

#include "pipeline/mocks.h"
#include "pipeline/reader.h"

namespace poolify::pipeline {

model::Manifest manifestOf(const Run &run, std::vector<model::MockTarget> mocks) {
  return model::viewManifest(run.outcomes, run.categories(), run.inherited, std::move(mocks));
}

AfterMigration analyzeAfter(const Run &run, const AfterSink &sink) {
  AfterMigration after;
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const auto &o = run.outcomes[i];
    auto read = o.changed() ? texts(o) : llvm::Expected<model::Texts>(model::Texts{});
    if (!read) {
      sink.unreadable(o, llvm::toString(read.takeError()));
      after.failed = true;
      after.outcomes.push_back(o);
      continue;
    }
    sink.texts(o, *read);
    after.outcomes.push_back(o.changed() ? reanalyze(run, i, std::move(read->updated)) : o);
  }
  return after;
}

model::Manifest manifestAfter(const Run &run, const std::vector<model::FileOutcome> &after) {
  auto recordsAfter = [&](size_t i) -> const std::vector<model::SiteRecord> & { return after[i].records; };
  return model::viewManifest(after, run.categories(), run.inherited,
                             findMockTargets(after, allFiles(after), recordsAfter));
}

} // namespace poolify::pipeline

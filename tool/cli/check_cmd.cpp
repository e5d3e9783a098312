// poolify check [PATH...] [--format text|json|sarif|github] [--baseline F] [--write-baseline F]
//               [--min-coverage PCT|CATEGORY=PCT]... [--strict]
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "pipeline/gate.h"
#include "pipeline/mocks.h"

#include <llvm/Support/raw_ostream.h>

#include <fmt/format.h>

namespace poolify::cli {

int runCheck() {
  auto format = output::parseFormat(output::FormatChoice::Findings, Format.empty() ? "text" : std::string(Format));
  if (!format) {
    llvm::errs() << llvm::toString(format.takeError()) << "\n";
    return 2;
  }
  std::vector<pipeline::CoverageMinimum> minimums;
  for (const auto &spec : MinCoverage) {
    auto m = pipeline::parseCoverageMinimum(spec);
    if (!m) {
      llvm::errs() << llvm::toString(m.takeError()) << "\n";
      return 2;
    }
    minimums.push_back(*m);
  }
  model::Baseline baseline;
  if (!Baseline.empty()) {
    auto b = pipeline::readBaseline(Baseline);
    if (!b) {
      llvm::errs() << llvm::toString(b.takeError()) << "\n";
      return 2;
    }
    baseline = std::move(*b);
  }
  auto prepared = prepareRun(runOptions(/*cacheByDefault=*/true, /*withInherited=*/!minimums.empty()));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  if (auto err = pipeline::checkCategories(minimums, run.config)) {
    llvm::errs() << llvm::toString(std::move(err)) << "\n";
    return 2;
  }
  analyzeRun(run);
  bool unanalyzable = printErrors(run);
  std::vector<model::MockTarget> mocks = WriteBaseline.empty() ? pipeline::findMockTargets(run)
                                                               : std::vector<model::MockTarget>{};
  pipeline::GateResult gate = pipeline::evaluateGate(run, std::move(baseline), mocks, Strict);
  output::Document doc = documentOf(run);
  if (!WriteBaseline.empty()) {
    doc.baseline = &gate.current;
    if (!writeDocument(run, output::Format::Baseline, doc, WriteBaseline, "baseline", std::vector<size_t>{}))
      return 2;
    unsigned total = 0;
    for (const auto &entry : gate.current.entries)
      total += entry.second;
    llvm::errs() << fmt::format("poolify: wrote a baseline of {} direct sites to {}\n", total,
                                std::string(WriteBaseline));
    return unanalyzable ? 2 : 0;
  }
  bool below = false;
  if (!minimums.empty())
    for (const auto &shortfall : pipeline::coverageShortfalls(manifestOf(run, mocks), minimums)) {
      below = true;
      llvm::errs() << "poolify: " << shortfall << "\n";
    }
  doc.findings = &gate.findings;
  print(run, *format, doc, llvm::outs(), std::vector<size_t>{});
  unsigned errors = gate.errors();
  llvm::errs() << fmt::format("poolify: {} direct sites fail the check, {} warnings ({} in the baseline, {} ignored "
                              "by comment){}\n",
                              errors, gate.findings.size() - errors, gate.baselined, gate.ignored,
                              gate.unsafeFixable ? fmt::format("; {} more fixable with --unsafe-fixes", gate.unsafeFixable)
                                                 : std::string());
  if (unanalyzable)
    return 2;
  return errors || below ? 1 : 0;
}

} // namespace poolify::cli

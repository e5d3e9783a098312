// poolify check [PATH...] [--format text|json|sarif|github] [-o FILE] [--output-FORMAT FILE]...
//               [--summary-markdown FILE] [--baseline F] [--write-baseline F]
//               [--min-coverage PCT|CATEGORY=PCT]... [--strict] [--exit-zero]
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/print.h"
#include "cli/run.h"
#include "output/summary.h"
#include "pipeline/coverage.h"
#include "pipeline/gate.h"
#include "pipeline/mocks.h"

#include <llvm/Support/raw_ostream.h>

#include <iterator>
#include <optional>

namespace poolify::cli {

namespace {

// --min-coverage, each parsed; nullopt (the reason on stderr) when one is not PCT or CATEGORY=PCT.
std::optional<std::vector<pipeline::CoverageMinimum>> parseMinimums() {
  std::vector<pipeline::CoverageMinimum> minimums;
  for (const auto &spec : MinCoverage) {
    auto m = pipeline::parseCoverageMinimum(spec);
    if (!m) {
      llvm::errs() << llvm::toString(m.takeError()) << "\n";
      return std::nullopt;
    }
    minimums.push_back(*m);
  }
  return minimums;
}

// The --baseline read (an empty one without it); nullopt (the reason on stderr) when it cannot be.
std::optional<model::Baseline> readBaselineOption() {
  if (Baseline.empty())
    return model::Baseline();
  auto b = pipeline::readBaseline(Baseline);
  if (!b) {
    llvm::errs() << llvm::toString(b.takeError()) << "\n";
    return std::nullopt;
  }
  return std::move(*b);
}

// Paths in a baseline are relative to its folder (the one written, else the one read).
std::string baselineDirectory() {
  std::string baselineDir = pipeline::baselineFolder(!WriteBaseline.empty() ? WriteBaseline : std::string(Baseline));
  if (WriteBaseline.empty() && Baseline.empty())
    baselineDir.clear();
  return baselineDir;
}

// --write-baseline: writes the gate's current sites, the only output; the exit code.
int writeBaselineFile(const pipeline::Run &run, output::Document doc, const pipeline::GateResult &gate, bool badInput) {
  doc.baseline = &gate.current;
  if (!writeDocument(run, output::Format::Baseline, doc, WriteBaseline, "baseline", std::vector<size_t>{}))
    return 2;
  llvm::errs() << output::baselineSummary(gate.current, WriteBaseline);
  return badInput ? 2 : 0;
}

// Prints each --min-coverage the run falls short of; true when there is one.
bool reportShortfalls(const pipeline::Run &run, const std::vector<model::MockTarget> &mocks,
                      const std::vector<pipeline::CoverageMinimum> &minimums) {
  bool below = false;
  if (!minimums.empty())
    for (const auto &shortfall : pipeline::coverageShortfalls(pipeline::manifestOf(run, mocks), minimums)) {
      below = true;
      llvm::errs() << "poolify: " << shortfall << "\n";
    }
  return below;
}

int checkExitCode(bool badInput, unsigned errors, bool below) {
  int code = badInput ? 2 : errors || below ? 1 : 0;
  if (ExitZero && code == 1)
    code = 0;
  return code;
}

// One run, every output: the --format document on stdout (or -o), each --output-FORMAT file.
// False when one could not be written.
bool writeFindingOutputs(const pipeline::Run &run, output::Format format, const output::Document &doc) {
  const std::pair<output::Format, std::string> outputs[] = {{format, OutputFile},
                                                            {output::Format::Text, OutputText},
                                                            {output::Format::Json, OutputJson},
                                                            {output::Format::Sarif, OutputSarif},
                                                            {output::Format::Github, OutputGithub}};
  bool written = true;
  for (size_t i = 0; i < std::size(outputs); ++i) {
    const std::string &path = outputs[i].second;
    if (i == 0 && path.empty()) {
      output::PrinterOptions options;
      options.colour = coloursOnStdout();
      print(run, outputs[i].first, doc, llvm::outs(), std::vector<size_t>{}, options);
    } else if (!path.empty())
      written = writeDocument(run, outputs[i].first, doc, path, "findings", std::vector<size_t>{}) && written;
  }
  return written;
}

// --summary-markdown: the result and the coverage manifest appended; false when it could not be.
bool appendSummary(const pipeline::Run &run, output::Document doc, const std::vector<model::MockTarget> &mocks) {
  model::Manifest m = pipeline::manifestOf(run, mocks);
  doc.manifest = &m;
  return appendToFile(SummaryMarkdown, documentText(run, output::Format::CheckSummary, doc, std::vector<size_t>{}),
                      "summary");
}

} // namespace

int runCheck() {
  auto format = output::parseFormat(output::FormatChoice::Findings,
                                    Format.getNumOccurrences() ? std::string(Format) : std::string("text"));
  if (!format) {
    llvm::errs() << llvm::toString(format.takeError()) << "\n";
    return 2;
  }
  auto minimums = parseMinimums();
  if (!minimums)
    return 2;
  auto baseline = readBaselineOption();
  if (!baseline)
    return 2;
  pipeline::RunOptions options =
      runOptions(/*cacheByDefault=*/true, /*withInherited=*/!minimums->empty() || !SummaryMarkdown.empty());
  options.finalEdits = false; // findings are sites; the cross-file edit pass changes none
  auto prepared = prepareRun(std::move(options));
  if (!prepared)
    return 2;
  pipeline::Run &run = *prepared;
  if (auto err = pipeline::checkCategories(*minimums, run.config)) {
    llvm::errs() << llvm::toString(std::move(err)) << "\n";
    return 2;
  }
  analyzeRun(run);
  printErrors(run); // also findings below; the discovery's problems (a PATH that is not there) are input errors
  bool badInput = !run.found.problems.empty();
  std::vector<model::MockTarget> mocks =
      WriteBaseline.empty() ? pipeline::findMockTargets(run) : std::vector<model::MockTarget>{};
  pipeline::GateResult gate = pipeline::evaluateGate(run, std::move(*baseline), mocks, Strict, baselineDirectory());
  output::Document doc = documentOf(run);
  if (!WriteBaseline.empty())
    return writeBaselineFile(run, doc, gate, badInput);
  bool below = reportShortfalls(run, mocks, *minimums);
  unsigned errors = gate.errors();
  int code = checkExitCode(badInput, errors, below);
  doc.findings = &gate.findings;
  doc.exitCode = code;
  model::CheckTotals totals = gate.totals();
  doc.check = &totals;
  bool written = writeFindingOutputs(run, *format, doc);
  llvm::errs() << "poolify: " << output::checkResult(totals) << "\n";
  if (!SummaryMarkdown.empty())
    written = appendSummary(run, doc, mocks) && written;
  return written ? code : 2;
}

} // namespace poolify::cli

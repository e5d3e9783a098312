// Every format poolify prints is a Printer over one model of a run's results, as ast-grep's
// Printer trait and ripgrep's sinks do it: a command picks its printers (formats are named in one
// place, parseFormat), hands them the run's file outcomes one at a time in path order, then lets
// each print what needs the whole run (findings, a manifest, a report).
#pragma once

#include "model/finding.h"
#include "model/manifest.h"
#include "model/outcome.h"
#include "model/summary.h"
#include "rules/rule.h"

#include <llvm/Support/Error.h>
#include <llvm/Support/raw_ostream.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace poolify::output {

enum class Format {
  Diff,         // unified diffs of the files that change (migrate's dry run)
  Explain,      // `path:line:col: rule: ...` messages: errors, and with `explain` every decision
  Text,         // check findings, editor-clickable
  Json,         // check findings as JSON
  Sarif,        // check findings as SARIF 2.1.0 (GitHub code scanning)
  Github,       // check findings as GitHub workflow commands
  ManifestJson, // the coverage manifest (docs/manifest.md)
  ManifestMarkdown,
  ManifestCsv,
  BatchMarkdown,  // a batch's PR description
  Baseline,       // check --write-baseline
  Html,           // the self-contained HTML report
  CheckSummary,   // check --summary-markdown: the result, then the manifest in Markdown
  RuleList,       // rules list
  RuleValidation, // rules validate
  RuleTests,      // rules test: the failed examples and the tally
  FileList        // paths, one a line (the files pools init wrote)
};

/// What printers read besides the file outcomes: the documents a command computed from the
/// whole run. A printer reads the parts its format shows; the rest may stay empty.
struct Document {
  std::string title;                               // the HTML report's title, a batch's name
  const std::vector<rules::Rule> *rules = nullptr; // SARIF's rule metadata
  /// The texts of an outcome (read again and hash-checked by the run).
  std::function<llvm::Expected<model::Texts>(const model::FileOutcome &)> texts;
  const std::vector<model::Finding> *findings = nullptr;
  const model::Baseline *baseline = nullptr;
  const model::Manifest *manifest = nullptr; // coverage now
  const model::Manifest *after = nullptr;    // coverage once the diffs are applied (HTML)
  int exitCode = 0;                          // the command's exit code (SARIF's invocation, the check summary)
  const model::CheckTotals *check = nullptr; // the check's result (its summary)
  const std::vector<model::ExampleResult> *examples = nullptr; // rules test
  const std::vector<std::string> *files = nullptr;             // a FileList's paths
  /// The HTML report's diff pages: when one page would be larger than maxPageBytes (0: no limit),
  /// the diffs go on pages of their own, each handed to writePage under pageName(k), k from 1
  /// (pageName(0) is the main page's name, for the links back).
  size_t maxPageBytes = 0;
  std::function<std::string(size_t)> pageName;
  std::function<void(const std::string &name, const std::string &html)> writePage;
};

struct PrinterOptions {
  bool colour = false;  // ANSI colours (diffs on a terminal)
  bool explain = false; // Explain: every decision, not only errors
};

class Printer {
public:
  virtual ~Printer() = default;
  /// One file's outcome, in path order. An error (its texts could not be read again) is the
  /// caller's to report; the file is left out of what this printer prints.
  virtual llvm::Error file(const Document &doc, const model::FileOutcome &outcome) { return llvm::Error::success(); }
  /// After the last file: what needs the whole run.
  virtual void finish(const Document &doc) {}
};

/// The printer of `format`, writing to `os` (which must outlive it).
std::unique_ptr<Printer> makePrinter(Format format, llvm::raw_ostream &os, PrinterOptions options = {});

/// What a --format option chooses among.
enum class FormatChoice { Findings, Manifest };
/// The format `name` stands for in `choice`; the error lists the names it takes.
llvm::Expected<Format> parseFormat(FormatChoice choice, std::string_view name);
/// The manifest format a file name implies: .md markdown, .csv csv, anything else json.
Format manifestFormatFor(std::string_view fileName);

} // namespace poolify::output

// The documents of the commands that print something other than a run's files: the check's
// --summary-markdown, `rules list`, `rules validate`, `rules test`, and the files `pools init` wrote.
// Each needs only the whole document (finish()), not the files one by one.
#include "output/diff.h"
#include "output/printers.h"
#include "output/summary.h"
#include "support/text.h"

#include <fmt/format.h>

namespace poolify::output {

namespace {

using Render = void (*)(llvm::raw_ostream &os, const Document &doc);

// "## poolify check: passed|failed", the result sentence, then the coverage manifest in Markdown.
void checkSummary(llvm::raw_ostream &os, const Document &doc) {
  static const model::CheckTotals none;
  os << fmt::format("## poolify check: {}\n\n{}.\n\n", doc.exitCode == 0 ? "passed" : "failed",
                    checkResult(doc.check ? *doc.check : none));
  manifestPrinter(Format::ManifestMarkdown, os)->finish(doc);
}

// Each rule: "id<TAB>file<TAB>description", then "  match -> module.function" per rewrite.
void ruleList(llvm::raw_ostream &os, const Document &doc) {
  if (!doc.rules)
    return;
  for (const auto &r : *doc.rules) {
    os << fmt::format("{}\t{}\t{}\n", r.id, r.file, r.description);
    for (const auto &rw : r.rewrites)
      for (const auto &m : rw.match)
        os << fmt::format("  {} -> {}.{}\n", m, rw.replace.module, rw.replace.function);
  }
}

// "N rule files are valid".
void ruleValidation(llvm::raw_ostream &os, const Document &doc) {
  size_t n = doc.rules ? doc.rules->size() : 0;
  os << fmt::format("{} valid\n", counted(n, "rule file is", "rule files are"));
}

// Each failed example (its messages and the diff from the expected text), then the tally.
void ruleTests(llvm::raw_ostream &os, const Document &doc) {
  unsigned passed = 0, failed = 0;
  if (doc.examples)
    for (const auto &ex : *doc.examples) {
      if (ex.passed) {
        ++passed;
        continue;
      }
      ++failed;
      os << fmt::format("FAIL {}: {}\n", ex.ruleFile, ex.label);
      for (const auto &m : ex.messages)
        os << "  " << m << "\n";
      os << unifiedDiff(ex.expected, ex.actual, "expected-vs-actual/" + ex.path);
    }
  os << fmt::format("rules test: {} passed, {} failed\n", passed, failed);
}

// One path a line.
void fileList(llvm::raw_ostream &os, const Document &doc) {
  if (doc.files)
    for (const auto &f : *doc.files)
      os << f << "\n";
}

class DocumentPrinter : public Printer {
public:
  DocumentPrinter(Render render, llvm::raw_ostream &os) : render_(render), os_(os) {}
  void finish(const Document &doc) override { render_(os_, doc); }

private:
  Render render_;
  llvm::raw_ostream &os_;
};

} // namespace

std::unique_ptr<Printer> commandPrinter(Format format, llvm::raw_ostream &os) {
  switch (format) {
  case Format::CheckSummary:
    return std::make_unique<DocumentPrinter>(checkSummary, os);
  case Format::RuleList:
    return std::make_unique<DocumentPrinter>(ruleList, os);
  case Format::RuleValidation:
    return std::make_unique<DocumentPrinter>(ruleValidation, os);
  case Format::RuleTests:
    return std::make_unique<DocumentPrinter>(ruleTests, os);
  case Format::FileList:
    return std::make_unique<DocumentPrinter>(fileList, os);
  default:
    return nullptr;
  }
}

} // namespace poolify::output

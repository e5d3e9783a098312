// The printers behind makePrinter(), one factory per format family (each defined beside its
// format's code). Commands use output/printer.h; this list is for printer.cpp.
#pragma once

#include "output/printer.h"

namespace poolify::output {

std::unique_ptr<Printer> diffPrinter(llvm::raw_ostream &os, bool colour);
std::unique_ptr<Printer> explainPrinter(llvm::raw_ostream &os, bool explain);
/// `colour` colours the text format only (the others are read by programs).
std::unique_ptr<Printer> findingsPrinter(Format format, llvm::raw_ostream &os, bool colour);
/// A SARIF rule's helpUri: its section of rules/README.md under `docsUrl` (the repository at this
/// version, POOLIFY_DOCS_URL at build time): "<docsUrl>/rules/README.md#<id>"; "" without a URL.
std::string ruleHelpUri(std::string_view docsUrl, std::string_view ruleId);
std::unique_ptr<Printer> baselinePrinter(llvm::raw_ostream &os);
std::unique_ptr<Printer> manifestPrinter(Format format, llvm::raw_ostream &os);
std::unique_ptr<Printer> batchMarkdownPrinter(llvm::raw_ostream &os);
std::unique_ptr<Printer> htmlPrinter(llvm::raw_ostream &os);
/// CheckSummary, RuleList, RuleValidation, RuleTests and FileList.
std::unique_ptr<Printer> commandPrinter(Format format, llvm::raw_ostream &os);

} // namespace poolify::output

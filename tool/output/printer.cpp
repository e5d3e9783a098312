#include "output/printer.h"

#include "output/printers.h"

namespace poolify::output {

std::unique_ptr<Printer> makePrinter(Format format, llvm::raw_ostream &os, PrinterOptions options) {
  switch (format) {
  case Format::Diff:
    return diffPrinter(os, options.colour);
  case Format::Explain:
    return explainPrinter(os, options.explain);
  case Format::Text:
  case Format::Json:
  case Format::Sarif:
  case Format::Github:
    return findingsPrinter(format, os, options.colour);
  case Format::ManifestJson:
  case Format::ManifestMarkdown:
  case Format::ManifestCsv:
    return manifestPrinter(format, os);
  case Format::BatchMarkdown:
    return batchMarkdownPrinter(os);
  case Format::Baseline:
    return baselinePrinter(os);
  case Format::Html:
    return htmlPrinter(os);
  case Format::CheckSummary:
  case Format::RuleList:
  case Format::RuleValidation:
  case Format::RuleTests:
  case Format::FileList:
    return commandPrinter(format, os);
  }
  return nullptr;
}

llvm::Expected<Format> parseFormat(FormatChoice choice, std::string_view name) {
  struct Named {
    std::string_view name;
    Format format;
  };
  static const Named findings[] = {
      {"text", Format::Text}, {"json", Format::Json}, {"sarif", Format::Sarif}, {"github", Format::Github}};
  static const Named manifests[] = {
      {"json", Format::ManifestJson}, {"markdown", Format::ManifestMarkdown}, {"csv", Format::ManifestCsv}};
  bool isFindings = choice == FormatChoice::Findings;
  for (const Named &n : isFindings ? llvm::makeArrayRef(findings) : llvm::makeArrayRef(manifests))
    if (n.name == name)
      return n.format;
  std::string given(name);
  if (isFindings)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "poolify check: --format must be text, json, sarif or github, not '%s'",
                                   given.c_str());
  return llvm::createStringError(std::errc::invalid_argument,
                                 "poolify manifest: --format must be json, markdown or csv, not '%s'", given.c_str());
}

Format manifestFormatFor(std::string_view fileName) {
  auto endsWith = [&](std::string_view s) {
    return fileName.size() >= s.size() && fileName.substr(fileName.size() - s.size()) == s;
  };
  return endsWith(".md") ? Format::ManifestMarkdown : endsWith(".csv") ? Format::ManifestCsv : Format::ManifestJson;
}

} // namespace poolify::output

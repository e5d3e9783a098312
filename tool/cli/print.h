// How commands hand a run's results to printers: the document of a run, and printing a format to
// stdout, to a file, or to a string.
#pragma once

#include "output/printer.h"
#include "pipeline/engine.h"

#include <optional>
#include <string>
#include <vector>

namespace poolify::cli {

/// A document over `run`: its rules and the texts of its outcomes (read again, hash-checked).
output::Document documentOf(const pipeline::Run &run);

/// Feeds `outcome` to `printer`; false (reported on stderr) when its texts cannot be read again.
bool feed(output::Printer &printer, const output::Document &doc, const model::FileOutcome &outcome);

/// Feeds the outcomes of `files` (every file when nullopt) to a `format` printer writing to `os`,
/// then finishes it. A file whose texts cannot be read again is reported on stderr and left out;
/// returns false when that happened.
bool print(const pipeline::Run &run, output::Format format, const output::Document &doc, llvm::raw_ostream &os,
           const std::optional<std::vector<size_t>> &files = std::nullopt, output::PrinterOptions options = {});

/// The same into a file (false, with the reason on stderr, when it cannot be written) or a string.
/// `what` names the document in an error ("cannot write the manifest").
bool writeDocument(const pipeline::Run &run, output::Format format, const output::Document &doc,
                   const std::string &path, const std::string &what,
                   const std::optional<std::vector<size_t>> &files = std::nullopt);
std::string documentText(const pipeline::Run &run, output::Format format, const output::Document &doc,
                         const std::optional<std::vector<size_t>> &files = std::nullopt);

/// Appends `text` to the file `path` (created when missing), as GitHub's step summary expects;
/// false, with the reason on stderr, when it cannot. `what` names it in the error.
bool appendToFile(const std::string &path, const std::string &text, const std::string &what);

/// Diffs and check's text findings on stdout are coloured: --color always; with auto (the default) FORCE_COLOR, or a
/// terminal, unless NO_COLOR is set (https://no-color.org: any non-empty value).
bool coloursOnStdout();

} // namespace poolify::cli

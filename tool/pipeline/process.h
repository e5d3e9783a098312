// One file through the pipeline: decode, prefilter, parse, find sites, plan, apply edits in
// memory, re-parse and verify. Writes nothing; the caller decides (diff, --apply).
#pragma once

#include "analysis/classes.h"
#include "analysis/decide.h"
#include "model/outcome.h"
#include "python/syntax.h"
#include "rewrite/edits.h"
#include "rules/rule.h"
#include "source/discover.h"

#include <llvm/Support/Error.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poolify::pipeline {

/// The rules of `check`'s findings for files that could not be analyzed (model::Message::rule).
inline constexpr const char *kSyntax = "syntax";
inline constexpr const char *kUnanalyzable = "unanalyzable";

/// Reads and processes one file. `context` holds what its verdicts depend on besides its text
/// (removals are keyed by file offsets here).
model::FileOutcome processFile(const model::SourceFile &file, const std::vector<rules::Rule> &rules,
                               const analysis::FileContext &context = {});
/// The outcome of a file that could not be read: failed, with the reason as its one error.
model::FileOutcome unreadable(const model::SourceFile &file, llvm::Error error);

/// The safety net: where `edited` (the text of `before`, or of the file, with `edits` applied)
/// has its first syntax error, if it has one. `before`, the analysis tree, makes it an
/// incremental re-parse; without it (large files) the text is parsed from scratch. With `after`,
/// the tree of `edited` is kept there when it has no error (for the checks that follow: one parse).
std::optional<size_t> firstErrorAfter(std::optional<py::Tree> before, std::string_view edited,
                                      const rewrite::EditSet &edits, std::optional<py::Tree> *after = nullptr);

/// Same, for a buffer already in memory (rule examples, tests, the second pass that removes
/// redundant overrides: removals are keyed by the override's callee offset in the file).
model::FileOutcome processText(const model::SourceFile &file, std::string bytes, const std::vector<rules::Rule> &rules,
                               const analysis::FileContext &context = {});

/// Class facts of a file the prefilter skipped but the class index needs (a base class), from its
/// bytes (read again by the reduce step, Run::reread): nullopt when they cannot be parsed.
std::optional<model::FileFacts> classFactsOf(const model::SourceFile &file, std::string bytes,
                                             const std::vector<rules::Rule> &rules,
                                             const analysis::FileContext &context = {});

} // namespace poolify::pipeline

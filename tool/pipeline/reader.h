// The one place a run reads source files: the bytes of a file for analysis, and the texts of an
// analyzed file again (a run keeps compact outcomes, not texts) — checked against the hash of the
// bytes it analyzed, so a file that changed since is never diffed or written.
#pragma once

#include "model/outcome.h"

#include <llvm/Support/Error.h>

#include <string>

namespace poolify::pipeline {

/// The bytes of a source file.
llvm::Expected<std::string> readSource(const model::SourceFile &file);

/// The bytes read and the bytes to write of an outcome: its held texts, or the file read again,
/// which must still hash to what was analyzed ("changed on disk since it was read" otherwise).
llvm::Expected<model::Texts> texts(const model::FileOutcome &o);

} // namespace poolify::pipeline

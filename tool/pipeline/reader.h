// The one place a run reads source files: the bytes of a file for analysis, and the texts of an
// analyzed file again (a run keeps compact outcomes, not texts) — checked against the hash of the
// bytes it analyzed, so a file that changed since is never diffed or written.
#pragma once

#include "model/outcome.h"

#include <llvm/Support/Error.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace poolify::pipeline {

/// The bytes of a source file.
llvm::Expected<std::string> readSource(const model::SourceFile &file);

/// The error of a file read again that no longer hashes to what was analyzed.
llvm::Error changedSinceRead();

/// The bytes of a file read again during a run: when the run analyzed it (`hash`), they must still
/// hash to that (changedSinceRead() otherwise, and `*changed` is set when given).
llvm::Expected<std::string> readAgain(const model::SourceFile &file, std::optional<uint64_t> hash,
                                      bool *changed = nullptr);

/// The files (indices) a run found changed on disk when it read them again; thread-safe, since
/// the reduce step reads files in parallel.
class ChangedFiles {
public:
  void note(size_t file);
  /// The files noted so far, in order; none are left noted.
  std::set<size_t> take();

private:
  std::mutex mutex_;
  std::set<size_t> files_;
};

/// The bytes read and the bytes to write of an outcome: its held texts, or the file read again,
/// which must still hash to what was analyzed ("changed on disk since it was read" otherwise).
llvm::Expected<model::Texts> texts(const model::FileOutcome &o);

} // namespace poolify::pipeline

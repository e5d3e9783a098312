// Reading source files and writing them back atomically: a temp file in the same folder,
// the original's mode, then rename; a file that changed on disk since it was read is left alone.
#pragma once

#include <llvm/Support/Error.h>

#include <string>

namespace poolify::source {

llvm::Expected<std::string> readFile(const std::string &path);

/// From now on SIGINT, SIGTERM and SIGHUP only set a flag (`interrupted()`), so a run that writes
/// files stops between two files: each is either fully old or fully new, and no temp file is left.
void deferInterrupts();
bool interrupted();

/// Creates `path` with `contents` (mode 0644 less the umask), never over an existing file.
llvm::Error createNewFile(const std::string &path, const std::string &contents);

/// Replaces `path` with `contents` if its bytes are still `expected`.
llvm::Error writeAtomically(const std::string &path, const std::string &contents, const std::string &expected);

} // namespace poolify::source

// Files poolify writes for the user (a report, a manifest, a baseline, batch patches, its cache)
// and its standard output, on a full disk or a broken pipe: whole or not at all, and a failure is
// one message and an exit code, never a truncated file reported as written or LLVM's
// "IO failure on output stream" abort.
#pragma once

#include <llvm/Support/Error.h>
#include <llvm/Support/raw_ostream.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace poolify::source {

/// A file written atomically: a temp file in the same folder (poolify's temp name), fsync, then
/// rename over `path`, keeping an existing file's mode (a new one gets 0666 less the umask).
/// Through a symbolic link the target is written. Until commit() nothing at `path` changes; an
/// OutputFile destroyed without a successful commit() removes its temp file. A path under /dev or
/// /proc, or an existing file that is not a regular file (a FIFO), is written directly.
class OutputFile {
public:
  static llvm::Expected<std::unique_ptr<OutputFile>> open(const std::string &path);
  /// The file `name` in the folder open as `dirFd` (the descriptor is duplicated): for a folder
  /// opened without following links. `path` names it in errors.
  static llvm::Expected<std::unique_ptr<OutputFile>> openAt(int dirFd, const std::string &name,
                                                            const std::string &path);
  ~OutputFile();
  llvm::raw_ostream &os() { return *os_; }
  /// Flushes and checks every write, syncs, renames. The error says why, and that `path` was
  /// left as it was; the temp file is gone either way.
  llvm::Error commit();

private:
  OutputFile() = default;
  llvm::Error createTemp(std::optional<unsigned> mode); // nullopt: 0666 less the umask
  struct State;
  std::unique_ptr<State> state_;
  std::unique_ptr<llvm::raw_fd_ostream> os_;
};

/// writes `contents` to `path` through an OutputFile.
llvm::Error writeOutputFile(const std::string &path, std::string_view contents);

/// Ends the run's use of standard output and error: flushes stdout and, when any write to it
/// failed (a full disk, /dev/full, a closed pipe), says so on stderr and returns 2; else `code`.
/// LLVM would otherwise abort at exit ("IO failure on output stream", status 134).
int finishStdout(int code);

} // namespace poolify::source

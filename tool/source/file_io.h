// Reading source files and writing them back atomically: a temp file in the same folder, the
// original's owner, group, mode and extended attributes, then rename; a file that changed on disk
// since it was read, or was swapped for a link, is left alone.
#pragma once

#include <llvm/Support/Error.h>

#include <string>
#include <vector>

namespace poolify::source {

/// The bytes of a regular file. Never blocks (a FIFO put in a file's place is refused, not waited
/// on: opened with O_NONBLOCK, then fstat'ed); a symbolic link is followed only to a file inside
/// the tree (see setTreeRoots).
llvm::Expected<std::string> readFile(const std::string &path);

/// The text of a settings file (`kind`: "rule file", "configuration file"): refused unread unless
/// its name ends in .yaml or .yml, so an error never echoes a line of another file; UTF-8 only.
/// Errors start with `path[:line:col]: error: `.
llvm::Expected<std::string> readYamlFile(const std::string &path, const std::string &kind);

/// The real folders a run works in (discover() sets them): reads follow a symbolic link, and
/// writes replace a file, only inside one of them. Empty (the default): no restriction.
void setTreeRoots(std::vector<std::string> realRoots);
/// True when `real` (a real path) is one of the roots or lies inside one.
bool insideTree(const std::string &real);

/// `--break-hardlinks`: rewrite a file that has other names (st_nlink > 1), which separates them.
/// By default such a file is not written: the other names would keep the old code.
void setBreakHardlinks(bool on);

/// From now on SIGINT, SIGTERM and SIGHUP only set a flag (`interrupted()`), so a run that writes
/// files stops between two files: each is either fully old or fully new, and no temp file is left.
void deferInterrupts();
bool interrupted();

/// Creates `path` with `contents` (mode 0644 less the umask), never over an existing file.
llvm::Error createNewFile(const std::string &path, const std::string &contents);

/// Replaces `path` with `contents` if its bytes are still `expected`. Through a symbolic link
/// the target is replaced, when it lies inside the tree. The folder is opened component by
/// component without following links, the file with O_NOFOLLOW; the temp file gets the file's
/// owner and group (or the file is refused), then its mode (setuid/setgid only because the owner
/// is the same) and extended attributes; right before the rename the name must still be the same
/// inode, not a link. A file with other hard links is refused unless setBreakHardlinks(true).
llvm::Error writeAtomically(const std::string &path, const std::string &contents, const std::string &expected);

/// The prefix of poolify's temp files for `name`: ".NAME.poolify-" (6 random characters follow).
std::string tempPrefix(const std::string &name);
/// True when `name` is one of poolify's temp files (".X.poolify-" and 6 letters or digits).
bool isTempName(const std::string &name);

} // namespace poolify::source

// Where files come from: the paths given on the command line, walked folder level by folder level
// on the run's threads, each folder's entries in sorted order.
// Inside a git work tree the walk honours .gitignore (through `git ls-files`); always skipped:
// .git, virtualenvs, site-packages, node_modules, __pycache__, build folders, caches.
#pragma once

#include "model/source_file.h"

#include <optional>
#include <string>
#include <vector>

namespace poolify::source {

struct Discovery {
  std::vector<model::SourceFile> files; // sorted by display path, each path once (hard links: each name)
  std::vector<std::string> problems;    // "path: what happened; what poolify did" (the run fails): a path
                                        // too long to open, an argument through a link out of its folder
  std::vector<std::string> notes;       // skipped on purpose, said, not failed: links out of the tree (to
                                        // files or folders), dangling links, FIFOs and devices named *.py,
                                        // temp files left by an interrupted run
  std::vector<std::string> staleTemps;  // poolify's temp files (.X.poolify-XXXXXX) older than this run
};

/// Finds the files of `roots` and registers their real folders as the tree (setTreeRoots); folders
/// are listed, and files looked at, on `jobs` threads (0: all cores).
Discovery discover(const std::vector<std::string> &roots, unsigned jobs = 1);

/// `--follow-outside`: a root given through a symbolic link out of the folder holding it is
/// followed (by default it is refused, as the walk refuses links out of the tree).
void setFollowOutside(bool on);

/// Removes the stale temp files found (checked again: poolify's name pattern, a regular file, older
/// than this run); one line per file for stderr.
std::vector<std::string> removeStaleTemps(const Discovery &d);

/// The current directory, as $PWD names it when valid (as llvm::sys::fs::current_path), without
/// its two stat calls per path: those are made again only when getcwd() changes.
std::string workingDirectory();
/// `p` made absolute against workingDirectory(), `.` and `..` removed lexically (links not resolved).
std::string lexicalAbsolute(const std::string &p);
/// The same against `cwd` (an absolute path: workingDirectory() asked once for many paths).
std::string lexicalAbsolute(const std::string &p, const std::string &cwd);
/// `p` (its leading "./" dropped) joined to `cwd`, or `p` when absolute, when neither holds an
/// empty, `.` or `..` component: then nothing is left for a lexical clean-up to change, and a join
/// is what any of them makes. nullopt for other paths.
std::optional<std::string> joinedAbsolute(const std::string &p, const std::string &cwd);
/// An absolute path as the user's shell would name it: relative to the working directory when
/// under it ("." for the directory itself), else unchanged.
std::string displayOf(const std::string &abs);

/// True for folder names that are never walked.
bool isSkippedDir(const std::string &name);

} // namespace poolify::source

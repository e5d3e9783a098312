#include "source/discover.h"

#include "source/file_io.h"
#include "source/git.h"
#include "source/posix.h"
#include "support/parallel.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Path.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fmt/format.h>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>

namespace poolify::source {

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

bool isSkippedDir(const std::string &name) {
  static const std::set<std::string> skipped = {
      ".git",          ".hg",         ".svn",  "__pycache__", "node_modules", "site-packages",
      "dist-packages", ".venv",       "venv",  ".tox",        ".nox",         ".mypy_cache",
      ".pytest_cache", ".ruff_cache", "build", "dist",        ".eggs",        ".poolify-cache"};
  if (skipped.count(name))
    return true;
  return llvm::StringRef(name).endswith(".egg-info");
}

std::string workingDirectory() {
  // As the system names it (getcwd: one call, no stat); the name the user's shell gives it ($PWD,
  // through links) is worked out, with two stat calls, only when that changes.
  thread_local std::string physical, logical;
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf))
    return logical;
  if (physical != buf) {
    physical = buf;
    llvm::SmallString<256> c;
    fs::current_path(c);
    logical = std::string(c);
  }
  return logical;
}

std::string lexicalAbsolute(const std::string &p) { return lexicalAbsolute(p, workingDirectory()); }

namespace {
// True when `p` has nothing remove_dots would change: no empty, `.` or `..` component (so no `//`
// and no trailing `/`). The walk's paths are of this kind, so making them absolute is a join.
bool lexicallyClean(llvm::StringRef p) {
  if (p.empty())
    return false;
  size_t start = p[0] == '/' ? 1 : 0;
  if (start == p.size())
    return true; // "/"
  while (true) {
    size_t end = p.find('/', start);
    llvm::StringRef part = p.slice(start, end);
    if (part.empty() || part == "." || part == "..")
      return false;
    if (end == llvm::StringRef::npos)
      return true;
    start = end + 1;
  }
}

std::string absoluteThroughLLVM(const std::string &p, const std::string &cwd) {
  llvm::SmallString<256> abs(p.empty() ? "." : p);
  fs::make_absolute(cwd, abs);
  path::remove_dots(abs, /*remove_dot_dot=*/true);
  return std::string(abs);
}
} // namespace

std::optional<std::string> joinedAbsolute(const std::string &p, const std::string &cwd) {
  llvm::StringRef rel(p);
  while (rel.startswith("./")) // a walk from "." lists "./pkg/mod.py"
    rel = rel.drop_front(2);
  if (!lexicallyClean(rel))
    return std::nullopt;
  if (rel[0] == '/') // absolute as given (".//a" is relative)
    return rel.size() == p.size() ? std::optional<std::string>(p) : std::nullopt;
  if (cwd.size() <= 1 || cwd[0] != '/' || !lexicallyClean(cwd))
    return std::nullopt;
  std::string abs;
  abs.reserve(cwd.size() + 1 + rel.size());
  return abs.append(cwd).append(1, '/').append(rel.data(), rel.size());
}

std::string lexicalAbsolute(const std::string &p, const std::string &cwd) {
  if (auto joined = joinedAbsolute(p, cwd))
    return std::move(*joined);
  return absoluteThroughLLVM(p, cwd);
}

namespace {
// `a` (lexicalAbsolute) as it is displayed: relative to `cwd` when under it.
std::string displayOfAbsolute(const std::string &a, const std::string &cwd) {
  if (a.size() > cwd.size() && a.compare(0, cwd.size(), cwd) == 0 && a[cwd.size()] == '/')
    return a.substr(cwd.size() + 1);
  return a;
}
} // namespace

std::string displayOf(const std::string &abs) {
  std::string c = workingDirectory();
  return abs == c ? "." : displayOfAbsolute(abs, c);
}

namespace {

bool gFollowOutside = false;
// When this run started: a temp file of poolify's older than that is left from an earlier run.
const std::chrono::system_clock::time_point gRunStart = std::chrono::system_clock::now();

std::string displayPath(const std::string &p, const std::string &cwd) {
  return displayOfAbsolute(lexicalAbsolute(p, cwd), cwd);
}

std::optional<std::string> realPath(const std::string &p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf))
    return std::nullopt;
  return std::string(buf);
}

bool within(const std::string &real, const std::string &dir) {
  return real == dir || dir == "/" ||
         (real.size() > dir.size() && real.compare(0, dir.size(), dir) == 0 && real[dir.size()] == '/');
}

bool isVirtualenv(const std::string &dir) {
  llvm::SmallString<256> cfg(dir);
  path::append(cfg, "pyvenv.cfg");
  return fs::exists(cfg);
}

bool hasSkippedComponent(llvm::StringRef rel) {
  llvm::SmallVector<llvm::StringRef, 8> parts;
  rel.split(parts, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    if (isSkippedDir(parts[i].str()))
      return true;
  return false;
}

// What a walk found: Python files, and other entries that are said or checked (links that may
// lead to folders outside, poolify's own temp files).
struct Found {
  std::vector<std::string> py;    // *.py entries (files, links, special files)
  std::vector<std::string> links; // other entries that are (or may be) symbolic links
  std::vector<std::string> temps; // names like .x.py.poolify-AbC123
};

void classify(const std::string &full, llvm::StringRef name, bool maybeLink, Found &out) {
  if (name.endswith(".py"))
    out.py.push_back(full);
  else if (isTempName(name.str()))
    out.temps.push_back(full);
  else if (maybeLink)
    out.links.push_back(full);
}

// Entries git would show under `dir` (tracked, and untracked but not ignored), or false when `dir`
// is not inside a git work tree or git is not there. One listing of everything (with modes for the
// tracked ones): links to folders and temp files are not *.py.
bool gitFiles(const std::string &dir, Found &out) {
  GitResult r = runGit({"ls-files", "-z", "-s", "--cached", "--others", "--exclude-standard"}, dir);
  if (r.code != 0)
    return false;
  llvm::SmallVector<llvm::StringRef, 64> entries;
  llvm::StringRef(r.output).split(entries, '\0', -1, false);
  std::map<std::string, bool> venv; // folder -> holds pyvenv.cfg
  auto inVirtualenv = [&](llvm::StringRef rel) {
    for (llvm::StringRef d = path::parent_path(rel, path::Style::posix); !d.empty();
         d = path::parent_path(d, path::Style::posix)) {
      auto it = venv.find(d.str());
      if (it == venv.end()) {
        llvm::SmallString<256> full(dir);
        path::append(full, d);
        it = venv.emplace(d.str(), isVirtualenv(std::string(full))).first;
      }
      if (it->second)
        return true;
    }
    return false;
  };
  std::set<llvm::StringRef> seen; // a file with merge conflicts is listed once per stage
  for (llvm::StringRef e : entries) {
    // Tracked: "MODE HASH STAGE\tPATH" (six octal digits, 40 or 64 hex digits, 0-3); untracked: "PATH",
    // which may hold anything, a tab included.
    llvm::StringRef mode, n = e;
    size_t tab = e.find('\t');
    llvm::StringRef hash = tab != llvm::StringRef::npos && tab > 9 ? e.slice(7, tab - 2) : llvm::StringRef();
    bool tracked = (hash.size() == 40 || hash.size() == 64) && e[6] == ' ' && e[tab - 2] == ' ' && e[tab - 1] >= '0' &&
                   e[tab - 1] <= '3' && e.take_front(6).find_first_not_of("01234567") == llvm::StringRef::npos &&
                   hash.find_first_not_of("0123456789abcdef") == llvm::StringRef::npos;
    if (tracked) {
      mode = e.take_front(6);
      n = e.drop_front(tab + 1);
    }
    if (!seen.insert(n).second || hasSkippedComponent(n) || inVirtualenv(n))
      continue;
    llvm::SmallString<256> full(dir);
    path::append(full, n);
    classify(std::string(full), path::filename(n, path::Style::posix), mode.empty() || mode == "120000", out);
  }
  return true;
}

// One folder of a walk: what it holds (Found), its folders to walk next, and why it could not be
// listed. Entries sorted by name, so a walk's result does not depend on the order the file system
// keeps them in, or on which thread listed which folder.
struct Listing {
  Found found;
  std::vector<std::string> dirs;
  std::vector<std::string> problems;
};

Listing listFolder(const std::string &dir, const std::string &cwd) {
  Listing out;
  DIR *d = ::opendir(dir.c_str());
  if (!d) {
    out.problems.push_back(fmt::format("{}: cannot list: {}; skipped", displayPath(dir, cwd), std::strerror(errno)));
    return out;
  }
  std::vector<std::pair<std::string, unsigned char>> entries; // name, type (dirent's d_type)
  errno = 0;
  while (const dirent *e = ::readdir(d)) {
    llvm::StringRef name(e->d_name);
    if (name != "." && name != "..")
      entries.emplace_back(name.str(), e->d_type);
    errno = 0;
  }
  if (errno != 0)
    out.problems.push_back(fmt::format("{}: cannot list: {}; skipped", displayPath(dir, cwd), std::strerror(errno)));
  ::closedir(d);
  std::sort(entries.begin(), entries.end());
  for (auto &[name, type] : entries) {
    llvm::SmallString<256> full(dir);
    path::append(full, name);
    std::string p(full);
    if (type == DT_UNKNOWN) { // the file system does not say: asked, without following a link
      struct stat st;
      if (::lstat(p.c_str(), &st) == 0)
        type = static_cast<unsigned char>(IFTODT(st.st_mode));
    }
    if (type != DT_DIR) {
      classify(p, name, type == DT_LNK, out.found);
    } else if (isSkippedDir(name) || isVirtualenv(p)) {
      continue;
    } else if (p.size() + 1 >= PATH_MAX) { // opendir would fail
      out.problems.push_back(fmt::format("{}: the path is {} bytes, longer than the system allows (PATH_MAX {}); the "
                                         "folder is skipped",
                                         displayPath(p, cwd), p.size(), PATH_MAX));
    } else {
      out.dirs.push_back(std::move(p));
    }
  }
  return out;
}

// Walks `root` (links not followed), level by level: a level's folders are listed on `jobs`
// threads, and their results joined in folder order. The entries found are sorted by path, as git
// lists them: of two links to one file, the one first by path names it.
void walk(const std::string &root, const std::string &cwd, Found &out, std::vector<std::string> &problems,
          unsigned jobs) {
  size_t py = out.py.size();
  std::vector<std::string> level{root};
  while (!level.empty()) {
    std::vector<Listing> listed(level.size());
    parallelFor(level.size(), jobs, [&](size_t k) { listed[k] = listFolder(level[k], cwd); });
    std::vector<std::string> next;
    for (Listing &l : listed) {
      auto move = [](std::vector<std::string> &from, std::vector<std::string> &to) {
        to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
      };
      move(l.found.py, out.py);
      move(l.found.links, out.links);
      move(l.found.temps, out.temps);
      move(l.problems, problems);
      move(l.dirs, next);
    }
    level = std::move(next);
  }
  std::sort(out.py.begin() + static_cast<std::ptrdiff_t>(py), out.py.end());
}

// The first symbolic link on the way to `arg` (its own components, not the current folder's)
// whose real path is outside the real folder holding it, and where it leads: an argument is taken
// out of its tree no more than a link found by walking is.
std::optional<std::pair<std::string, std::string>> linkOutOfItsFolder(const std::string &arg) {
  llvm::SmallString<256> prefix;
  if (path::is_absolute(arg))
    prefix = path::root_path(arg);
  for (auto it = path::begin(arg), e = path::end(arg); it != e; ++it) {
    if (*it == "/" || *it == ".")
      continue;
    llvm::SmallString<256> parent(prefix.empty() ? llvm::StringRef(".") : llvm::StringRef(prefix));
    path::append(prefix, *it);
    struct stat st;
    if (::lstat(prefix.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      continue;
    auto real = realPath(std::string(prefix));
    auto folder = realPath(std::string(parent));
    if (!real || !folder)
      continue; // dangling: said where it is found
    if (!within(*real, *folder))
      return std::make_pair(std::string(prefix), *real);
  }
  return std::nullopt;
}

std::chrono::system_clock::time_point modified(const struct stat &st) {
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

std::string when(const struct stat &st) {
  char buf[64];
  struct tm tm;
  std::time_t t = st.st_mtime;
  ::localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// The roots poolify reads (`accepted`) and the real folders of their trees (`real`).
struct Roots {
  std::vector<std::string> real;
  std::vector<std::string> accepted;
};

// A file's tree is the folder that holds it (the folder of its real path when followed outside);
// a folder's is the folder itself.
std::string treeOf(const std::string &root, const struct stat &st, const std::string &real) {
  std::string tree = S_ISDIR(st.st_mode) ? real
                     : gFollowOutside    ? path::parent_path(real).str()
                                         : realPath(path::parent_path(lexicalAbsolute(root)).str()).value_or("");
  return tree.empty() ? "/" : tree;
}

// The real folders of the roots: a symbolic link is followed only to a file inside one of them.
// A root reached through a link out of the folder holding it is refused (as walking refuses one)
// unless --follow-outside.
Roots acceptRoots(const std::vector<std::string> &roots, const std::string &cwd, std::vector<std::string> &problems) {
  Roots out;
  for (const auto &root : roots) {
    if (!gFollowOutside)
      if (auto link = linkOutOfItsFolder(root)) {
        problems.push_back(fmt::format("{}: a symbolic link to {}, outside the folder that holds it; not followed "
                                       "(--follow-outside follows it)",
                                       displayPath(link->first, cwd), link->second));
        continue;
      }
    struct stat st;
    if (::stat(root.c_str(), &st) != 0) {
      problems.push_back(fmt::format("{}: {}; skipped", root, std::strerror(errno)));
      continue;
    }
    auto real = realPath(root);
    if (!real) {
      problems.push_back(fmt::format("{}: {}; skipped", root, std::strerror(errno)));
      continue;
    }
    out.real.push_back(treeOf(root, st, *real));
    out.accepted.push_back(root);
  }
  return out;
}

bool insideAny(const std::string &real, const std::vector<std::string> &realRoots) {
  return std::any_of(realRoots.begin(), realRoots.end(), [&](const std::string &r) { return within(real, r); });
}

// Python files and other entries under the accepted roots (git's listing, or a walk outside git);
// a root that is a file is taken as it is.
Found findEntries(const std::vector<std::string> &accepted, const std::string &cwd, std::vector<std::string> &problems,
                  unsigned jobs) {
  Found found;
  for (const auto &root : accepted) {
    if (fs::is_directory(root)) {
      if (!gitFiles(root, found))
        walk(root, cwd, found, problems, jobs);
    } else {
      found.py.push_back(root);
    }
  }
  return found;
}

// Links among the other entries: a link to a folder outside the tree is said (its files are not
// migrated); one to a folder inside is not needed (its files are walked where they are).
void noteLinksOutside(const std::vector<std::string> &links, const std::vector<std::string> &realRoots,
                      const std::string &cwd, std::vector<std::string> &notes) {
  for (const auto &p : links) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      continue;
    auto real = realPath(p);
    if (real && fs::is_directory(*real) && !insideAny(*real, realRoots))
      notes.push_back(fmt::format("{}: a symbolic link to the folder {}, outside the tree; not followed",
                                  displayPath(p, cwd), *real));
  }
}

// poolify's temp files older than this run: kept for removeStaleTemps, and said.
void noteStaleTemps(const std::vector<std::string> &temps, const std::string &cwd, Discovery &d) {
  for (const auto &p : temps) {
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || modified(st) >= gRunStart)
      continue;
    d.staleTemps.push_back(p);
    d.notes.push_back(fmt::format("{}: a temporary file left by an interrupted poolify run ({} bytes, from {}); "
                                  "`poolify migrate --apply` removes it",
                                  displayPath(p, cwd), st.st_size, when(st)));
  }
}

using Listed = std::vector<std::pair<std::string, struct stat>>;

// One lstat per file (one that cannot be looked at is said, one deleted since it was listed is
// dropped); plain files first, so a file reached both directly and through a link is named by its
// own path.
Listed lstatPythonFiles(std::vector<std::string> py, const std::string &cwd, std::vector<std::string> &problems,
                        unsigned jobs) {
  std::vector<struct stat> st(py.size());
  std::vector<int> error(py.size(), 0);
  parallelFor(py.size(), jobs, [&](size_t k) {
    if (::lstat(py[k].c_str(), &st[k]) != 0)
      error[k] = errno;
  });
  Listed listed;
  for (size_t k = 0; k < py.size(); ++k) {
    const std::string &p = py[k];
    if (error[k] == 0) {
      listed.push_back({std::move(py[k]), st[k]});
    } else if (error[k] == ENAMETOOLONG) {
      problems.push_back(fmt::format("{}: the path is {} bytes, longer than the system allows (PATH_MAX {}); "
                                     "skipped",
                                     displayPath(p, cwd), p.size(), PATH_MAX));
    } else if (error[k] != ENOENT) { // ENOENT: deleted since it was listed
      problems.push_back(fmt::format("{}: {}; skipped", displayPath(p, cwd), std::strerror(error[k])));
    }
  }
  std::stable_partition(listed.begin(), listed.end(), [](const auto &e) { return !S_ISLNK(e.second.st_mode); });
  return listed;
}

// For a symbolic link `p`: the stat of the file it leads to, or nothing (and why, in `notes`) when
// it leads nowhere or out of the tree.
std::optional<struct stat> followLink(const std::string &p, const std::vector<std::string> &realRoots,
                                      const std::string &cwd, std::vector<std::string> &notes) {
  auto real = realPath(p);
  if (!real) {
    notes.push_back(
        fmt::format("{}: a symbolic link that leads nowhere (dangling or a loop); skipped", displayPath(p, cwd)));
    return std::nullopt;
  }
  struct stat st;
  if (::stat(real->c_str(), &st) != 0)
    return std::nullopt;
  if (!insideAny(*real, realRoots)) {
    notes.push_back(fmt::format("{}: a symbolic link to {}, outside the tree; skipped", displayPath(p, cwd), *real));
    return std::nullopt;
  }
  return st;
}

// The files poolify reads among `listed`, each once. Two plain names of one file (hard links) are
// both kept: Python imports each, and writing one would leave the other (writeAtomically refuses it
// unless asked).
// `roots`: how many roots were listed (one root's listing names each path once).
void admitFiles(const Listed &listed, size_t roots, const std::vector<std::string> &realRoots, const std::string &cwd,
                Discovery &d) {
  // The files seen, for a link to one of them (plain files come first); kept only when there are links.
  const bool links = std::any_of(listed.begin(), listed.end(), [](const auto &e) { return S_ISLNK(e.second.st_mode); });
  std::set<std::pair<dev_t, ino_t>> seen;
  std::unordered_set<std::string> named; // a path given twice (as a root and under a root) is one entry
  if (roots > 1)
    named.reserve(listed.size());
  d.files.reserve(listed.size());
  for (const auto &entry : listed) {
    const std::string &p = entry.first;
    std::string absolute = lexicalAbsolute(p, cwd);
    if (roots > 1 && !named.insert(absolute).second)
      continue;
    struct stat st = entry.second;
    bool link = S_ISLNK(st.st_mode);
    if (link) {
      auto target = followLink(p, realRoots, cwd, d.notes);
      if (!target)
        continue;
      st = *target;
    }
    if (S_ISDIR(st.st_mode) && !link)
      continue; // a folder named x.py: walked as a folder
    if (!S_ISREG(st.st_mode)) {
      d.notes.push_back(fmt::format("{}: {}, not a regular file; skipped", displayPath(p, cwd),
                                    link ? "a symbolic link to a folder" : fileKind(st.st_mode)));
      continue;
    }
    if (links && !seen.insert({st.st_dev, st.st_ino}).second && link)
      continue; // the file itself is listed already
    d.files.push_back({p, displayOfAbsolute(absolute, cwd), statData(st)});
  }
}

} // namespace

void setFollowOutside(bool on) { gFollowOutside = on; }

Discovery discover(const std::vector<std::string> &roots, unsigned jobs) {
  Discovery d;
  std::string cwd = workingDirectory();
  Roots accepted = acceptRoots(roots, cwd, d.problems);
  setTreeRoots(accepted.real);
  Found found = findEntries(accepted.accepted, cwd, d.problems, jobs);
  noteLinksOutside(found.links, accepted.real, cwd, d.notes);
  noteStaleTemps(found.temps, cwd, d);
  Listed listed = lstatPythonFiles(std::move(found.py), cwd, d.problems, jobs);
  admitFiles(listed, accepted.accepted.size(), accepted.real, cwd, d);
  auto byDisplay = [](const model::SourceFile &a, const model::SourceFile &b) { return a.display() < b.display(); };
  if (!std::is_sorted(d.files.begin(), d.files.end(), byDisplay)) // one root's listing mostly is
    std::sort(d.files.begin(), d.files.end(), byDisplay);
  return d;
}

std::vector<std::string> removeStaleTemps(const Discovery &d) {
  std::vector<std::string> said;
  std::string cwd = workingDirectory();
  for (const auto &p : d.staleTemps) {
    struct stat st;
    // Checked again: still poolify's pattern, a regular file (not a link), older than this run.
    if (!isTempName(path::filename(p).str()) || ::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        modified(st) >= gRunStart)
      continue;
    if (::unlink(p.c_str()) == 0)
      said.push_back(
          fmt::format("{}: removed this temporary file left by an interrupted poolify run", displayPath(p, cwd)));
    else
      said.push_back(fmt::format("{}: cannot remove this temporary file left by an interrupted poolify run: {}",
                                 displayPath(p, cwd), std::strerror(errno)));
  }
  return said;
}

} // namespace poolify::source

// Where each file's imports resolve when its code runs. The tree has import roots: the configured
// source roots, else the folder of poolify.yaml, else the top of the git work tree, else the
// first path of the run. Deployment units — folders deployed on their own, as a Cloud Function is
// (main.py and requirements.txt, and not a package), or folders listed under `units:` in
// poolify.yaml — are import roots of their own that see nothing above them: there, `shared` is
// whatever the unit holds (a vendored copy, a symlink, its own package that shadows the tree's).
// A pool module must resolve from every root its file is imported from, or the site is left.
#pragma once

#include "config/config.h"
#include "model/source_file.h"
#include "python/signatures.h"
#include "source/discover.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace poolify::pipeline {

class ImportRoots {
public:
  /// `paths` are the run's paths; `files` the files found; `modules` every pool module the rules
  /// rewrite to (resolved once, here).
  ImportRoots(const config::Config &config, const std::vector<std::string> &paths,
              const std::vector<model::SourceFile> &files, const std::vector<std::string> &modules);

  struct Unit {
    std::string dir;     // absolute
    std::string display; // as users see it
    bool configured = false;
  };
  const std::vector<Unit> &units() const { return units_; }
  /// The innermost unit holding the file at `path`, or nullptr.
  const Unit *unitOf(const std::string &path) const;

  /// Why `module` cannot be imported where the file at `path` runs ("" when it can).
  std::string problem(const std::string &path, const std::string &module) const;
  /// problem(path, m) for each of `modules`, in order (the file's unit found once).
  std::vector<std::string> problems(const std::string &path, const std::vector<std::string> &modules) const;

  /// Why the pooled call `function(...)` of `module`, shaped as `call`, fails where the file at
  /// `path` runs ("" when it does not, or when that cannot be known): the pool module, as found
  /// from the file's unit and from the tree's roots, defines no `function` (ImportError), defines
  /// it with `async def` (the call would give a coroutine), or its signature refuses the arguments
  /// (TypeError). A module whose bindings the text does not settle (a star import, a
  /// `__getattr__`, a definition under an `if`, ...) is taken at its word.
  std::string callProblem(const std::string &path, const std::string &module, const std::string &function,
                          const py::CallShape &call) const;
  /// The bytes of the pool modules found where the file at `path` runs, as a short key: a file's
  /// plans depend on them (callProblem).
  std::string poolKey(const std::string &path) const;

  /// The tree's import roots (absolute).
  const std::vector<std::string> &roots() const { return roots_; }
  /// All it found on disk, as text: where the tree imports from, its units, and which pool modules
  /// resolve from each (a run's results are reused only while this stays the same).
  std::string fingerprint() const;

private:
  std::string rootProblem(const std::string &module) const;
  std::string problemIn(const Unit *unit, const std::string &module) const;
  struct PoolFile {
    std::string path, display;
    std::shared_ptr<const py::ModuleFunctions> functions;
    std::string hash;   // of the bytes ("unreadable" when they could not be read)
    bool inRun = false; // one of the run's files
  };
  const PoolFile *add(const std::optional<std::string> &file, const std::set<std::string> &inRun);
  // Reads the pool module files, once, when a plan first needs them (a warm check that reuses
  // its results whole reads none: fingerprint() takes their stat data).
  void load() const;
  std::string callProblemIn(const PoolFile *file, const std::string &module, const std::string &function,
                            const py::CallShape &call) const;

  std::vector<std::string> roots_;
  std::string cwd_ = source::workingDirectory(); // asked once: a getcwd per file was 4% of a warm check
  std::string rootsDisplay_;
  std::vector<Unit> units_; // sorted by dir
  bool installed_ = false;
  std::map<std::string, bool> inRoots_;                                  // module -> resolves from the tree's roots
  std::map<std::pair<size_t, std::string>, bool> inUnit_;                // (unit, module) -> resolves from the unit
  mutable std::map<std::string, PoolFile> files_;                        // pool module files found, by path
  std::map<std::string, const PoolFile *> rootFiles_;                    // module -> its file from the roots
  std::map<std::pair<size_t, std::string>, const PoolFile *> unitFiles_; // (unit, module) -> its file
  mutable std::string rootKey_;               // poolKey() of a file outside the units, made by load()
  mutable std::vector<std::string> unitKeys_; // poolKey() of a file in each unit
  mutable std::once_flag loaded_;
};

} // namespace poolify::pipeline

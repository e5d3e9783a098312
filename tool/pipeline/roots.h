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
#include "source/discover.h"

#include <map>
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

  /// The tree's import roots (absolute).
  const std::vector<std::string> &roots() const { return roots_; }
  /// All it found on disk, as text: where the tree imports from, its units, and which pool modules
  /// resolve from each (a run's results are reused only while this stays the same).
  std::string fingerprint() const;

private:
  std::string rootProblem(const std::string &module) const;
  std::string problemIn(const Unit *unit, const std::string &module) const;

  std::vector<std::string> roots_;
  std::string cwd_ = source::workingDirectory(); // asked once: a getcwd per file was 4% of a warm check
  std::string rootsDisplay_;
  std::vector<Unit> units_; // sorted by dir
  bool installed_ = false;
  std::map<std::string, bool> inRoots_;                   // module -> resolves from the tree's roots
  std::map<std::pair<size_t, std::string>, bool> inUnit_; // (unit, module) -> resolves from the unit
};

} // namespace poolify::pipeline

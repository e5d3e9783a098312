// Test patches that follow the code: the patch calls of a test file (`mock.patch("a.b.C")`,
// `patch.object(obj, "C")`, `mocker.patch(...)`, `monkeypatch.setattr(...)`), and the edits that
// retarget one to the pooled callable of the module it names, with the assertions on its mock that
// name the direct call's keywords. Which patches to retarget is decided across the run
// (pipeline/mocks.h); this file only carries the decision out in one test file.
#pragma once

#include "model/site.h"
#include "python/scopes.h"
#include "rewrite/edits.h"
#include "rules/rule.h"

#include <string>
#include <vector>

namespace poolify::rewrite {

/// One call that patches an attribute by name.
struct PatchCall {
  enum class Form {
    Patch,         // patch("a.b.C"), mock.patch(...), mocker.patch(...)
    PatchObject,   // patch.object(obj, "C")
    SetattrString, // monkeypatch.setattr("a.b.C", value)
    SetattrObject  // monkeypatch.setattr(obj, "C", value)
  } form = Form::Patch;
  TSNode call{};
  TSNode str{};       // the string naming the target (string forms) or the attribute (object forms)
  TSNode object{};    // object forms: the patched object
  std::string target; // dotted as written (string forms), through the imports (object forms)
  /// The function is known for what it is: unittest.mock's (or mock's) patch through the file's
  /// imports, pytest-mock's `mocker.patch`, pytest's `monkeypatch.setattr`. Others (a name that
  /// merely ends in `patch`) are reported, never edited.
  bool recognised = false;
  /// The target is the value of this module-level constant (`mock.patch(PATCH_TARGET)`; `str` is
  /// then the name's use in the call): it is retargeted by hand, never edited.
  std::string constant;
  uint32_t offset() const { return py::start(ts_node_is_null(object) ? str : object); }
};

/// The patch calls of a file, in source order.
std::vector<PatchCall> findPatchCalls(const py::Tree &tree, const py::ScopeModel &model);

/// A string of a test file that names a dotted path but is no patch call's own argument: a value a
/// patch may take at run time (`TARGETS = {"http": "pkg.mod.requests.get"}`, a list looped over,
/// `patch(target="...")`). Docstrings and the targets of the patch calls found are not listed.
/// Such a target is never edited: the sites it may intercept are held (pipeline/intercept.h).
struct IndirectTarget {
  uint32_t offset;
  std::string target;
};
std::vector<IndirectTarget> findIndirectTargets(const py::Tree &tree, const py::ScopeModel &model,
                                                const std::vector<PatchCall> &calls);

/// Where a patch's target is built at run time (`patch(f"{MOD}.bigquery.Client")`,
/// `patch(MOD + ".requests.get")`, `"{}.Client".format(m)`): poolify cannot tell what it
/// intercepts, and says so (offsets of the built argument).
std::vector<uint32_t> findComputedTargets(const py::Tree &tree, const py::ScopeModel &model);

/// The edits that retarget the patches `retargets` names (offsets in the parsed text), and what
/// became of each one (positions as offsets, in PatchChange::line; the caller turns them into
/// lines and columns).
struct PatchPlan {
  EditSet edits;
  std::vector<std::pair<uint32_t, model::PatchChange>> changes;
};
PatchPlan retargetPatches(const py::Tree &tree, const py::ScopeModel &model,
                          const std::vector<model::PatchRetarget> &retargets, const std::vector<rules::Rule> &rules);

} // namespace poolify::rewrite

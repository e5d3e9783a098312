// The class index: the one small, serial step between the per-file maps. It names every module
// of the run after its path, resolves class bases across files (absolute and relative imports,
// aliases, re-exports through packages), linearises them (C3, as Python does), and decides
// which client overrides in subclasses are redundant with a pooled client their base provides.
#pragma once

#include "index/module_names.h"
#include "model/classes.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace poolify::index {

/// Whether removing a client override keeps behaviour, comparing its arguments with those of the
/// pooled call that the base it inherits from makes.
struct Equivalence {
  enum class Kind {
    Same,   // the inherited client is the one the override would make: removal is safe
    Unsafe, // the override passes no required argument (the library's default) and the base does
    Keep    // it asks for something else, or what it asks for may not be what the base got
  } kind = Kind::Same;
  std::string why; // for Unsafe and Keep
};

/// Compares override `a` with base assignment `b` (made in class `base`). `aKeys`/`bKeys` are the
/// assignments' argument keys (see model::AttributeAssignment::keys) with module-level names
/// qualified; `selfChanged(attr)` says why `self.attr` may have another value when the override
/// runs than when the base made its client ("" when it cannot).
Equivalence compareArguments(const model::AttributeAssignment &a, const std::vector<std::string> &aKeys,
                             const model::AttributeAssignment &b, const std::vector<std::string> &bKeys,
                             const std::string &base,
                             const std::function<std::string(const std::string &)> &selfChanged);

/// What a subclass passes for parameter `param` of a base `__init__` whose parameters are `params`
/// through `call` (`super().__init__(...)`, or `Base.__init__(self, ...)` whose instance argument
/// is skipped): the key of the argument given by keyword or position, else the default's key; "?"
/// when that cannot be told (`*args`/`**kwargs` in the call, no such parameter, no default).
/// `text`, when given, receives the argument as written ("" when the default applies).
std::string parameterKey(const std::string &param, const std::vector<model::InitParameter> &params,
                         const model::BaseInitCall &call, std::string *text = nullptr);

class ClassIndex {
public:
  /// `names` names file i's module (ModuleNames, shared with the run's other steps); `facts(i)`
  /// returns file i's class facts, computing them on first use (nullptr when unreadable).
  ClassIndex(std::shared_ptr<const ModuleNames> names, std::function<const model::FileFacts *(size_t)> facts);
  /// `displays[i]` is file i's path ('/'-separated); its module path follows from it.
  ClassIndex(const std::vector<std::string> &displays, std::function<const model::FileFacts *(size_t)> facts);

  /// Decisions for every override of a client in a class whose bases may provide it, in file
  /// order; `problems` collects cycles and other reportable oddities.
  std::vector<model::OverrideDecision> decideOverrides(const std::vector<size_t> &files);
  /// Loads, through `loadAll` (which may load the files it is given in parallel, each once), the
  /// files the bases of the classes of `files` may come from, their bases' in turn, and the
  /// modules that re-export them, level by level: what decideOverrides() and baseBinds() would
  /// otherwise load one at a time as they resolve bases. A superset: every file a base's module
  /// path may denote.
  void prefetch(const std::vector<size_t> &files, const std::function<void(const std::vector<size_t> &)> &loadAll);
  const std::vector<std::string> &problems() const { return problems_; }
  /// Whether a base or import target `qname` named in file `fromFile` can lead to a class: false
  /// when no file of the run is the module it names (a re-export to it resolves to nothing, so
  /// a file's class facts need not keep one).
  static bool mayResolve(const ModuleNames &names, const std::string &qname, size_t fromFile);

  std::vector<model::Inherited> inheritedClients(size_t file);
  /// Whether, once an instance of module-level class `cls` of `file` is built, the base __init__ that
  /// runs first (the one its own __init__ calls, which the analysis found running before anything
  /// else; or, without an __init__, the first in its MRO) has assigned `self.<attr>` on every path
  /// (ClassFacts::initBinds), itself or through the base __init__ it calls first in turn
  /// (ClassFacts::initBaseFirst), across any number of classes. False when that cannot be told.
  bool baseBinds(size_t file, const std::string &cls, const std::string &attr);
  /// Names of classes that assign a pooled client in __init__ or inherit one (for the literal
  /// prefilter that finds their subclasses), from the files loaded so far.
  std::vector<std::string> providerNames(const std::vector<size_t> &files);

private:
  struct Key {
    size_t file;
    size_t cls;
    bool operator==(const Key &o) const { return file == o.file && cls == o.cls; }
    bool operator<(const Key &o) const { return file < o.file || (file == o.file && cls < o.cls); }
  };
  /// An element of an MRO: a known class, or an opaque name (its number in the index's
  /// opaqueNames_). 8 bytes: the index memoises an MRO for every class of the run.
  struct Entry {
    static constexpr uint32_t kOpaque = UINT32_MAX;
    static Entry known(Key k) { return Entry{uint32_t(k.file), uint32_t(k.cls)}; }
    static Entry opaqueName(uint32_t name) { return Entry{kOpaque, name}; }
    bool isKnown() const { return file != kOpaque; }
    Key key() const { return Key{file, cls}; }
    bool operator==(const Entry &o) const { return file == o.file && cls == o.cls; }
    uint32_t file, cls; // the class; for an opaque one kOpaque and the name's number
  };

  const model::ClassFacts &facts(Key k);
  std::optional<Key> resolve(const std::string &qname, size_t fromFile, int depth = 0);
  std::vector<Entry> mro(Key k);
  std::vector<Key> runningInits(Key k, std::string &unknown);
  /// Why `provider`'s __init__ may not run: the nearest class before it in `order` whose __init__
  /// runs but does not call its base's on every path ("X.__init__ never calls the base __init__",
  /// or "... calls the base __init__ only conditionally"); nullopt when it runs.
  std::optional<std::string> chainBreaker(const std::vector<Entry> &order, const std::vector<Key> &ran, Key provider);
  std::optional<model::AttributeAssignment> nearestAssigning(const model::AttributeAssignment &a,
                                                             const std::vector<Entry> &order, Key &where);
  const model::AttributeAssignment *nearestProvider(const model::AttributeAssignment &a,
                                                    const std::vector<Entry> &order, const std::vector<Key> &ran,
                                                    Key &where);
  std::string overrideDiffers(Key x, const model::AttributeAssignment &a, Key providerKey,
                              const model::AttributeAssignment &provided, const std::vector<Entry> &order,
                              const std::vector<Key> &ran, std::string &unsafe);
  std::string noProviderReason(const model::ClassFacts &cls, const model::AttributeAssignment &a, Key plausibleKey,
                               const model::AttributeAssignment &plausibleAssign, const std::vector<Entry> &order,
                               const std::vector<Key> &ran, const std::string &unknown);
  std::string qualifiedKey(const std::string &k, size_t file) const;
  std::vector<std::string> qualifiedKeys(const model::AttributeAssignment &a, size_t file) const;
  struct InitHop { // a base __init__ call: made in caller's __init__, runs callee's
    Key caller;
    const model::BaseInitCall *call;
    Key callee;
  };
  std::optional<Key> initTarget(const model::BaseInitCall &call, size_t at, const std::vector<Entry> &order);
  std::vector<InitHop> initChain(Key x, uint32_t baseCall, Key provider, const std::vector<Entry> &order);
  std::string throughChain(const std::string &param, const std::vector<InitHop> &chain);
  std::string parameterBehind(const std::string &attr, Key provider, const model::AttributeAssignment &b,
                              const std::vector<Entry> &order);
  std::vector<std::string> forwardedKeys(Key x, uint32_t baseCall, Key provider, const model::AttributeAssignment &a,
                                         const model::AttributeAssignment &b, const std::vector<Entry> &order);
  std::string selfChanged(const std::string &attr, Key x, const model::AttributeAssignment &a, uint32_t baseCall,
                          Key provider, const model::AttributeAssignment &b, const std::vector<Entry> &order,
                          const std::vector<Key> &ran);
  model::Inherited inheritance(Key x, const std::string &attr, const std::vector<Entry> &order,
                               const std::vector<Key> &ran, const std::string &unknown);

  std::shared_ptr<const ModuleNames>
      names_; // each file's module path; a module path's files are those whose path ends with it
  std::function<const model::FileFacts *(size_t)> load_;
  // The MRO of each class computed so far, in one array (a run's index memoises hundreds of
  // thousands): the slots of file f's classes start at memoFirst_[f] (kNoSlots: not made yet), and
  // a slot is an MRO's (offset, length) in memoEntries_, length 0 when not computed yet.
  static constexpr uint32_t kNoSlots = UINT32_MAX;
  std::vector<uint32_t> memoFirst_;
  std::vector<std::pair<uint32_t, uint32_t>> memoSlots_;
  std::vector<Entry> memoEntries_;
  // The names of opaque MRO entries, one copy each, numbered.
  Entry opaque(const std::string &name);
  const std::string &opaqueName(Entry e) const { return opaqueNames_[e.cls]; }
  std::vector<std::string> opaqueNames_;
  std::unordered_map<std::string, uint32_t> opaqueNumbers_;
  std::vector<Key> visiting_;
  std::set<Key> cyclic_; // classes with no MRO (a cycle, or no consistent C3 order): no decisions
  std::vector<std::string> problems_;
};

} // namespace poolify::index

// Class facts of one module, compact enough to keep for every file of a run (no syntax trees):
// each module-level class with its bases (resolved through the module's imports), what its
// __init__ calls of its bases, and where it assigns `self.<attr>` from which kind of source;
// and what the class index decides from them across files (overrides removed or kept, clients
// inherited).
#pragma once

#include "model/site.h"
#include "support/box.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poolify::model {

struct AttributeAssignment {
  std::string attr;
  enum class Source {
    Pooled, // a call of a rule's pooled callable (get_bigquery_client(...))
    Site,   // a direct client this run decides on (see `outcome`)
    Other
  } source = Source::Other;
  std::string rule;   // rule id for Pooled and Site
  std::string pooled; // the pooled callable it is (or becomes): "shared.clients.bigquery_pool.get_bigquery_client"
  std::vector<Argument> args;     // explicit arguments, pooled keyword -> text
  std::vector<Argument> inferred; // arguments a rewrite takes from scope (Site, Rewritten or Unsafe)
  // What each argument (args, then inferred) denotes, where that can be told from the file alone:
  // "lit:TEXT" (a literal), "self:ATTR" (the instance's attribute), "g:QNAME" (a module-level name
  // reached through an import: "g:shared.config.PROJECT_ID"), "=NAME" (a module-level name of this
  // module), "?" (anything else: a parameter, a local, a call).
  std::vector<std::string> keys;
  std::vector<std::string> required; // pooled keywords the rule infers when the direct call omits them (Site)
  Outcome outcome = Outcome::Left;
  uint32_t siteOffset = 0;     // callee offset (Site)
  uint32_t start = 0, end = 0; // the statement
  unsigned line = 0, col = 0;  // of the callee, for messages
  enum class Where { Init, OtherMethod, ClassBody } where = Where::Init;
  std::string method;         // the method it is in
  bool unconditional = false; // a statement directly in the method body
  /// Source Other whose value is a parameter of the method that it never rebinds
  /// (`self.project_id = project_id`): "param:NAME". Empty for any other value.
  std::string valueKey;
  /// Its place among all of its class's assignments (ClassFacts::assignments and ::writes), in the
  /// order the class's code has them.
  uint32_t order = 0;
};

/// A class's assignments of source Other (`self.rows = []`, `self.project_id = project_id`): only
/// attr, method, where, unconditional, start, end, valueKey and order tell anything in them.
/// Packed into one string ("attr\tmethod\tvalueKey\tstart end order where unconditional\n"
/// lines): a run holds them for every class it parsed, a processor class assigns many attributes,
/// and only those of client attributes are ever asked for (ClassFacts::assignmentsOf).
class AttributeWrites {
public:
  /// Appends `a` (the whole text is copied: for building many, encode() them and assign() once).
  void add(const AttributeAssignment &a);
  /// Appends the line of `a` to a packed text.
  static void encode(const AttributeAssignment &a, std::string &packed);
  /// Takes a text made by encode() alone (not checked, as assign() checks one read back).
  void adopt(std::string_view packed) { data_.assign(packed); }
  /// Calls f(AttributeAssignment) for each write of `attr`, in order.
  template <typename F> void forEachOf(std::string_view attr, F f) const {
    std::string_view d = data_.view();
    for (size_t pos = 0; pos < d.size();) {
      size_t nl = d.find('\n', pos);
      if (nl == std::string_view::npos)
        return;
      std::string_view line = d.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.substr(0, attr.size()) != attr || line.size() <= attr.size() || line[attr.size()] != '\t')
        continue;
      if (auto a = decode(line))
        f(*a);
    }
  }
  /// The packed text, and one read back (the cache): false when `data` is not such a text.
  std::string_view data() const { return data_.view(); }
  bool assign(std::string_view data);

private:
  static bool split(std::string_view line, std::string_view (&texts)[3], uint32_t (&numbers)[5]);
  static std::optional<AttributeAssignment> decode(std::string_view line);
  BoxedString data_; // one pointer wide while empty: most classes assign no attribute
};

struct BaseInitCall {
  std::string base; // "" for super().__init__(); else the explicit base's qualified name
  uint32_t start = 0;
  bool unconditional = false;
  /// Its arguments ("#1", "#2"... for positional ones, in order, the instance of
  /// `Base.__init__(self, ...)` included; keywords by name) and what each denotes (keys as in
  /// AttributeAssignment::keys; "param:NAME" for a parameter of this __init__ it never rebinds).
  std::vector<Argument> args;
  std::vector<std::string> keys;
  bool unpacking = false; // *args or **kwargs: which parameter gets what cannot be told
};

/// A parameter of a class's `__init__` after the instance.
struct InitParameter {
  std::string name;
  std::string defaultKey; // the default's key ("" when it has none; "?" when it cannot be told)
  bool positional = true; // may be passed by position (not after `*` or `*args`)
};

/// What a class's __init__ tells, kept apart from the class (ClassFacts::init): a run holds the
/// facts of every class it parsed, and most classes define no __init__.
struct InitFacts {
  BoxedVector<InitParameter> params; // after the instance (`*args`, `**kw` not listed)
  bool variadic = false;             // it takes *args or **kwargs
  BoxedVector<BaseInitCall> calls;
  BoxedVector<std::pair<std::string, uint32_t>> uses; // self.<attr> read in it: attr, offset
  BoxedVector<std::string> selfCalls;                 // methods it calls on the instance (self.setup()), sorted, unique
  /// Attributes a rule may take from the instance (`project_id`) that it assigns on every path,
  /// before anything could run another method of the instance (analysis::initBinds); sorted.
  BoxedVector<std::string> binds;
  /// It calls the base __init__ before anything could run another method of the instance
  /// (analysis::baseInitRunsFirst): what that base binds is bound when it returns.
  bool baseFirst = false;
};

/// Names in order, packed into one string (each after its length: one byte below 255, else 255
/// and four bytes), any text allowed in a name; one pointer wide while empty: a run holds the bases
/// of every class it parsed, and most classes have none. Iterates as string_views.
class NameList {
public:
  NameList() = default;
  NameList(std::initializer_list<std::string_view> names);
  explicit NameList(const std::vector<std::string> &names);
  void push_back(std::string_view name); // NOLINT(readability-identifier-naming): std::vector's name
  bool empty() const { return data_.empty(); }
  size_t size() const;
  std::vector<std::string> strings() const;
  bool operator==(const NameList &o) const { return data_.view() == o.data_.view(); }

  class const_iterator { // NOLINT(readability-identifier-naming): what range-for and algorithms ask for
  public:
    using value_type = std::string_view;
    using reference = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using iterator_category = std::forward_iterator_tag;
    const_iterator(std::string_view data, size_t pos) : data_(data), pos_(pos) {}
    std::string_view operator*() const { return decode(data_, pos_).first; }
    const_iterator &operator++() {
      pos_ = decode(data_, pos_).second;
      return *this;
    }
    bool operator==(const const_iterator &o) const { return pos_ == o.pos_; }
    bool operator!=(const const_iterator &o) const { return pos_ != o.pos_; }

  private:
    std::string_view data_;
    size_t pos_;
  };
  const_iterator begin() const { return {data_.view(), 0}; }
  const_iterator end() const { return {data_.view(), data_.view().size()}; }

private:
  /// The name at `pos` and the position after it.
  static std::pair<std::string_view, size_t> decode(std::string_view data, size_t pos);
  BoxedString data_;
};

struct ClassFacts {
  std::string name;
  // qualified (dotted; relative ones keep their dots: "..base.Name"); "=Name" for a class of this
  // module; "?text" when unresolved
  NameList bases;
  /// Assignments of clients (sources Pooled and Site); extractClasses puts those of source Other
  /// in `writes`. Ask assignmentsOf(attr) for all of an attribute's.
  BoxedVector<AttributeAssignment> assignments;
  AttributeWrites writes;
  /// Every assignment of `attr` (from `assignments` and `writes`), in order.
  std::vector<AttributeAssignment> assignmentsOf(std::string_view attr) const;

  /// It defines __init__.
  bool hasInit() const { return init_.has_value(); }
  /// Its __init__'s facts; empty ones when it defines none.
  const InitFacts &init() const;
  /// Its __init__'s facts, made (empty) when it had none: hasInit() is true from then on.
  InitFacts &defineInit();

private:
  Box<InitFacts> init_;
};

/// Module-level names bound by `from M import X [as Y]`, with their qualified targets, for
/// re-exports (`from .base import Base` in a package's __init__.py). A plain `import a.b` binds a
/// module, never a class, so it is not kept. One string per file ("name\tqname\n" lines, sorted
/// by name), not a map: a run holds this for every file it parsed.
class ImportTable {
public:
  ImportTable() = default;
  /// From (name, qualified target) pairs sorted by name, names unique.
  explicit ImportTable(const std::vector<std::pair<std::string, std::string>> &sorted);
  std::optional<std::string_view> find(std::string_view name) const;
  std::vector<std::pair<std::string, std::string>> entries() const;
  bool empty() const { return data_.empty(); }
  /// The table as one string (equal strings, equal tables).
  std::string_view raw() const { return data_; }

private:
  std::string data_;
};

struct FileFacts {
  std::vector<ClassFacts> classes;
  ImportTable imports; // module-level name -> qualified target (re-exports)
};

/// The class index's decision on one client override in a subclass.
struct OverrideDecision {
  size_t file;
  uint32_t siteOffset; // the override's callee
  unsigned line = 0, col = 0;
  std::string rule;
  bool remove = false;
  Removal removal;  // when remove
  std::string note; // otherwise: why it stays ("not removed: ...")
};

/// A client class `cls` gets from a base (and does not set itself): `status` says which kind.
struct Inherited {
  std::string cls, attr, rule, base;
  /// "pooled": the base's __init__ provably sets a pooled client (pooled in the input, or rewritten by
  /// this run); "direct": the base sets a direct client that stays direct (left, or an unsafe fix not
  /// applied); "unknown": whether the base's assignment runs cannot be told (see `reason`).
  std::string status = "pooled";
  std::string reason; // for direct and unknown
  bool pooled() const { return status == "pooled"; }
};

} // namespace poolify::model

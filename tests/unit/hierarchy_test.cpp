// The class index: module names from paths, bases resolved across files (absolute, relative,
// aliases, re-exports), C3 linearisation as Python computes it, and which client overrides in
// subclasses are redundant with a pooled client a base provides (fixtures/golden/README.md,
// "Class hierarchies").
#include "testing.h"

#include "analysis/classes.h"
#include "index/hierarchy.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <memory>
#include <set>

using namespace poolify;
using index::ClassIndex;
using index::ModuleNames;
using testing::Analyzed;
using testing::shippedRules;

namespace {

// ---- Hand-built facts: the linearisation alone -------------------------------------------------

// A class of its module, with bases of the same module, whose __init__ calls super().__init__().
model::ClassFacts cls(const std::string &name, const std::vector<std::string> &bases = {}) {
  model::ClassFacts c;
  c.name = name;
  for (const auto &b : bases)
    c.bases.push_back("=" + b);
  c.defineInit().calls.push_back({"", 0, true, {}, {}, false});
  return c;
}

model::AttributeAssignment pooledInInit(const std::string &attr) {
  model::AttributeAssignment a;
  a.attr = attr;
  a.source = model::AttributeAssignment::Source::Pooled;
  a.rule = "bigquery";
  a.where = model::AttributeAssignment::Where::Init;
  a.method = "__init__";
  a.unconditional = true;
  return a;
}

// The MRO of `name` (all classes in one module, every __init__ cooperative) as the class index
// sees it: every other class provides a pooled client, and the base the class inherits it from is
// the first of them in its MRO; that base stops providing, and the next one is asked for.
std::string mroOf(const std::vector<model::ClassFacts> &classes, const std::string &name) {
  std::string order = name;
  std::set<std::string> seen{name};
  for (size_t round = 0; round <= classes.size(); ++round) {
    model::FileFacts facts;
    facts.classes = classes;
    for (auto &c : facts.classes)
      if (!seen.count(c.name))
        c.assignments.push_back(pooledInInit("probe"));
    ClassIndex index({"mod.py"}, [&](size_t) { return &facts; });
    std::string next;
    for (const auto &i : index.inheritedClients(0))
      if (i.cls == name && i.attr == "probe")
        next = i.base;
    if (next.empty())
      break;
    order += " " + next;
    seen.insert(next);
  }
  return order;
}

// ---- Parsed files: the whole reduce step over small projects ------------------------------------

// Files of one run, analyzed as the pipeline does (sites, verdicts, class facts), and the class
// index over them.
using Files = std::vector<std::pair<std::string, std::string>>; // path -> source

struct Project {
  explicit Project(const Files &files) {
    for (const auto &[path, text] : files) {
      displays.push_back(path);
      analyzed.push_back(std::make_unique<Analyzed>(text, shippedRules(), path));
      const Analyzed &a = *analyzed.back();
      facts.push_back(analysis::extractClasses(a.tree, a.model, a.sites, a.verdicts, shippedRules(), a.lines));
    }
    index = std::make_unique<ClassIndex>(displays, [this](size_t i) { return &facts[i]; });
  }

  // "path:line: note" of every decision over all files (the note says removed or not and why).
  std::string decisions() {
    std::vector<size_t> all;
    for (size_t i = 0; i < displays.size(); ++i)
      all.push_back(i);
    std::string out;
    for (const auto &d : index->decideOverrides(all)) {
      out += out.empty() ? "" : "\n";
      out += displays[d.file] + ":" + std::to_string(d.line) + ": " + (d.remove ? d.removal.note : d.note);
      if (d.remove && !d.removal.unsafe.empty())
        out += " [unsafe: " + d.removal.unsafe + "]";
      if (d.remove)
        CHECK(d.removal.comment.find(": pooled client inherited from ") != std::string::npos);
    }
    return out;
  }

  // "Class.attr from Base (rule)" of every class of `file` that inherits a client ("(rule, status:
  // reason)" when it is not known to be pooled).
  std::string inherited(size_t file) {
    std::string out;
    for (const auto &i : index->inheritedClients(file))
      out += (out.empty() ? "" : "; ") + i.cls + "." + i.attr + " from " + i.base + " (" + i.rule +
             (i.pooled() ? "" : ", " + i.status + ": " + i.reason) + ")";
    return out;
  }

  std::vector<std::string> displays;
  std::vector<std::unique_ptr<Analyzed>> analyzed;
  std::vector<model::FileFacts> facts;
  std::unique_ptr<ClassIndex> index;
};

const char *kBase = "from shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
                    "class Base:\n"
                    "    def __init__(self, project_id):\n"
                    "        self.project_id = project_id\n"
                    "        self.bq_client = get_bigquery_client(project_id=self.project_id)\n";

// A subclass module of pkg/base.py's Base whose __init__ has `body` (8-space indented lines).
std::string child(const std::string &body, const std::string &head = "class Child(Base):\n") {
  return "from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\n" + head +
         "    def __init__(self, project_id, flag=False):\n" + body;
}

std::string decide(const std::string &childSource) {
  return Project({{"pkg/base.py", kBase}, {"pkg/child.py", childSource}}).decisions();
}

} // namespace

TEST_CASE("dottedPath names a module after its path") {
  CHECK(ModuleNames::dottedPath("pkg/mod.py") == "pkg.mod");
  CHECK(ModuleNames::dottedPath("./pkg/mod.py") == "pkg.mod");
  CHECK(ModuleNames::dottedPath("pkg/sub/__init__.py") == "pkg.sub");
  CHECK(ModuleNames::dottedPath("mod.py") == "mod");
  CHECK(ModuleNames::dottedPath("__init__.py") == "");
}

TEST_CASE("ModuleNames: a dotted name denotes the files whose module path ends with it, in file order") {
  const std::vector<std::string> paths = {"pkg/__init__.py", "pkg/mod.py",  "other/pkg/mod.py", "mod.py",
                                          "pkgmod.py",       "__init__.py", "pkg/x__init__.py"};
  ModuleNames names(paths.size(), [&](size_t i) { return std::string_view(paths[i]); });
  REQUIRE(names.size() == paths.size());
  CHECK(names.dotted(0) == "pkg");
  CHECK(names.dotted(2) == "other.pkg.mod");
  CHECK(names.dotted(5) == "");
  CHECK(names.dotted(6) == "pkg.x__init__");
  CHECK(names.isPackage(0));
  CHECK(names.isPackage(5));
  CHECK_FALSE(names.isPackage(1));
  CHECK_FALSE(names.isPackage(6)); // only a file named __init__.py makes its folder a package
  CHECK(names.endingWith("mod") == std::vector<size_t>{1, 2, 3});
  CHECK(names.endingWith("pkg.mod") == std::vector<size_t>{1, 2});
  CHECK(names.endingWith("other.pkg.mod") == std::vector<size_t>{2});
  CHECK(names.endingWith("kg.mod").empty()); // a suffix counts only at a dot
  CHECK(names.endingWith("pkg") == std::vector<size_t>{0});
  CHECK(names.endingWith("pkgmod") == std::vector<size_t>{4});
  CHECK(names.endingWith("absent").empty());
  CHECK(names.endingWith("") == std::vector<size_t>{5}); // the top-level __init__.py
}

TEST_CASE(
    "ModuleNames: an import target is made absolute from its module; mayResolve asks whether a file is its module") {
  const std::vector<std::string> paths = {"pkg/__init__.py", "pkg/base.py", "pkg/sub/mod.py", "pkg/sub/__init__.py",
                                          "top.py"};
  ModuleNames names(paths.size(), [&](size_t i) { return std::string_view(paths[i]); });
  CHECK(names.absolute(".base.Base", 0) == "pkg.base.Base");  // a package's __init__ is its package
  CHECK(names.absolute("..base.Base", 2) == "pkg.base.Base"); // from pkg/sub/mod.py
  CHECK(names.absolute(".mod.X", 3) == "pkg.sub.mod.X");      // from pkg/sub/__init__.py
  CHECK(names.absolute(".X", 4) == "X");                      // a top-level module's package is none
  CHECK(names.absolute("google.cloud.bigquery", 2) == "google.cloud.bigquery");
  CHECK(ClassIndex::mayResolve(names, "pkg.base.Base", 2));
  CHECK(ClassIndex::mayResolve(names, "..base.Base", 2));
  CHECK(ClassIndex::mayResolve(names, "base.Base", 2)); // a module path ending with it, as resolve finds
  CHECK(ClassIndex::mayResolve(names, "=Local", 2));    // a class of the module itself
  CHECK_FALSE(ClassIndex::mayResolve(names, "google.cloud.bigquery", 2));
  CHECK_FALSE(ClassIndex::mayResolve(names, "typing.Optional", 2));
  CHECK_FALSE(ClassIndex::mayResolve(names, "Base", 2)); // no module part
  CHECK_FALSE(ClassIndex::mayResolve(names, "?f(x)", 2));
  CHECK_FALSE(ClassIndex::mayResolve(names, "", 2));
}

TEST_CASE("ModuleNames finds each of many modules, and only it") {
  std::vector<std::string> paths;
  for (int i = 0; i < 20000; ++i)
    paths.push_back(fmt::format("pkg{}/m{}.py", i % 7, i));
  ModuleNames names(paths.size(), [&](size_t i) { return std::string_view(paths[i]); });
  size_t wrong = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    wrong += names.endingWith(fmt::format("m{}", i)) != std::vector<size_t>{i};
    wrong += names.endingWith(fmt::format("pkg{}.m{}", i % 7, i)) != std::vector<size_t>{i};
    wrong += !names.endingWith(fmt::format("pkg{}.m{}", (i + 1) % 7, i)).empty();
  }
  CHECK(wrong == 0);
}

TEST_CASE("prefetch loads, in batches, every file resolving the bases needs, so that deciding loads none") {
  // Child's base comes through a package that re-exports it from its base module, two levels down.
  Project p({{"pkg/base.py", kBase},
             {"pkg/api/__init__.py", "from ..base import Base\n"},
             {"pkg/mid.py", "from pkg.api import Base\n\n\nclass Mid(Base):\n    pass\n"},
             {"pkg/child.py", "from google.cloud import bigquery\n\nfrom pkg.mid import Mid\n\n\n"
                              "class Child(Mid):\n"
                              "    def __init__(self, project_id):\n"
                              "        super().__init__(project_id)\n"
                              "        self.bq_client = bigquery.Client(project=self.project_id)\n"},
             {"other.py", "class Other:\n    pass\n"}});
  std::string expected = p.decisions();
  REQUIRE(expected.find("pkg/child.py") != std::string::npos);
  std::vector<char> loaded(p.facts.size(), 0);
  std::vector<size_t> batches;
  ClassIndex index(p.displays, [&](size_t i) {
    loaded[i] = 1;
    return &p.facts[i];
  });
  index.prefetch({3}, [&](const std::vector<size_t> &need) {
    std::set<size_t> unique(need.begin(), need.end());
    CHECK(unique.size() == need.size()); // each file once per batch: the batch may load in parallel
    batches.push_back(need.size());
  });
  CHECK(loaded == std::vector<char>{1, 1, 1, 1, 0}); // base, the re-export, mid, child; not other.py
  CHECK(batches.size() >= 3);                        // level by level: mid, then pkg.api, then pkg.base
  std::vector<char> before = loaded;
  std::string decided;
  for (const auto &d : index.decideOverrides({3}))
    decided += p.displays[d.file] + ":" + std::to_string(d.line) + ": " + (d.remove ? d.removal.note : d.note);
  CHECK(loaded == before);
  CHECK(expected.find(decided) != std::string::npos);
}

TEST_CASE("a diamond is linearised as Python does: each class before its bases, bases in order") {
  std::vector<model::ClassFacts> classes{cls("A"), cls("B", {"A"}), cls("C", {"A"}), cls("D", {"B", "C"})};
  CHECK(mroOf(classes, "D") == "D B C A");
  CHECK(mroOf(classes, "C") == "C A");
}

TEST_CASE("C3 gives Python's MRO for the examples of the C3 literature") {
  // Wikipedia's "C3 linearization" example: Z's MRO is Z K1 K2 K3 D A B C E O.
  std::vector<model::ClassFacts> z{cls("O"),
                                   cls("A", {"O"}),
                                   cls("B", {"O"}),
                                   cls("C", {"O"}),
                                   cls("D", {"O"}),
                                   cls("E", {"O"}),
                                   cls("K1", {"A", "B", "C"}),
                                   cls("K2", {"D", "B", "E"}),
                                   cls("K3", {"D", "A"}),
                                   cls("Z", {"K1", "K2", "K3"})};
  CHECK(mroOf(z, "Z") == "Z K1 K2 K3 D A B C E O");
  // "The Python 2.3 Method Resolution Order" (Simionato): A(B, C), B(D, E), C(D, F) gives A B C D E F O.
  std::vector<model::ClassFacts> a{cls("O"),
                                   cls("F", {"O"}),
                                   cls("E", {"O"}),
                                   cls("D", {"O"}),
                                   cls("C", {"D", "F"}),
                                   cls("B", {"D", "E"}),
                                   cls("A", {"B", "C"})};
  CHECK(mroOf(a, "A") == "A B C D E F O");
  CHECK(mroOf(a, "B") == "B D E O");
}

TEST_CASE("a hierarchy Python refuses has no MRO: its overrides are ordinary sites, and it is reported") {
  // class X; class Y; class A(X, Y); class B(Y, X); class Z(A, B) -> TypeError: Cannot create a
  // consistent method resolution order (MRO) for bases X, Y
  std::vector<model::ClassFacts> classes{cls("X"), cls("Y"), cls("A", {"X", "Y"}), cls("B", {"Y", "X"}),
                                         cls("Z", {"A", "B"})};
  classes[0].assignments.push_back(pooledInInit("bq_client"));
  model::AttributeAssignment override;
  override.attr = "bq_client";
  override.source = model::AttributeAssignment::Source::Site;
  override.rule = "bigquery";
  override.outcome = model::Outcome::Rewritten;
  override.where = model::AttributeAssignment::Where::Init;
  override.unconditional = true;
  override.start = 10;
  classes[4].assignments.push_back(override);
  model::FileFacts facts;
  facts.classes = classes;
  ClassIndex index({"mod.py"}, [&](size_t) { return &facts; });
  auto decisions = index.decideOverrides({0});
  CHECK(decisions.empty());
  REQUIRE(index.problems().size() == 1);
  CHECK(index.problems()[0].find("Z") != std::string::npos);
}

TEST_CASE("a hierarchy Python refuses does not stop the run") {
  std::vector<model::ClassFacts> classes{cls("X"), cls("Y"), cls("A", {"X", "Y"}), cls("B", {"Y", "X"}),
                                         cls("Z", {"A", "B"})};
  // Z has no MRO, so it inherits nothing here; its bases keep theirs.
  CHECK(mroOf(classes, "Z") == "Z");
  CHECK(mroOf(classes, "A") == "A X Y");
  CHECK(mroOf(classes, "B") == "B Y X");
}

TEST_CASE("a redundant override is removed, naming the base that provides the client") {
  CHECK(decide(child("        super().__init__(project_id)\n        self.bq_client = "
                     "bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base");
  // Left only for "no project id in scope": redundant, but its client used the library's default
  // project where the inherited one passes the base's: an unsafe removal.
  CHECK(decide("from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\nclass Child(Base):\n"
               "    def __init__(self, cfg):\n        super().__init__(cfg.project)\n        self.bq_client = "
               "bigquery.Client()\n") ==
        "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base [unsafe: removal as "
        "redundant with the pooled bq_client inherited from Base: the override passes "
        "no project_id, so its client used the library's default; the one inherited from Base passes "
        "project_id=self.project_id, which may differ]");
  // super(Cls, self).__init__ and Base.__init__(self, ...) run the base __init__ too.
  CHECK(decide(child("        super(Child, self).__init__(project_id)\n        self.bq_client = "
                     "bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base");
  CHECK(decide(child("        Base.__init__(self, project_id)\n        self.bq_client = "
                     "bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base");
}

TEST_CASE("an override made before the base __init__ is overwritten by it, unless read in between") {
  CHECK(decide(child(
            "        self.bq_client = bigquery.Client(project='other')\n        super().__init__(project_id)\n")) ==
        "pkg/child.py:8: removed: redundant with the pooled bq_client inherited from Base");
  CHECK(
      decide(child(
          "        self.bq_client = bigquery.Client(project=self.project_id)\n        self.bq_client.query('warmup')\n"
          "        super().__init__(project_id)\n")) ==
      "pkg/child.py:8: not removed: bq_client is used before the base __init__ runs");
}

TEST_CASE("an override is kept, with the first reason that applies") {
  CHECK(decide(child("        self.project_id = project_id\n        self.bq_client = "
                     "bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:9: not removed: Child.__init__ never calls the base __init__ (Base sets bq_client)");
  CHECK(decide(child("        if flag:\n            super().__init__(project_id)\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:10: not removed: Child.__init__ calls the base __init__ only conditionally");
  CHECK(decide(child("        super().__init__(project_id)\n        self.bq_client = "
                     "bigquery.Client(project=\"acme-billing\")\n")) ==
        "pkg/child.py:9: not removed: it asks for project_id=\"acme-billing\", which the client inherited from Base "
        "does not");
  CHECK(decide(child("        super().__init__(project_id)\n        self.bq_client = "
                     "bigquery.Client(project=self.project_id, location=\"EU\")\n")) ==
        "pkg/child.py:9: not removed: it asks for location=\"EU\", which the client inherited from Base does not");
  CHECK(decide(child("        super().__init__(project_id)\n        if flag:\n"
                     "            self.bq_client = bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:10: not removed: bq_client is assigned conditionally");
  CHECK(decide(child("        super().__init__(project_id)\n\n    def refresh(self):\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id)\n")) ==
        "pkg/child.py:11: not removed: bq_client is assigned in refresh(), not in __init__");
  CHECK(decide("from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\nclass Child(Base):\n"
               "    bq_client = bigquery.Client(project='p')\n") ==
        "pkg/child.py:7: not removed: bq_client is a class attribute");
}

TEST_CASE("an override left for another reason than a missing project is not considered") {
  CHECK(decide(child("        super().__init__(project_id)\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id, credentials=None)\n")) == "");
}

// Found by the fuzzer: `self.x: T` with no value crashed the class facts (a value key of no value).
// It assigns nothing at run time, so it neither provides a client nor changes what the client read.
TEST_CASE("an annotation without a value is no assignment") {
  std::string override = "        self.bq_client = bigquery.Client(project=self.project_id)\n";
  CHECK(decide(child("        super().__init__(project_id)\n        self.project_id: str\n" + override)) ==
        "pkg/child.py:10: removed: redundant with the pooled bq_client inherited from Base");
  CHECK(decide(child("        super().__init__(project_id)\n        self.project_id = 'other'\n" + override)) ==
        "pkg/child.py:10: not removed: self.project_id is assigned again in Child.__init__ after the base __init__ "
        "made the client");
  // In the base, an annotation alone before the client, or instead of it.
  std::string head = "from shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
                     "class Base:\n    def __init__(self, project_id):\n        self.project_id = project_id\n";
  auto withBase = [&](const std::string &base) {
    return Project(
               {{"pkg/base.py", base}, {"pkg/child.py", child("        super().__init__(project_id)\n" + override)}})
        .decisions();
  };
  CHECK(withBase(head + "        self.bq_client: object\n"
                        "        self.bq_client = get_bigquery_client(project_id=self.project_id)\n") ==
        "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base");
  // An annotation alone: no base sets bq_client, so the child's client is no override to decide on.
  CHECK(withBase(head + "        self.bq_client: object\n") == "");
}

TEST_CASE("what the base provides decides: set later, conditionally, or not pooled") {
  auto withBase = [](const std::string &base) {
    return Project({{"pkg/base.py", base},
                    {"pkg/child.py", child("        super().__init__(project_id)\n"
                                           "        self.bq_client = bigquery.Client(project=self.project_id)\n")}})
        .decisions();
  };
  std::string head =
      "from google.cloud import bigquery\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
      "class Base:\n    def __init__(self, project_id):\n        self.project_id = project_id\n";
  CHECK(withBase(
            head +
            "\n    def connect(self):\n        self.bq_client = get_bigquery_client(project_id=self.project_id)\n") ==
        "pkg/child.py:9: not removed: Base sets bq_client only after construction (in connect())");
  CHECK(withBase(
            head +
            "        if project_id:\n            self.bq_client = get_bigquery_client(project_id=self.project_id)\n") ==
        "pkg/child.py:9: not removed: Base sets bq_client only conditionally");
  CHECK(withBase(head + "        self.bq_client = bigquery.Client(project=self.project_id, credentials=None)\n") ==
        "pkg/child.py:9: not removed: Base's bq_client is not a pooled bigquery client");
  // A base whose direct client this run rewrites provides a pooled one.
  CHECK(withBase(head + "        self.bq_client = bigquery.Client(project=self.project_id)\n") ==
        "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base");
}

TEST_CASE("the super() chain follows the MRO: a cooperative mixin passes it on, a mixin that stops breaks it") {
  auto withMixin = [](const std::string &mixinInit) {
    return Project(
               {{"pkg/base.py", kBase},
                {"pkg/mixins.py", "class Mixin:\n    def __init__(self, *args, **kwargs):\n" + mixinInit},
                {"pkg/child.py",
                 "from google.cloud import bigquery\n\nfrom pkg.base import Base\nfrom pkg.mixins import Mixin\n\n\n"
                 "class Child(Mixin, Base):\n    def __init__(self, project_id):\n        "
                 "super().__init__(project_id)\n"
                 "        self.bq_client = bigquery.Client(project=self.project_id)\n"}})
        .decisions();
  };
  CHECK(withMixin("        super().__init__(*args, **kwargs)\n        self.history = []\n") ==
        "pkg/child.py:10: removed: redundant with the pooled bq_client inherited from Base");
  CHECK(withMixin("        self.history = []\n") ==
        "pkg/child.py:10: not removed: Mixin.__init__ never calls the base __init__ (Base sets bq_client)");
  // A mixin that passes it on only on one path breaks it as well, and the reason says which.
  CHECK(withMixin("        if kwargs.get('cooperative'):\n            super().__init__(*args, **kwargs)\n") ==
        "pkg/child.py:10: not removed: Mixin.__init__ calls the base __init__ only conditionally (Base sets "
        "bq_client)");
}

TEST_CASE("a chain through a class poolify cannot see keeps the override") {
  CHECK(decide(child(
            "        super().__init__(project_id)\n        self.bq_client = bigquery.Client(project=self.project_id)\n",
            "from etl_tracing import TracingMixin\n\n\nclass Child(TracingMixin, Base):\n")) ==
        "pkg/child.py:12: not removed: the base __init__ chain goes through etl_tracing.TracingMixin, which poolify "
        "cannot see");
}

TEST_CASE("a grandchild inherits through a class without __init__") {
  Project p({{"pkg/base.py", kBase},
             {"pkg/mid.py", "from pkg.base import Base\n\n\nclass Mid(Base):\n    def run(self):\n        pass\n"},
             {"pkg/leaf.py", "from google.cloud import bigquery\n\nfrom pkg.mid import Mid\n\n\nclass Leaf(Mid):\n"
                             "    def __init__(self, project_id):\n        super().__init__(project_id)\n"
                             "        self.bq_client = bigquery.Client(project=self.project_id)\n"}});
  CHECK(p.decisions() == "pkg/leaf.py:9: removed: redundant with the pooled bq_client inherited from Base");
  CHECK(p.inherited(1) == "Mid.bq_client from Base (bigquery)");
  CHECK(p.inherited(2) == ""); // Leaf sets it itself (until migrate removes the override)
}

TEST_CASE("bases resolve through absolute, relative and aliased imports across files") {
  std::string body = "    def __init__(self, project_id):\n        super().__init__(project_id)\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id)\n";
  std::string bq = "from google.cloud import bigquery\n";
  for (const auto &[path, head] : std::vector<std::pair<std::string, std::string>>{
           {"pkg/jobs/child.py", bq + "from pkg.base import Base\n\n\nclass Child(Base):\n"},
           {"pkg/jobs/child.py", bq + "from ..base import Base\n\n\nclass Child(Base):\n"},
           {"pkg/child.py", bq + "from .base import Base\n\n\nclass Child(Base):\n"},
           {"pkg/child.py", bq + "from . import base\n\n\nclass Child(base.Base):\n"},
           {"pkg/jobs/child.py", bq + "from pkg.base import Base as ProcessorBase\n\n\nclass Child(ProcessorBase):\n"},
           {"pkg/jobs/child.py", bq + "import pkg.base\n\n\nclass Child(pkg.base.Base):\n"},
           {"pkg/jobs/child.py", bq + "import pkg.base as b\n\n\nclass Child(b.Base):\n"}}) {
    const std::string &source = head; // CAPTURE makes a lambda: clang 14 cannot capture a structured binding
    CAPTURE(source);
    Project p({{"pkg/base.py", kBase}, {path, head + body}});
    CHECK(p.decisions() == path + ":8: removed: redundant with the pooled bq_client inherited from Base");
  }
}

TEST_CASE("a base re-exported by a package __init__ resolves to its class") {
  Project p({{"pkg/__init__.py", "from .base import Base\n"},
             {"pkg/base.py", kBase},
             {"app/child.py", "from pkg import Base\n\n\nclass Child(Base):\n    pass\n"}});
  CHECK(p.inherited(2) == "Child.bq_client from Base (bigquery)");
}

TEST_CASE("of two modules with the same path suffix, the one nearest the importing file is the base") {
  std::string other = "class Base:\n    def __init__(self, project_id):\n        self.bq_client = None\n";
  Project p({{"a/pkg/base.py", other},
             {"b/pkg/base.py", kBase},
             {"b/pkg/child.py", "from pkg.base import Base\n\n\nclass Child(Base):\n    pass\n"}});
  CHECK(p.inherited(2) == "Child.bq_client from Base (bigquery)");
}

TEST_CASE("an unresolved base is opaque: nothing is inherited through it") {
  Project p(Files{{"pkg/child.py", "from elsewhere import Base\n\n\nclass Child(Base):\n    pass\n"}});
  CHECK(p.inherited(0) == "");
  CHECK(p.decisions() == "");
}

TEST_CASE("classes on an inheritance cycle have no MRO: no decision, and the cycle is reported") {
  Project p({{"pkg/base.py", kBase},
             {"pkg/loop.py",
              "from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\n"
              "class A(B, Base):\n    def __init__(self, project_id):\n        super().__init__(project_id)\n"
              "        self.bq_client = bigquery.Client(project=self.project_id)\n\n\nclass B(A):\n    pass\n"}});
  CHECK(p.decisions() == "");
  REQUIRE(p.index->problems().size() >= 1);
  CHECK(p.index->problems()[0].find("a cycle") != std::string::npos);
  CHECK(p.index->problems()[0].find("pkg.loop") != std::string::npos);
}

TEST_CASE("inheritedClients lists classes whose running base __init__ provides a pooled client") {
  Project p(
      {{"pkg/base.py", kBase},
       {"pkg/kids.py",
        "from pkg.base import Base\n\n\n"
        "class Plain(Base):\n    pass\n\n\n"
        "class Cooperative(Base):\n    def __init__(self, p):\n        super().__init__(p)\n\n\n"
        "class Selfish(Base):\n    def __init__(self, p):\n        self.p = p\n\n\n"
        "class Own(Base):\n    def __init__(self, p):\n        super().__init__(p)\n        self.bq_client = None\n"}});
  CHECK(p.inherited(1) == "Plain.bq_client from Base (bigquery); Cooperative.bq_client from Base (bigquery); "
                          "Selfish.bq_client from Base (bigquery, unknown: Selfish.__init__ never calls the base "
                          "__init__ (Base sets bq_client))");
  CHECK(p.inherited(0) == "");
}

TEST_CASE("providerNames lists providing and inheriting classes, sorted") {
  Project p({{"pkg/base.py", kBase}, {"pkg/kids.py", "from pkg.base import Base\n\n\nclass Zed(Base):\n    pass\n"}});
  CHECK(p.index->providerNames({0, 1}) == std::vector<std::string>{"Base", "Zed"});
}

TEST_CASE("decisions do not depend on the order of the files") {
  std::vector<std::pair<std::string, std::string>> files{
      {"pkg/base.py", kBase},
      {"pkg/child.py", child("        super().__init__(project_id)\n        self.bq_client = "
                             "bigquery.Client(project=self.project_id)\n")}};
  std::string forward = Project(files).decisions();
  std::reverse(files.begin(), files.end());
  CHECK(Project(files).decisions() == forward);
}

// ---- Override equivalence: the inherited client must be the one the override makes -------------

TEST_CASE("argumentKey tells literals, module-level names and the instance's attributes apart") {
  auto global = [](std::string_view name) -> std::string {
    if (name == "PROJECT_ID")
      return "g:shared.config.PROJECT_ID";
    if (name == "config")
      return "g:shared.config";
    if (name == "LOCAL_DEFAULT")
      return "=";
    return ""; // a parameter or a local
  };
  CHECK(analysis::argumentKey("'acme'", "self", global) == "lit:'acme'");
  CHECK(analysis::argumentKey("\"\"\"a\"\"\"", "self", global) == "lit:\"\"\"a\"\"\"");
  CHECK(analysis::argumentKey("r'a\\'b'", "self", global) == "lit:r'a\\'b'");
  CHECK(analysis::argumentKey("f'{x}'", "self", global) == "?");  // interpolation
  CHECK(analysis::argumentKey("'a' + x", "self", global) == "?"); // not one literal
  CHECK(analysis::argumentKey("'a' 'b'", "self", global) == "?");
  CHECK(analysis::argumentKey("None", "self", global) == "lit:None");
  CHECK(analysis::argumentKey("3", "self", global) == "lit:3");
  CHECK(analysis::argumentKey("self.project_id", "self", global) == "self:project_id");
  CHECK(analysis::argumentKey("this.project_id", "this", global) == "self:project_id");
  CHECK(analysis::argumentKey("self.cfg.project", "self", global) == "?");
  CHECK(analysis::argumentKey("PROJECT_ID", "self", global) == "g:shared.config.PROJECT_ID");
  CHECK(analysis::argumentKey("config.PROJECT_ID", "self", global) == "g:shared.config.PROJECT_ID");
  CHECK(analysis::argumentKey("LOCAL_DEFAULT", "self", global) == "=LOCAL_DEFAULT");
  CHECK(analysis::argumentKey("project_id", "self", global) == "?");
  CHECK(analysis::argumentKey("os.environ['P']", "self", global) == "?");
}

namespace {
model::AttributeAssignment call(std::vector<model::Argument> args, std::vector<model::Argument> inferred = {}) {
  model::AttributeAssignment a;
  a.args = std::move(args);
  a.inferred = std::move(inferred);
  a.required = {"project_id"};
  return a;
}
std::string compare(const model::AttributeAssignment &a, std::vector<std::string> aKeys,
                    const model::AttributeAssignment &b, std::vector<std::string> bKeys,
                    const std::string &changed = "") {
  auto eq = index::compareArguments(a, aKeys, b, bKeys, "Base", [&](const std::string &) { return changed; });
  return eq.kind == index::Equivalence::Kind::Same     ? "same"
         : eq.kind == index::Equivalence::Kind::Unsafe ? "unsafe: " + eq.why
                                                       : "keep: " + eq.why;
}
} // namespace

TEST_CASE("compareArguments: the same literal, module-level name or unchanged attribute is the same client") {
  CHECK(compare(call({{"project_id", "'p'"}}), {"lit:'p'"}, call({{"project_id", "'p'"}}), {"lit:'p'"}) == "same");
  CHECK(compare(call({{"project_id", "PROJECT_ID"}}), {"g:shared.config.PROJECT_ID"},
                call({{"project_id", "config.PROJECT_ID"}}), {"g:shared.config.PROJECT_ID"}) == "same");
  CHECK(compare(call({{"project_id", "self.project_id"}}), {"self:project_id"},
                call({{"project_id", "self.project_id"}}), {"self:project_id"}) == "same");
  // What the base's rewrite takes from scope counts as what it passes.
  CHECK(compare(call({{"project_id", "self.project_id"}}), {"self:project_id"},
                call({}, {{"project_id", "self.project_id"}}), {"self:project_id"}) == "same");
  CHECK(compare(call({}), {}, call({}), {}) == "same");
}

TEST_CASE("compareArguments: what may differ keeps the override, a defaulted project is an unsafe removal") {
  CHECK(compare(call({{"project_id", "'billing'"}}), {"lit:'billing'"}, call({{"project_id", "self.project_id"}}),
                {"self:project_id"}) ==
        "keep: it asks for project_id='billing', which the client inherited from Base does not");
  // The same text naming a parameter or a local of each __init__: not provably the same value.
  CHECK(compare(call({{"project_id", "project_id"}}), {"?"}, call({{"project_id", "project_id"}}), {"?"}) ==
        "keep: project_id=project_id in the override need not be what Base passed when it made its client");
  CHECK(compare(call({{"project_id", "self.project_id"}}), {"self:project_id"},
                call({{"project_id", "self.project_id"}}), {"self:project_id"},
                "self.project_id is assigned again") == "keep: self.project_id is assigned again");
  // Two module-level names of the same spelling in different modules are different names.
  CHECK(compare(call({{"project_id", "PROJECT_ID"}}), {"g:jobs.PROJECT_ID"}, call({{"project_id", "PROJECT_ID"}}),
                {"g:shared.config.PROJECT_ID"})
            .rfind("keep: it asks for project_id=PROJECT_ID", 0) == 0);
  CHECK(compare(call({{"project_id", "'p'"}}), {"lit:'p'"}, call({{"project_id", "'p'"}, {"location", "'EU'"}}),
                {"lit:'p'", "lit:'EU'"}) ==
        "keep: the client inherited from Base is made with location='EU', which the override does not ask for");
  CHECK(compare(call({}), {}, call({{"project_id", "self.project_id"}}), {"self:project_id"}) ==
        "unsafe: the override passes no project_id, so its client used the library's default; the one inherited "
        "from Base passes project_id=self.project_id, which may differ");
  // A keep wins over an unsafe removal.
  CHECK(compare(call({}), {}, call({{"project_id", "self.project_id"}, {"location", "'EU'"}}),
                {"self:project_id", "lit:'EU'"})
            .rfind("keep: ", 0) == 0);
}

TEST_CASE("a subclass that sets the attribute the base's project reads keeps its override unless set before super()") {
  std::string base =
      "from shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass Base:\n"
      "    def __init__(self):\n        self.bq_client = get_bigquery_client(project_id=self.project_id)\n";
  auto withChild = [&](const std::string &body) {
    return Project({{"pkg/base.py", base},
                    {"pkg/child.py", "from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\n"
                                     "class Child(Base):\n    def __init__(self):\n" +
                                         body}})
        .decisions();
  };
  // Set before super().__init__(): the base made its client with the same project.
  CHECK(withChild("        self.project_id = 'staging'\n        super().__init__()\n"
                  "        self.bq_client = bigquery.Client(project=self.project_id)\n") ==
        "pkg/child.py:10: removed: redundant with the pooled bq_client inherited from Base");
  // Set after it: the override asks for another project than the one the base's client has.
  CHECK(withChild("        super().__init__()\n        self.project_id = 'staging'\n"
                  "        self.bq_client = bigquery.Client(project=self.project_id)\n") ==
        "pkg/child.py:10: not removed: self.project_id is assigned again in Child.__init__ after the base __init__ "
        "made the client");
  // Set in a method __init__ calls: cannot tell when.
  CHECK(withChild("        super().__init__()\n        self.configure()\n"
                  "        self.bq_client = bigquery.Client(project=self.project_id)\n\n"
                  "    def configure(self):\n        self.project_id = 'staging'\n") ==
        "pkg/child.py:10: not removed: self.project_id is assigned in Child.configure(), which __init__ calls");
}

TEST_CASE("the base's own reassignment after its client, and another client kind, keep the override") {
  std::string child = "from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\nclass Child(Base):\n"
                      "    def __init__(self):\n        super().__init__()\n"
                      "        self.bq_client = bigquery.Client(project=self.project_id)\n";
  CHECK(Project({{"pkg/base.py", "from shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass Base:\n"
                                 "    def __init__(self):\n        self.project_id = 'a'\n"
                                 "        self.bq_client = get_bigquery_client(project_id=self.project_id)\n"
                                 "        self.project_id = 'b'\n"},
                 {"pkg/child.py", child}})
            .decisions() ==
        "pkg/child.py:9: not removed: self.project_id is assigned again in Base.__init__ after it made the client");
  CHECK(Project({{"pkg/base.py", "from shared.clients.pubsub_pool import get_pubsub_publisher\n\n\nclass Base:\n"
                                 "    def __init__(self):\n        self.client = get_pubsub_publisher()\n"},
                 {"pkg/child.py",
                  "from google.cloud import pubsub_v1\n\nfrom pkg.base import Base\n\n\nclass Child(Base):\n"
                  "    def __init__(self):\n        super().__init__()\n"
                  "        self.client = pubsub_v1.SubscriberClient()\n"}})
            .decisions() ==
        "pkg/child.py:9: not removed: it becomes shared.clients.pubsub_pool.get_pubsub_subscriber, the client "
        "inherited from Base comes from shared.clients.pubsub_pool.get_pubsub_publisher");
}

TEST_CASE("a class inherits a pooled client only from a base that provably sets one") {
  auto inherited = [](const std::string &baseInit) {
    Project p({{"pkg/base.py",
                "from google.cloud import bigquery\n\n\nclass Base:\n    def __init__(self, cfg):\n" + baseInit},
               {"pkg/kid.py", "from pkg.base import Base\n\n\nclass Kid(Base):\n    pass\n"}});
    return p.inherited(1);
  };
  // Rewritten by this run: pooled.
  CHECK(inherited("        self.bq_client = bigquery.Client(project=cfg.project)\n") ==
        "Kid.bq_client from Base (bigquery)");
  // Left: direct, with the reason.
  CHECK(inherited("        self.bq_client = bigquery.Client(project=cfg.project, credentials=cfg.creds)\n") ==
        "Kid.bq_client from Base (bigquery, direct: Base's bq_client stays a direct client (left at line 6))");
  // Only conditionally: unknown.
  CHECK(inherited("        if cfg:\n            self.bq_client = bigquery.Client(project=cfg.project)\n") ==
        "Kid.bq_client from Base (bigquery, unknown: Base sets bq_client only conditionally)");
}

TEST_CASE("parameterKey: the argument passed for a base __init__ parameter, by keyword or position, or its default") {
  std::vector<model::InitParameter> params{
      {"project_id", "", true}, {"location", "lit:\"US\"", true}, {"debug", "lit:False", false}};
  model::BaseInitCall viaSuper{"",   0, true, {{"#1", "'acme'"}, {"location", "'EU'"}}, {"lit:'acme'", "lit:'EU'"},
                               false};
  CHECK(index::parameterKey("project_id", params, viaSuper) == "lit:'acme'");
  CHECK(index::parameterKey("location", params, viaSuper) == "lit:'EU'");
  CHECK(index::parameterKey("debug", params, viaSuper) == "lit:False");
  CHECK(index::parameterKey("nothing", params, viaSuper) == "?");
  // Base.__init__(self, p, "EU"): the instance is not a parameter here.
  model::BaseInitCall explicitBase{
      "pkg.base.Base", 0, true, {{"#1", "self"}, {"#2", "p"}, {"#3", "'EU'"}}, {"?", "param:p", "lit:'EU'"}, false};
  CHECK(index::parameterKey("project_id", params, explicitBase) == "param:p");
  CHECK(index::parameterKey("location", params, explicitBase) == "lit:'EU'");
  // Nothing passed and no default; unpacking hides which parameter gets what.
  model::BaseInitCall none{"", 0, true, {}, {}, false};
  CHECK(index::parameterKey("project_id", params, none) == "?");
  CHECK(index::parameterKey("location", params, none) == "lit:\"US\"");
  model::BaseInitCall unpacked{"", 0, true, {{"#1", "'acme'"}}, {"lit:'acme'"}, true};
  CHECK(index::parameterKey("project_id", params, unpacked) == "?");
}

TEST_CASE("the base's parameters are what the subclass passes to super().__init__() when the override is compared") {
  const char *base = "from shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass Base:\n"
                     "    def __init__(self, project_id, location=\"US\"):\n"
                     "        self.project_id = project_id\n"
                     "        self.bq_client = get_bigquery_client(project_id=self.project_id, location=location)\n";
  auto withChild = [&](const std::string &params, const std::string &body) {
    return Project({{"pkg/base.py", base},
                    {"pkg/child.py", "from google.cloud import bigquery\n\nfrom pkg.base import Base\n\n\n"
                                     "class Child(Base):\n    def __init__(self" +
                                         params + "):\n" + body}})
        .decisions();
  };
  const std::string removed = "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base";
  CHECK(withChild("", "        super().__init__('acme')\n"
                      "        self.bq_client = bigquery.Client(project='acme', location=\"US\")\n") == removed);
  CHECK(withChild("", "        super().__init__(project_id='acme', location='EU')\n"
                      "        self.bq_client = bigquery.Client(project='acme', location='EU')\n") == removed);
  CHECK(withChild(", project", "        Base.__init__(self, project)\n"
                               "        self.bq_client = bigquery.Client(project, location=\"US\")\n") == removed);
  CHECK(withChild("", "        super().__init__('acme')\n"
                      "        self.bq_client = bigquery.Client(project='other', location=\"US\")\n") ==
        "pkg/child.py:9: not removed: it asks for project_id='other', which the client inherited from Base does not");
  CHECK(withChild("", "        super().__init__('acme', 'EU')\n"
                      "        self.bq_client = bigquery.Client(project='acme', location=\"US\")\n") ==
        "pkg/child.py:9: not removed: it asks for location=\"US\", which the client inherited from Base does not");
  // An attribute of a parameter may change in between; a parameter rebound is not what was passed.
  CHECK(withChild(", cfg", "        super().__init__(cfg.project)\n"
                           "        self.bq_client = bigquery.Client(project=cfg.project, location=\"US\")\n") ==
        "pkg/child.py:9: not removed: project_id=cfg.project in the override need not be what Base passed when it "
        "made its client");
  CHECK(withChild(", p", "        super().__init__(p)\n        p = p + '-eu'\n"
                         "        self.bq_client = bigquery.Client(project=p, location=\"US\")\n") ==
        "pkg/child.py:10: not removed: project_id=p in the override need not be what Base passed when it made its "
        "client");
  CHECK(withChild(", *args", "        super().__init__(*args)\n"
                             "        self.bq_client = bigquery.Client(project='acme', location=\"US\")\n") ==
        "pkg/child.py:9: not removed: it asks for project_id='acme', location=\"US\", which the client inherited "
        "from Base does not");
}

TEST_CASE("the base's parameters are followed through the classes in between that pass them on") {
  const char *base = "from shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass Base:\n"
                     "    def __init__(self, project_id):\n"
                     "        self.bq_client = get_bigquery_client(project_id=project_id)\n";
  auto through = [&](const std::string &middle) {
    return Project({{"pkg/base.py", base},
                    {"pkg/middle.py", "from pkg.base import Base\n\n\nclass Middle(Base):\n" + middle},
                    {"pkg/child.py", "from google.cloud import bigquery\n\nfrom pkg.middle import Middle\n\n\n"
                                     "class Child(Middle):\n    def __init__(self, project):\n"
                                     "        super().__init__('events', project)\n"
                                     "        self.bq_client = bigquery.Client(project=project)\n"}})
        .decisions();
  };
  const std::string removed = "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base";
  auto kept = [](const std::string &decision) { return decision.rfind("pkg/child.py:9: not removed: ", 0) == 0; };
  CHECK(through("    def __init__(self, table, project):\n        super().__init__(project)\n") == removed);
  CHECK(through("    def __init__(self, table, project):\n        self.table = table\n"
                "        super().__init__(project_id=project)\n") == removed);
  CHECK(through("    def __init__(self, table, project):\n        Base.__init__(self, project)\n") == removed);
  // Something else in the project's place, the parameter rebound, a call on one path only, or
  // arguments forwarded as *args/**kwargs: what reaches the base's client cannot be the override's.
  CHECK(kept(through("    def __init__(self, table, project):\n        super().__init__(table)\n")));
  CHECK(kept(through("    def __init__(self, table, project):\n        project = project.lower()\n"
                     "        super().__init__(project)\n")));
  CHECK(kept(through("    def __init__(self, table, project):\n        if table:\n"
                     "            super().__init__(project)\n")));
  CHECK(kept(through("    def __init__(self, *args):\n        super().__init__(*args[1:])\n")));
  CHECK(kept(through("    def __init__(self, table, project):\n        super().__init__(project)\n"
                     "        super().__init__('other')\n")));
}

TEST_CASE("baseBinds: the base __init__ that runs first assigns the attribute on every path, before anything else") {
  auto binds = [](const std::string &baseInit, const std::string &child, const std::string &cls = "Job") {
    Project p({{"pkg/base.py", "import os\n\n\nclass Base:\n    def __init__(self, cfg):\n" + baseInit +
                                   "\n    def setup(self):\n        pass\n"},
               {"pkg/job.py", "from pkg.base import Base\n\n\n" + child}});
    return p.index->baseBinds(1, cls, "project_id");
  };
  const std::string viaSuper = "class Job(Base):\n    def __init__(self, cfg):\n        super().__init__(cfg)\n";
  const std::string inherits = "class Job(Base):\n    batch = 10\n";
  const std::string plain = "        self.project_id = cfg['p']\n";
  CHECK(binds(plain, viaSuper));
  CHECK(binds(plain, inherits));
  CHECK(binds(plain + "        self.setup()\n", viaSuper));
  CHECK(binds("        if cfg:\n            self.project_id = cfg['p']\n        else:\n"
              "            self.project_id = os.environ['P']\n",
              viaSuper));
  CHECK_FALSE(binds("        self.setup()\n" + plain, viaSuper)); // setup() may read it first
  CHECK_FALSE(binds("        if cfg:\n" + std::string("    ") + plain, viaSuper));
  CHECK_FALSE(binds("        if not cfg:\n            return\n" + plain, viaSuper));
  CHECK_FALSE(binds("        self.project_ids = [cfg]\n", viaSuper));
  CHECK_FALSE(binds(plain, viaSuper, "Other"));
  // A class in between with its own __init__ runs first: followed when it calls its base first
  // (by super() or by name, across any number of classes), not when something could run before
  // that call or the call is conditional.
  auto mid = [](const std::string &init) {
    return "class Mid(Base):\n    def __init__(self, cfg):\n" + init + "\n\nclass Job(Mid):\n    pass\n";
  };
  CHECK(binds(plain, mid("        super().__init__(cfg)\n        self.extra = 1\n")));
  CHECK(binds(plain, mid("        Base.__init__(self, cfg)\n")));
  CHECK(binds(plain,
              mid("        super().__init__(cfg)\n") + "\n\nclass Leaf(Job):\n    def __init__(self, cfg):\n"
                                                       "        super().__init__(cfg)\n",
              "Leaf"));
  CHECK_FALSE(binds(plain, mid("        self.setup()\n        super().__init__(cfg)\n")));
  CHECK_FALSE(binds(plain, mid("        if cfg:\n            super().__init__(cfg)\n")));
  CHECK_FALSE(binds("        self.project_ids = [cfg]\n", mid("        super().__init__(cfg)\n")));
  CHECK(binds(plain, "class Mid(Base):\n    pass\n\n\nclass Job(Mid):\n    pass\n"));
}

TEST_CASE("a statement an applied unsafe fix moves above the base's client assigns before it") {
  const char *base = "import os\n\nfrom google.cloud import bigquery\n\n\nclass Base:\n    def __init__(self):\n"
                     "        self.bq_client = bigquery.Client(location=\"US\")\n"
                     "        self.project_id = os.environ.get(\"GCP_PROJECT\", \"acme-prod\")\n";
  // (Project analyzes with --unsafe-fixes: the base's client is rewritten, the assignment moved up.)
  CHECK(Project({{"pkg/base.py", base},
                 {"pkg/child.py",
                  child("        super().__init__()\n"
                        "        self.bq_client = bigquery.Client(project=self.project_id, location=\"US\")\n")}})
            .decisions() == "pkg/child.py:9: removed: redundant with the pooled bq_client inherited from Base");
}

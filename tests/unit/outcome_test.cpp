// A run keeps compact outcomes, not texts: a released outcome gives back the same texts from
// disk, and refuses when the file changed after it was analyzed (nothing is written from stale bytes).
#include "analysis/classes.h"
#include "pipeline/intercept.h"
#include "pipeline/process.h"
#include "pipeline/reader.h"
#include "python/scopes.h"
#include "python/syntax.h"
#include "rewrite/edits.h"
#include "rules/rule.h"
#include "support/text.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace poolify;

namespace {
const char *kRule = R"(id: bigquery
triggers: [bigquery]
rewrites:
  - match: [google.cloud.bigquery.Client]
    replace:
      module: shared.clients.bigquery_pool
      function: get_bigquery_client
    arguments:
      - from: project
        position: 1
        to: project_id
        required: true
        infer: [param project_id]
)";

const char *kSource = "\xEF\xBB\xBF# a BOM first: edits are kept in file offsets\n"
                      "from google.cloud import bigquery\n"
                      "\n"
                      "\n"
                      "def load(project_id):\n"
                      "    return bigquery.Client(project=project_id).query('q')\n";

struct Files {
  std::string dir;
  Files() {
    char tmpl[] = "/tmp/poolify-outcome-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~Files() { std::system(("rm -rf '" + dir + "'").c_str()); }
  std::string write(const std::string &name, const std::string &text) const {
    std::string p = dir + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

std::vector<rules::Rule> loadRule(const Files &f) {
  auto rule = rules::loadRuleFile(f.write("bigquery.yaml", kRule));
  REQUIRE(static_cast<bool>(rule));
  return {*rule};
}
} // namespace

TEST_CASE("a released outcome reads its texts again, edits applied, and the same as when held") {
  Files f;
  auto rules = loadRule(f);
  std::string path = f.write("job.py", kSource);
  auto held = pipeline::processFile({path, "job.py"}, rules);
  REQUIRE(held.changed());
  CHECK(held.updated.find("get_bigquery_client(project_id=project_id)") != std::string::npos);
  CHECK(held.hash == contentHash(kSource));

  model::FileOutcome released = held;
  released.release();
  CHECK(released.original.empty());
  CHECK(released.updated.empty());
  auto texts = pipeline::texts(released);
  REQUIRE(static_cast<bool>(texts));
  CHECK(texts->original == held.original);
  CHECK(texts->updated == held.updated);
}

TEST_CASE("a file that changed on disk after the analysis is not given stale texts") {
  Files f;
  auto rules = loadRule(f);
  std::string path = f.write("job.py", kSource);
  auto out = pipeline::processFile({path, "job.py"}, rules);
  out.release();
  f.write("job.py", std::string(kSource) + "x = 1\n");
  auto texts = pipeline::texts(out);
  REQUIRE_FALSE(static_cast<bool>(texts));
  CHECK(llvm::toString(texts.takeError()).find("changed on disk") != std::string::npos);
}

TEST_CASE("an unchanged file has no edits, holds no second copy, and reads back as itself") {
  Files f;
  auto rules = loadRule(f);
  std::string text = "import json\n\nclass Loader:\n    pass\n";
  std::string path = f.write("plain.py", text);
  auto out = pipeline::processFile({path, "plain.py"}, rules);
  CHECK_FALSE(out.changed());
  CHECK(out.updated.empty());
  CHECK(out.result() == text);
  CHECK(out.mentionsClass);
  CHECK(out.trivial());
  out.release();
  auto texts = pipeline::texts(out);
  REQUIRE(static_cast<bool>(texts));
  CHECK(texts->original == text);
  CHECK(texts->updated == text);
}

TEST_CASE("the content hash tells texts apart that differ in one byte, in length, or in trailing zeros") {
  std::string a(1000, 'a');
  std::string b = a;
  b[517] = 'b';
  CHECK(contentHash(a) != contentHash(b));
  CHECK(contentHash(a) != contentHash(a + '\0'));
  CHECK(contentHash("") != contentHash(std::string(1, '\0')));
  CHECK(contentHash(std::string(8, '\0')) != contentHash(std::string(16, '\0')));
  CHECK(contentHash(a) == contentHash(std::string(1000, 'a')));
}

namespace {
// firstErrorAfter with the analysis tree (incremental) and without it (fresh parse) must agree.
std::pair<std::optional<size_t>, std::optional<size_t>> errorsAfter(const std::string &text, size_t offset,
                                                                    size_t length, const std::string &with) {
  rewrite::EditSet edits;
  edits.replace(offset, length, with);
  auto edited = edits.apply(text, "t.py");
  REQUIRE(static_cast<bool>(edited));
  auto incremental = pipeline::firstErrorAfter(py::Tree::parse(text), *edited, edits);
  auto fresh = pipeline::firstErrorAfter(std::nullopt, *edited, edits);
  return {incremental, fresh};
}
} // namespace

TEST_CASE("the safety net finds what a rewrite breaks, with or without the analysis tree") {
  std::string text = "def load(x):\n    try:\n        import a\n    except ImportError:\n        pass\n"
                     "    return g(x)\n";
  size_t call = text.find("g(x)");
  auto ok = errorsAfter(text, call, 4, "h(x, y=1)");
  CHECK_FALSE(ok.first);
  CHECK_FALSE(ok.second);
  // An import pasted at column 0 inside the indented try: (the hand migration's SyntaxError).
  auto pasted = errorsAfter(text, text.find("        import a"), 0, "from shared import b\n");
  CHECK(pasted.first);
  CHECK(pasted.first == pasted.second);
  // An unbalanced parenthesis; an unexpected indent (tree-sitter accepts it, CPython does not).
  auto paren = errorsAfter(text, call, 4, "h(x");
  CHECK(paren.first);
  CHECK(paren.second);
  auto indent = errorsAfter(text, text.find("return"), 0, "  ");
  CHECK(indent.first);
  CHECK(indent.first == indent.second);
}

TEST_CASE("a file's import table finds re-exported names and round-trips for the cache") {
  model::ImportTable t({{"Base", "..base.Base"}, {"Client", "google.cloud.bigquery.Client"}, {"get", "x.get"}});
  CHECK(t.find("Base") == std::optional<std::string_view>("..base.Base"));
  CHECK(t.find("get") == std::optional<std::string_view>("x.get"));
  CHECK_FALSE(t.find("Bas"));
  CHECK_FALSE(t.find("Base\t..base"));
  CHECK_FALSE(t.find(""));
  CHECK(model::ImportTable(t.entries()).entries() == t.entries());
  CHECK(t.entries().size() == 3);
  CHECK(model::ImportTable().empty());
}

TEST_CASE("an outcome's lists that most files leave empty are one pointer wide until used, and act as vectors") {
  static_assert(sizeof(BoxedVector<model::Message>) == sizeof(void *));
  model::FileOutcome o;
  CHECK(o.messages.empty());
  CHECK(o.messages.size() == 0);
  CHECK(o.messages.begin() == o.messages.end());
  o.poolModules.push_back("shared.clients.bigquery_pool");
  o.poolModules.emplace_back("shared.clients.http_pool");
  o.poolModules.list().insert(o.poolModules.list().begin(), "a.first");
  CHECK(o.poolModules.size() == 3);
  CHECK(o.poolModules.front() == "a.first");
  CHECK(o.poolModules.back() == "shared.clients.http_pool");
  CHECK(o.poolModules[1] == "shared.clients.bigquery_pool");
  model::FileOutcome copy = o; // deep: the copy does not share its lists
  copy.poolModules[0] = "changed";
  CHECK(o.poolModules[0] == "a.first");
  CHECK_FALSE(copy.poolModules == o.poolModules);
  model::FileOutcome moved = std::move(copy);
  CHECK(moved.poolModules.vector() ==
        std::vector<std::string>{"changed", "shared.clients.bigquery_pool", "shared.clients.http_pool"});
  o.poolModules = std::vector<std::string>{};
  CHECK(o.poolModules.empty());
  o.poolModules = {"x"};
  CHECK(o.poolModules.size() == 1);
  o.poolModules.clear();
  CHECK(o.poolModules.empty());
}

TEST_CASE("a class's bases keep their order and any text, however long, and compare as lists") {
  std::string longName(300, 'x'), justShort(254, 'y'), justLong(255, 'z');
  std::vector<std::string> names{"=Base", "", "?make(\n  'a\tb')", longName, justShort, justLong, "pkg.mod.Mixin"};
  model::NameList list(names);
  CHECK(list.size() == names.size());
  CHECK(list.strings() == names);
  std::vector<std::string> seen;
  for (std::string_view n : list)
    seen.emplace_back(n);
  CHECK(seen == names);
  model::NameList pushed;
  CHECK(pushed.empty());
  CHECK(pushed.size() == 0);
  for (const auto &n : names)
    pushed.push_back(n);
  CHECK(pushed == list);
  CHECK_FALSE(pushed == model::NameList{"=Base"});
  CHECK(model::NameList{"", ""}.size() == 2); // an empty name is still a name
  CHECK_FALSE(model::NameList{""}.empty());
  // A class with no bases and no attributes holds one pointer for each: a run keeps every class.
  static_assert(sizeof(model::NameList) == sizeof(void *));
  static_assert(sizeof(model::AttributeWrites) == sizeof(void *));
  model::NameList copy = list; // deep: the original outlives changes to the copy
  copy.push_back("more");
  CHECK(list.strings() == names);
  CHECK(copy.size() == names.size() + 1);
  BoxedString text(std::string_view("a\0b", 3)), none, other = text;
  CHECK(text.view() == std::string_view("a\0b", 3));
  CHECK(none.empty());
  CHECK(none.view().empty());
  other.assign("");
  CHECK(other.empty());
  CHECK(text.view().size() == 3);
}

TEST_CASE("a file's display path is its path when they are the same text, and its own otherwise") {
  model::SourceFile same("/srv/repo/a.py", "/srv/repo/a.py"), under("./pkg/b.py", "pkg/b.py"), none;
  CHECK(same.display() == "/srv/repo/a.py");
  CHECK(&same.display() == &same.path); // held once: a run keeps one for every file
  CHECK(under.display() == "pkg/b.py");
  CHECK(under.path == "./pkg/b.py");
  model::SourceFile copy = same, moved = std::move(under);
  CHECK(copy.display() == "/srv/repo/a.py");
  CHECK(&copy.display() == &copy.path);
  CHECK(moved.display() == "pkg/b.py");
  CHECK(none.display().empty());
}

TEST_CASE("an outcome's file is a view of a run's file or a copy of its own, which its copies share") {
  model::FileOutcome none;
  CHECK(none.file->path.empty());
  CHECK(none.file->display().empty());
  model::SourceFile listed{"/repo/a.py", "a.py"};
  model::FileOutcome viewing;
  viewing.file = model::FileRef::view(listed);
  CHECK(&*viewing.file == &listed);
  model::FileOutcome copy = viewing;
  CHECK(&*copy.file == &listed);
  model::FileOutcome owning;
  {
    model::SourceFile gone{"/repo/b.py", "b.py"};
    owning.file = gone;
  }
  model::FileOutcome second = owning;
  owning = model::FileOutcome{};
  CHECK(second.file->path == "/repo/b.py"); // the copy outlives the first owner
  const model::SourceFile &asFile = second.file;
  CHECK(asFile.display() == "b.py");
  model::FileOutcome braced;
  braced.file = {"/repo/c.py", "c.py"};
  CHECK(braced.file->display() == "c.py");
}

TEST_CASE("a module's imported names keep their order and dots, and a name as Python reads it") {
  model::ImportedModules m;
  m.add(0, "google.cloud.bigquery");
  m.add(2, "base");
  m.add(1, "");          // `from . import x`: the package itself
  m.add(0, "os . path"); // `import os . path`
  m.add(0, "a.\\\n  b"); // a line continuation inside the name
  std::vector<std::pair<uint32_t, std::string>> expected{
      {0, "google.cloud.bigquery"}, {2, "base"}, {1, ""}, {0, "os.path"}, {0, "a.b"}};
  CHECK(m.entries() == expected);
  std::vector<std::pair<uint32_t, std::string>> seen;
  m.forEach([&](uint32_t dots, std::string_view name) { seen.emplace_back(dots, std::string(name)); });
  CHECK(seen == expected);
  CHECK(model::ImportedModules(expected).entries() == expected);
  CHECK(model::ImportedModules().entries().empty());
  model::ImportedModules many;
  many.add(12, "x");
  CHECK(many.entries() == std::vector<std::pair<uint32_t, std::string>>{{12, "x"}});
}

TEST_CASE("a class's writes keep only what is asked of them, and assignmentsOf merges them with its clients in order") {
  using A = model::AttributeAssignment;
  model::ClassFacts c;
  auto write = [&](std::string attr, uint32_t order, A::Where where, std::string method, bool unconditional) {
    A a;
    a.attr = std::move(attr);
    a.order = order;
    a.where = where;
    a.method = std::move(method);
    a.unconditional = unconditional;
    a.start = 10 * order;
    a.end = 10 * order + 5;
    c.writes.add(a);
  };
  write("client", 0, A::Where::Init, "__init__", true);
  write("client_id", 1, A::Where::Init, "__init__", true); // a longer name with the same start
  write("client", 3, A::Where::OtherMethod, "reset", false);
  A pooled;
  pooled.attr = "client";
  pooled.source = A::Source::Pooled;
  pooled.order = 2;
  c.assignments.push_back(pooled);
  auto all = c.assignmentsOf("client");
  REQUIRE(all.size() == 3);
  CHECK(all[0].order == 0);
  CHECK(all[0].source == A::Source::Other);
  CHECK(all[0].unconditional);
  CHECK(all[0].start == 0);
  CHECK(all[0].end == 5);
  CHECK(all[1].source == A::Source::Pooled);
  CHECK(all[2].where == A::Where::OtherMethod);
  CHECK(all[2].method == "reset");
  CHECK_FALSE(all[2].unconditional);
  CHECK(c.assignmentsOf("client_id").size() == 1);
  CHECK(c.assignmentsOf("clien").empty());
  CHECK(c.assignmentsOf("").empty());
  // The cache's copy is checked before it is trusted.
  model::AttributeWrites w;
  CHECK(w.assign(c.writes.data()));
  CHECK(w.data() == c.writes.data());
  CHECK_FALSE(w.assign("client\t__init__\t\t1 2 3\n"));     // a number short
  CHECK_FALSE(w.assign("client\t__init__\t\t1 2 3 9 1\n")); // no such place
  CHECK_FALSE(w.assign("client\t__init__\t\t1 2 3 0 1"));   // no end of line
  CHECK_FALSE(w.assign("\t__init__\t\t1 2 3 0 1\n"));       // no attribute
  CHECK(w.data() == c.writes.data());
}

TEST_CASE("a failure message names what the command did, not what the analysis would have done") {
  using poolify::model::withConsequence;
  CHECK(withConsequence("a.py:3:1: error: syntax error; file not rewritten", "file not analyzed") ==
        "a.py:3:1: error: syntax error; file not analyzed");
  CHECK(withConsequence("a.py:1:1: error: NUL byte; file skipped", "file not analyzed") ==
        "a.py:1:1: error: NUL byte; file not analyzed");
  CHECK(withConsequence("a.py:1:1: error: no consequence", "file not analyzed") == "a.py:1:1: error: no consequence");
}

TEST_CASE("an analysis asked for them gives the reach facts that a parse of the file gives") {
  Files f;
  auto rules = loadRule(f);
  // Imports anywhere (a function's run when it is called), relative ones, aliases, a BOM first.
  std::string body = "import os.path\nfrom google.cloud import bigquery as bq\nfrom . import sibling\n\n\n"
                     "def load(project_id):\n    import json\n    from ..pkg.mod import helper\n"
                     "    return bq.Client(project=project_id)\n";
  py::Tree tree = py::Tree::parse(body);
  py::ScopeModel model(tree);
  model::ReachFacts parsed = pipeline::reachFactsFrom(tree, model);
  REQUIRE(parsed.parsed);
  CHECK(parsed.imported.raw().find("json") != std::string_view::npos);
  CHECK(parsed.moduleImports.find("bq") == std::optional<std::string_view>("google.cloud.bigquery"));
  CHECK_FALSE(parsed.moduleImports.find("json")); // bound in the function, not the module
  analysis::FileContext asked;
  asked.reachFacts = true;
  for (const std::string &text : {body, "\xEF\xBB\xBF" + body}) {
    std::string path = f.write("job.py", text);
    auto out = pipeline::processText({path, "job.py"}, text, rules, asked);
    REQUIRE(out.reach);
    CHECK(out.reach->parsed);
    CHECK(out.reach->imported.raw() == parsed.imported.raw());
    CHECK(out.reach->moduleImports.raw() == parsed.moduleImports.raw());
    CHECK_FALSE(pipeline::processText({path, "job.py"}, text, rules, {}).reach); // not asked: none
  }
  // A file the analysis does not parse (no trigger word) has none: the reach parses it.
  std::string plain = "import json\n";
  CHECK_FALSE(pipeline::processText({f.write("plain.py", plain), "plain.py"}, plain, rules, asked).reach);
}

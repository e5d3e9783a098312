// Test patches that follow the code (rewrite/patches.h): which calls are patches, and how one is
// retargeted to the pooled callable with the assertions on its mock.
#include "testing.h"

#include "rewrite/patches.h"

#include <doctest/doctest.h>

using namespace poolify;
using testing::Parsed;

namespace {

std::string describe(const Parsed &p, const rewrite::PatchCall &c) {
  static const char *forms[] = {"patch", "object", "setattr", "setattr-object"};
  return std::string(forms[static_cast<int>(c.form)]) + " " + c.target + (c.recognised ? "" : " (unknown)") + " @" +
         std::to_string(p.lines.lineOf(c.offset()));
}

std::vector<std::string> calls(const Parsed &p) {
  std::vector<std::string> out;
  for (const auto &c : rewrite::findPatchCalls(p.tree, p.model))
    out.push_back(describe(p, c));
  return out;
}

// A retarget of the patch whose target (or object) starts `shift` bytes into the first `needle`.
model::PatchRetarget bigquery(const Parsed &p, const std::string &target, const std::string &needle, size_t shift = 0) {
  model::PatchRetarget r;
  REQUIRE(p.text.find(needle) != std::string::npos);
  r.offset = static_cast<uint32_t>(p.text.find(needle) + shift);
  r.target = target;
  r.module = "pkg.mod";
  r.pooled = "get_bigquery_client";
  r.rule = "bigquery";
  r.callable = "google.cloud.bigquery.Client";
  r.modulePath = "pkg/mod.py";
  return r;
}

struct Result {
  std::string text;
  std::vector<model::PatchChange> changes;
};

Result retarget(const Parsed &p, const std::vector<model::PatchRetarget> &rs) {
  rewrite::PatchPlan plan = rewrite::retargetPatches(p.tree, p.model, rs, testing::shippedRules());
  auto out = plan.edits.apply(p.text, "test.py");
  REQUIRE(static_cast<bool>(out));
  Result r{*out, {}};
  for (auto &c : plan.changes)
    r.changes.push_back(c.second);
  return r;
}

} // namespace

TEST_CASE("patch calls are found through the test file's imports, fixtures by their names") {
  Parsed p("from unittest import mock as um\nfrom unittest.mock import patch as p\nimport mock\nfrom pkg import mod\n"
           "\n@um.patch('pkg.mod.bigquery.Client')\ndef test_a(c, mocker, monkeypatch):\n"
           "    with p('pkg.mod.bigquery.Client'):\n        pass\n"
           "    mocker.patch('pkg.mod.bigquery.Client')\n"
           "    monkeypatch.setattr('pkg.mod.bigquery.Client', None)\n"
           "    monkeypatch.setattr(mod.bigquery, 'Client', None)\n"
           "    mock.patch.object(mod.bigquery, 'Client')\n"
           "    session.patch('https://example.com/a.b')\n"
           "    mock.patch('requests')\n");
  CHECK(calls(p) == std::vector<std::string>{"patch pkg.mod.bigquery.Client @6", "patch pkg.mod.bigquery.Client @8",
                                             "patch pkg.mod.bigquery.Client @10", "setattr pkg.mod.bigquery.Client @11",
                                             "setattr-object pkg.mod.bigquery.Client @12",
                                             "object pkg.mod.bigquery.Client @13",
                                             "patch https://example.com/a.b (unknown) @14"});
}

TEST_CASE("a string target becomes the module's pooled callable; assertions take the pooled keywords") {
  Parsed p("from unittest import mock\nfrom unittest.mock import call\n\n\n"
           "@mock.patch('pkg.mod.bigquery.Client')\n@mock.patch('os.getcwd')\ndef test_a(cwd, client_cls):\n"
           "    client_cls.assert_called_once_with(project='p', location='EU')\n"
           "    client_cls.assert_any_call('p')\n"
           "    client_cls.assert_has_calls([call('p'), mock.call(project='q')])\n"
           "    cwd.assert_called_once_with(project='x')\n");
  Result r = retarget(p, {bigquery(p, "pkg.mod.bigquery.Client", "'pkg.mod.bigquery.Client'")});
  CHECK(r.text == "from unittest import mock\nfrom unittest.mock import call\n\n\n"
                  "@mock.patch('pkg.mod.get_bigquery_client')\n@mock.patch('os.getcwd')\ndef test_a(cwd, client_cls):\n"
                  "    client_cls.assert_called_once_with(project_id='p', location='EU')\n"
                  "    client_cls.assert_any_call(project_id='p')\n"
                  "    client_cls.assert_has_calls([call(project_id='p'), mock.call(project_id='q')])\n"
                  "    cwd.assert_called_once_with(project='x')\n");
  REQUIRE(r.changes.size() == 1);
  CHECK(r.changes[0].after == "pkg.mod.get_bigquery_client");
  CHECK(r.changes[0].handFix.empty());
}

TEST_CASE("an assertion the rule's mapping does not cover, or inferred arguments, leave a hand fix") {
  Parsed p("from unittest import mock\n\n\ndef test_a():\n"
           "    with mock.patch('pkg.mod.bigquery.Client') as m:\n        pass\n"
           "    m.assert_called_once_with(project='p', credentials=None)\n"
           "    assert m.call_args.kwargs['project'] == 'p'\n");
  Result r = retarget(p, {bigquery(p, "pkg.mod.bigquery.Client", "'pkg.mod")});
  CHECK(r.text.find("mock.patch('pkg.mod.get_bigquery_client') as m:") != std::string::npos);
  CHECK(r.text.find("m.assert_called_once_with(project='p', credentials=None)") != std::string::npos);
  REQUIRE(r.changes.size() == 1);
  CHECK(r.changes[0].handFix == "line 7: m.assert_called_once_with(...): it names credentials=, which "
                                "get_bigquery_client does not take; line 8: m.call_args reads the arguments, "
                                "which are get_bigquery_client's now");

  model::PatchRetarget inferred = bigquery(p, "pkg.mod.bigquery.Client", "'pkg.mod");
  inferred.inferred = true;
  r = retarget(p, {inferred});
  CHECK(r.changes[0].handFix.find("line 7: m.assert_called_once_with: the pooled call also passes arguments taken "
                                  "from scope") == 0);
}

TEST_CASE("an object target through the module becomes the module; one that is not is a hand fix") {
  Parsed p("from unittest import mock\nfrom pkg import mod\nfrom pkg.mod import bigquery\n\n\n"
           "def test_a():\n    with mock.patch.object(mod.bigquery, 'Client'):\n        pass\n"
           "    with mock.patch.object(bigquery, 'Client'):\n        pass\n");
  Result r = retarget(p, {bigquery(p, "pkg.mod.bigquery.Client", "mod.bigquery,"),
                          bigquery(p, "pkg.mod.bigquery.Client", "(bigquery, 'Client')", 1)});
  CHECK(r.text.find("mock.patch.object(mod, 'get_bigquery_client')") != std::string::npos);
  CHECK(r.text.find("mock.patch.object(bigquery, 'Client')") != std::string::npos);
  REQUIRE(r.changes.size() == 2);
  CHECK(r.changes[0].before == "mod.bigquery, \"Client\"");
  CHECK(r.changes[0].after == "mod, \"get_bigquery_client\"");
  CHECK(r.changes[1].after.empty());
  CHECK(r.changes[1].handFix == "the patched object bigquery is not reached through the module pkg.mod; patch "
                                "pkg.mod.get_bigquery_client by hand");
}

TEST_CASE("a decision to leave the patch, or a patch function poolify does not know, edits nothing") {
  Parsed p("def test_a(client):\n    client.patch('pkg.mod.bigquery.Client')\n");
  model::PatchRetarget r = bigquery(p, "pkg.mod.bigquery.Client", "'pkg");
  Result out = retarget(p, {r});
  CHECK(out.text == p.text);
  REQUIRE(out.changes.size() == 1);
  CHECK(out.changes[0].handFix == "client.patch is not known as unittest.mock's patch, pytest-mock's mocker.patch or "
                                  "pytest's monkeypatch.setattr");
}

namespace {
// "target @line" of every indirect target of `src`.
std::vector<std::string> indirect(const std::string &src) {
  Parsed p(src);
  std::vector<std::string> out;
  for (const auto &t : rewrite::findIndirectTargets(p.tree, p.model, rewrite::findPatchCalls(p.tree, p.model)))
    out.push_back(t.target + " @" + std::to_string(p.lines.lineOf(t.offset)));
  return out;
}
} // namespace

TEST_CASE("a dotted string a patch may take at run time is an indirect target; a patch's own argument is not") {
  using V = std::vector<std::string>;
  CHECK(indirect("from unittest import mock\nT = {'a': 'pkg.mod.requests.get'}\nmock.patch(T['a']).start()\n") ==
        V{"pkg.mod.requests.get @2"});
  CHECK(
      indirect("from unittest import mock\nfor t in ['pkg.a.Client', 'pkg.b.Client']:\n    mock.patch(t).start()\n") ==
      V{"pkg.a.Client @2", "pkg.b.Client @2"});
  CHECK(indirect("from unittest import mock\nmock.patch(target='pkg.mod.bigquery.Client')\n") ==
        V{"pkg.mod.bigquery.Client @2"});
  CHECK(indirect("from unittest import mock\nimport pkg.mod\n"
                 "mock.patch.object(target=pkg.mod.requests, attribute='get')\n") == V{"pkg.mod.requests.get @3"});
  CHECK(indirect("from unittest import mock\nmock.patch.multiple(mod.requests, get=mock.DEFAULT, spec=True)\n") ==
        V{"mod.requests.get @2"});
  CHECK(indirect("from unittest import mock\nmock.patch.multiple('pkg.mod', Client=mock.DEFAULT)\n") ==
        V{"pkg.mod @2", "pkg.mod.Client @2"});
  // the patch's own target, the constant it takes, a docstring, text that is no dotted name: none
  CHECK(indirect("from unittest import mock\nmock.patch('pkg.mod.Client')\n").empty());
  CHECK(indirect("from unittest import mock\nT = 'pkg.mod.Client'\nmock.patch(T)\n").empty());
  CHECK(indirect("'''pkg.mod.Client in a docstring'''\nfrom unittest import mock\n").empty());
  CHECK(indirect("from unittest import mock\nx = ['a b.c', '.x.y', 'x..y', '3.14', 'end.']\nmock.patch('q.r')\n")
            .empty());
  CHECK(indirect("T = {'a': 'pkg.mod.requests.get'}\n").empty()); // no patch word: no test patches
}

TEST_CASE("a patch target built at run time is found, to be reported") {
  auto computed = [](const std::string &src) {
    Parsed p(src);
    std::vector<unsigned> lines;
    for (uint32_t at : rewrite::findComputedTargets(p.tree, p.model))
      lines.push_back(p.lines.lineOf(at));
    return lines;
  };
  using V = std::vector<unsigned>;
  CHECK(computed("from unittest import mock\nmock.patch(f'{M}.bigquery.Client')\n") == V{2});
  CHECK(computed("from unittest import mock\nmock.patch(M + '.bigquery.Client')\n") == V{2});
  CHECK(computed("from unittest import mock\nmock.patch(('{}' + '.x').format(M))\n") == V{2});
  CHECK(computed("def t(monkeypatch):\n    monkeypatch.setattr(M + '.requests.get', f)\n") == V{2});
  CHECK(computed("from unittest import mock\nmock.patch('pkg.mod.Client')\nmock.patch(T)\n").empty());
  CHECK(computed("from unittest import mock\nprint(f'{x}.y')\nmock.patch('a.b', f'{x}')\n").empty());
}

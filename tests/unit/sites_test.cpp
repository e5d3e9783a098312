// Finding sites: a rule's callable is found however Python code imports it, and only where the
// name really is that import (Python's scoping), never in text; type positions are not sites.
#include "testing.h"

#include <doctest/doctest.h>

using namespace poolify;
using testing::Parsed;
using testing::shippedRule;
using testing::shippedRules;

namespace {

// One entry per site, in document order: "callee -> qualified name", with " (reference)" for a
// use that is not a call and " (string)" for a string naming the callable. Every source with a
// site must pass the literal prefilter (a file it rejects is never parsed).
std::string sitesIn(const std::string &src, const std::vector<rules::Rule> &rules = shippedRules()) {
  Parsed p(src);
  std::string out;
  for (const auto &s : analysis::findSites(p.tree, p.model, rules)) {
    out += out.empty() ? "" : "; ";
    out += p.textOf(s.callee) + " -> " + s.qname;
    if (s.inString)
      out += " (string)";
    else if (ts_node_is_null(s.call))
      out += " (reference)";
  }
  if (!out.empty())
    CHECK_MESSAGE(analysis::mentionsAnyTrigger(src, rules), "the prefilter would skip a file with sites: " << src);
  return out;
}

// "callee -> qualified name" of every call of a pooled callable.
std::string pooledIn(const std::string &src, const std::vector<rules::Rule> &rules = shippedRules()) {
  Parsed p(src);
  std::string out;
  for (const auto &u : analysis::findPooledUses(p.tree, p.model, rules)) {
    out += out.empty() ? "" : "; ";
    out += p.textOf(u.callee) + " -> " + u.qname + " (" + u.rule->id + ")";
  }
  if (!out.empty())
    CHECK_MESSAGE(analysis::mentionsAnyTrigger(src, rules),
                  "the prefilter would skip a file with pooled uses: " << src);
  return out;
}

const std::string kBq = "google.cloud.bigquery.Client";

} // namespace

TEST_CASE("bigquery.Client is found however the module is imported") {
  CHECK(sitesIn("from google.cloud import bigquery\nbigquery.Client()\n") == "bigquery.Client -> " + kBq);
  CHECK(sitesIn("from google.cloud import bigquery as bq\nbq.Client()\n") == "bq.Client -> " + kBq);
  CHECK(sitesIn("import google.cloud.bigquery as x\nx.Client()\n") == "x.Client -> " + kBq);
  CHECK(sitesIn("import google.cloud.bigquery\ngoogle.cloud.bigquery.Client()\n") ==
        "google.cloud.bigquery.Client -> " + kBq);
  CHECK(sitesIn("from google.cloud.bigquery import Client\nClient()\n") == "Client -> " + kBq);
  CHECK(sitesIn("from google.cloud.bigquery import Client as C\nC()\n") == "C -> " + kBq);
  CHECK(sitesIn("from google.cloud.bigquery.client import Client\nClient()\n") ==
        "Client -> google.cloud.bigquery.client.Client");
  CHECK(sitesIn("from google.cloud import bigquery\nbigquery.client.Client()\n") ==
        "bigquery.client.Client -> google.cloud.bigquery.client.Client");
}

TEST_CASE("multi-name and parenthesized imports bind every name they list") {
  CHECK(sitesIn("from google.cloud import storage, bigquery\nbigquery.Client()\nstorage.Client()\n") ==
        "bigquery.Client -> " + kBq + "; storage.Client -> google.cloud.storage.Client");
  CHECK(sitesIn("from google.cloud import (\n    bigquery,\n    storage as gcs,\n)\n\ngcs.Client()\n") ==
        "gcs.Client -> google.cloud.storage.Client");
  CHECK(sitesIn("import os, google.cloud.bigquery as bq, sys\nbq.Client()\n") == "bq.Client -> " + kBq);
  CHECK(sitesIn("from google.cloud.bigquery import QueryJobConfig, Client\nClient(); QueryJobConfig()\n") ==
        "Client -> " + kBq);
}

TEST_CASE("a site records its rule, rewrite, call, head and the import it relies on") {
  Parsed p("import os\n\n\ndef load():\n    from google.cloud import bigquery as bq\n    return "
           "bq.Client(project='p').query('q')\n");
  auto sites = analysis::findSites(p.tree, p.model, shippedRules());
  REQUIRE(sites.size() == 1);
  const auto &s = sites[0];
  REQUIRE(s.rule != nullptr);
  CHECK(s.rule->id == "bigquery");
  REQUIRE(s.rewrite != nullptr);
  CHECK(s.rewrite->replace.function == "get_bigquery_client");
  CHECK(p.textOf(s.callee) == "bq.Client");
  CHECK(p.textOf(s.call) == "bq.Client(project='p')");
  CHECK(p.textOf(s.head) == "bq");
  CHECK_FALSE(s.inString);
  REQUIRE(s.anchor != nullptr);
  CHECK(p.textOf(s.anchor->statement) == "from google.cloud import bigquery as bq");
  CHECK(s.scope == p.model.scopeAt(py::start(s.callee)));
  CHECK(p.model.enclosingFunction(s.scope) >= 0);
}

TEST_CASE("an import inside a function is seen in that function and its closures, not in others") {
  CHECK(sitesIn("def f():\n    from google.cloud import bigquery\n    return bigquery.Client()\n") ==
        "bigquery.Client -> " + kBq);
  CHECK(sitesIn("def f():\n    from google.cloud import bigquery\n\n    def g():\n        return bigquery.Client()\n"
                "    return g\n") == "bigquery.Client -> " + kBq);
  CHECK(sitesIn("def f():\n    from google.cloud import bigquery\n\n\ndef g():\n    return bigquery.Client()\n") == "");
}

TEST_CASE("text in strings, comments, docstrings and f-string text is never a site") {
  std::string src = "\"\"\"Creates a bigquery.Client() per run.\"\"\"\n"
                    "from google.cloud import bigquery\n"
                    "# bigquery.Client() below\n"
                    "SQL = 'bigquery.Client()'\n"
                    "\n"
                    "\n"
                    "def f(x):\n"
                    "    \"\"\"Returns bigquery.Client(project=x).\"\"\"\n"
                    "    log(f\"bigquery.Client(project={x!r})\")\n"
                    "    return b'bigquery.Client()'\n";
  CHECK(sitesIn(src) == "");
}

TEST_CASE("a call inside an f-string's braces runs, so it is a site") {
  CHECK(sitesIn("from google.cloud import bigquery\nmsg = f\"{bigquery.Client().project}\"\n") ==
        "bigquery.Client -> " + kBq);
}

TEST_CASE("a string naming a callable exactly is a string site (a mock target), anything else in a string is not") {
  CHECK(sitesIn("from unittest import mock\n\n@mock.patch(\"requests.get\")\ndef test(m):\n    pass\n") ==
        "\"requests.get\" -> requests.get (string)");
  CHECK(sitesIn("patch('google.cloud.bigquery.Client')\n") == "'google.cloud.bigquery.Client' -> " + kBq + " (string)");
  // A module's path in front of it is not the callable's name; neither is text around it.
  CHECK(sitesIn("patch('pkg.loader.bigquery.Client')\n") == "");
  CHECK(sitesIn("log('calling requests.get now')\n") == "");
  CHECK(sitesIn("patch(f'{x}requests.get')\n") == "");
}

TEST_CASE("a parameter named like the module is not the module") {
  CHECK(sitesIn("from google.cloud import bigquery\n\n\ndef f(bigquery):\n    return bigquery.Client()\n") == "");
  CHECK(sitesIn("def lookup(requests: dict, key):\n    return requests.get(key)\n") == "");
  CHECK(sitesIn("import requests\nfetch = lambda requests: requests.get('u')\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f(*requests, **kw):\n    return requests.get('u')\n") == "");
}

TEST_CASE("a local bound anywhere in a function shadows the import in the whole function") {
  // Python decides locals at compile time: an assignment after the call still makes it local.
  CHECK(sitesIn("from google.cloud import bigquery\n\n\ndef f():\n    c = bigquery.Client()\n    bigquery = {}\n") ==
        "");
  CHECK(
      sitesIn("from google.cloud import bigquery\n\n\ndef f():\n    bigquery = None\n    return bigquery.Client()\n") ==
      "");
  CHECK(sitesIn("import requests\n\n\ndef f(items):\n    for requests in items:\n        requests.get(1)\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f():\n    with open('x') as requests:\n        requests.get(1)\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f():\n    try:\n        pass\n    except Exception as requests:\n"
                "        requests.get(1)\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f(x):\n    if (requests := x):\n        requests.get(1)\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f():\n    def requests():\n        pass\n    requests.get(1)\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f():\n    class requests:\n        pass\n    requests.get(1)\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef f():\n    import json as requests\n    requests.get(1)\n") == "");
}

TEST_CASE("an enclosing function's local shadows the import in nested functions") {
  CHECK(sitesIn("from google.cloud import bigquery\n\n\ndef outer(bigquery):\n    def inner():\n"
                "        return bigquery.Client()\n    return inner\n") == "");
  CHECK(sitesIn("import requests\n\n\ndef outer():\n    requests = make()\n    return lambda: requests.get(1)\n") ==
        "");
}

TEST_CASE("a module-level def, class or assignment of the name leaves no site") {
  CHECK(sitesIn("import requests\n\n\ndef requests():\n    pass\n\n\nrequests.get(1)\n") == "");
  CHECK(sitesIn("from google.cloud import bigquery\nbigquery = Fake()\nbigquery.Client()\n") == "");
}

TEST_CASE("a global declaration makes the function use the module's import") {
  CHECK(sitesIn("import requests\n\n\ndef f():\n    global requests\n    return requests.get(1)\n") ==
        "requests.get -> requests.get");
}

TEST_CASE("class attributes shadow in the class body but are not visible from its methods") {
  std::string src = "from google.cloud import bigquery\n\n\nclass Job:\n    bigquery = FakeModule()\n"
                    "    default = bigquery.Client()\n\n    def run(self):\n        return bigquery.Client()\n";
  Parsed p(src);
  auto sites = analysis::findSites(p.tree, p.model, shippedRules());
  REQUIRE(sites.size() == 1);
  CHECK(p.lines.lineOf(py::start(sites[0].callee)) == 9);
}

TEST_CASE("comprehension variables shadow only inside the comprehension") {
  CHECK(sitesIn("import requests\n[requests.get(1) for requests in range(3)]\nrequests.get(2)\n") ==
        "requests.get -> requests.get");
}

TEST_CASE("an import fallback to None beside the import does not hide it") {
  CHECK(sitesIn("try:\n    from google.cloud import bigquery\nexcept ImportError:\n    bigquery = None\n\n\n"
                "def f():\n    return bigquery.Client()\n") == "bigquery.Client -> " + kBq);
}

TEST_CASE("annotations and isinstance checks are not sites") {
  std::string src = "from typing import Optional\n\nfrom google.cloud import bigquery\n\n\n"
                    "def f(c: bigquery.Client, d: Optional[bigquery.Client] = None) -> bigquery.Client:\n"
                    "    x: bigquery.Client = c\n"
                    "    y: \"bigquery.Client\" = d\n"
                    "    if isinstance(c, bigquery.Client) or isinstance(d, (str, bigquery.Client)):\n"
                    "        return issubclass(type(c), bigquery.Client)\n"
                    "    return x\n";
  CHECK(sitesIn(src) == "");
}

TEST_CASE("a reference that is not a call is a site without a call") {
  CHECK(sitesIn("from google.cloud import bigquery\nfactory = bigquery.Client\n") ==
        "bigquery.Client -> " + kBq + " (reference)");
  CHECK(sitesIn("from google.cloud import bigquery\n\n\nclass Mine(bigquery.Client):\n    pass\n") ==
        "bigquery.Client -> " + kBq + " (reference)");
  CHECK(sitesIn("from google.cloud import storage\nc = storage.Client.from_service_account_json('k.json')\n") ==
        "storage.Client -> google.cloud.storage.Client (reference)");
  CHECK(sitesIn("import functools\nimport requests\nfetch = functools.partial(requests.get, timeout=3)\n") ==
        "requests.get -> requests.get (reference)");
}

TEST_CASE("a call whose result is used further is still one site") {
  CHECK(sitesIn("from google.cloud import bigquery\nrows = bigquery.Client(project='p').query('q').result()\n") ==
        "bigquery.Client -> " + kBq);
}

TEST_CASE("other names of the module are not sites") {
  CHECK(sitesIn("from google.cloud import bigquery\ncfg = bigquery.QueryJobConfig()\n"
                "p = bigquery.ScalarQueryParameter('a', 'STRING', 'b')\n") == "");
  CHECK(sitesIn("from google.cloud import firestore\ndb = firestore.AsyncClient()\n") == "");
  CHECK(sitesIn("import requests\ne = requests.exceptions.HTTPError\n") == "");
}

TEST_CASE("every shipped rule finds its callables") {
  CHECK(sitesIn("import requests as rq\nrq.post('u')\nrq.Session()\nrq.put('u')\nrq.request('GET', 'u')\n") ==
        "rq.post -> requests.post; rq.Session -> requests.Session; rq.put -> requests.put; "
        "rq.request -> requests.request");
  CHECK(sitesIn("from requests import get, Session\nget('u')\nSession()\n") ==
        "get -> requests.get; Session -> requests.Session");
  CHECK(sitesIn("import requests\nrequests.session()\nrequests.sessions.Session()\n") ==
        "requests.session -> requests.session; requests.sessions.Session -> requests.sessions.Session");
  CHECK(sitesIn("from google.cloud import firestore_v1\nfirestore_v1.Client()\n") ==
        "firestore_v1.Client -> google.cloud.firestore_v1.Client");
  CHECK(sitesIn("from google.cloud import pubsub_v1\npubsub_v1.PublisherClient()\npubsub_v1.SubscriberClient()\n") ==
        "pubsub_v1.PublisherClient -> google.cloud.pubsub_v1.PublisherClient; "
        "pubsub_v1.SubscriberClient -> google.cloud.pubsub_v1.SubscriberClient");
}

TEST_CASE("only the rules given are looked for") {
  std::string src = "import requests\nfrom google.cloud import bigquery\nrequests.get('u')\nbigquery.Client()\n";
  CHECK(sitesIn(src, shippedRule("http")) == "requests.get -> requests.get");
  CHECK(sitesIn(src, shippedRule("bigquery")) == "bigquery.Client -> " + kBq);
  CHECK(sitesIn(src, {}) == "");
}

TEST_CASE("pooled uses are calls of a pooled callable, through imports") {
  CHECK(
      pooledIn(
          "from shared.clients.bigquery_pool import get_bigquery_client\nc = get_bigquery_client(project_id='p')\n") ==
      "get_bigquery_client -> shared.clients.bigquery_pool.get_bigquery_client (bigquery)");
  CHECK(pooledIn("from shared.clients import http_pool\nhttp_pool.get('u')\n") ==
        "http_pool.get -> shared.clients.http_pool.get (http)");
  CHECK(pooledIn("from shared.clients.http_pool import get_http_session\nget_http_session().put('u')\n") ==
        "get_http_session -> shared.clients.http_pool.get_http_session (http)");
  CHECK(pooledIn("import shared.clients.storage_pool as sp\nsp.get_storage_client()\n") ==
        "sp.get_storage_client -> shared.clients.storage_pool.get_storage_client (storage)");
}

TEST_CASE("a pooled callable that is not called, shadowed, or only named in text is not a pooled use") {
  CHECK(pooledIn("from shared.clients.bigquery_pool import get_bigquery_client\nfactory = get_bigquery_client\n") ==
        "");
  CHECK(pooledIn("from shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
                 "def f(get_bigquery_client):\n    return get_bigquery_client()\n") == "");
  CHECK(pooledIn("# get_bigquery_client()\nx = 'get_bigquery_client()'\n") == "");
  CHECK(pooledIn("def get_bigquery_client():\n    pass\n\n\nget_bigquery_client()\n") == "");
}

TEST_CASE("the prefilter needs a trigger word and a callable's name") {
  const auto &rules = shippedRules();
  CHECK(analysis::mentionsAnyTrigger("from google.cloud import bigquery\nbigquery.Client()\n", rules));
  CHECK(analysis::mentionsAnyTrigger("import requests\nrequests.get(u)\n", rules));
  CHECK(analysis::mentionsAnyTrigger("from shared.clients.bigquery_pool import get_bigquery_client\n", rules));
  // A literal test: words in comments count too (a file it passes is parsed, not necessarily a site).
  CHECK(analysis::mentionsAnyTrigger("# bigquery Client\n", rules));
  CHECK_FALSE(analysis::mentionsAnyTrigger("import bigquery_helpers\nbigquery_helpers.run()\n", rules));
  CHECK_FALSE(analysis::mentionsAnyTrigger("client = make_Client()\n", rules));
  CHECK_FALSE(analysis::mentionsAnyTrigger("", rules));
  CHECK_FALSE(analysis::mentionsAnyTrigger("from google.cloud import bigquery\nbigquery.Client()\n", {}));
  CHECK_FALSE(
      analysis::mentionsAnyTrigger("from google.cloud import bigquery\nbigquery.Client()\n", shippedRule("http")));
}

TEST_CASE("a test that patches a callable imported by its own name passes the prefilter without a trigger word") {
  const auto &rules = shippedRules();
  CHECK(analysis::mayPatchACallable("@mock.patch(\"pkg.mod.Client\")\ndef test(c): pass\n", rules));
  CHECK(
      analysis::mayPatchACallable("from unittest.mock import patch\nwith patch.object(mod, 'Client'): pass\n", rules));
  CHECK(analysis::mayPatchACallable("def test(monkeypatch):\n    monkeypatch.setattr('pkg.mod.get', f)\n", rules));
  CHECK(analysis::mayPatchACallable("patch('pkg.mod.Client')", rules));
  CHECK(analysis::mayPatchACallable("@mock.patch('pkg.mod.bigquery')\ndef test(bq): pass\n", rules));
  // `patch` inside another word is not a patch; a target that is not a callable's name, or a name
  // that ends no string, intercepts no site.
  CHECK_FALSE(analysis::mayPatchACallable("def dispatch(x): return x('pkg.Client')\n", rules));
  CHECK_FALSE(analysis::mayPatchACallable("@mock.patch('pkg.mod.helper')\ndef test(h): h.get()\n", rules));
  CHECK_FALSE(analysis::mayPatchACallable("setattr(self, key, Client())\n", rules));
  CHECK_FALSE(analysis::mayPatchACallable("@mock.patch('pkg.mod.Clients')\n", rules));
  CHECK_FALSE(analysis::mayPatchACallable("@mock.patch('pkg.mod.Client')\n", {}));
}

namespace {
// "line: problem" of every site (problem "" when the name is the import), one per site.
std::string namesAt(const std::string &src) {
  Parsed p(src);
  std::string out;
  for (const auto &s : analysis::findSites(p.tree, p.model, shippedRules())) {
    out += out.empty() ? "" : "; ";
    out += std::to_string(p.lines.lineOf(py::start(s.callee))) + ": " + (s.nameProblem.empty() ? "ok" : s.nameProblem);
  }
  return out;
}
} // namespace

TEST_CASE("after del on every path the name is not the import: no site; a new import makes it one again") {
  CHECK(namesAt("from google.cloud import bigquery\nc = bigquery.Client()\ndel bigquery\nd = bigquery.Client()\n") ==
        "2: ok");
  CHECK(namesAt("from google.cloud import bigquery\ndel bigquery\nfrom google.cloud import bigquery\n"
                "c = bigquery.Client()\n") == "4: ok");
  CHECK(namesAt("from google.cloud import bigquery\nif x:\n    del bigquery\nc = bigquery.Client()\n") == "4: ok");
  // Used before it is imported: a NameError, not the module.
  CHECK(namesAt("c = bigquery.Client()\nfrom google.cloud import bigquery\n") == "");
  // A function runs after the module's body: there the deletion at the end counts.
  CHECK(namesAt("from google.cloud import bigquery\n\n\ndef f():\n    return bigquery.Client().query('q')\n\n\n"
                "del bigquery\n") == "5: bigquery is unbound when this code can run (deleted, or bound only later)");
}

TEST_CASE("an import only under if TYPE_CHECKING binds nothing at run time: its sites are left") {
  CHECK(namesAt("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from google.cloud import bigquery\n\n\n"
                "def f():\n    return bigquery.Client().query('q')\n") ==
        "7: bigquery is imported only under 'if TYPE_CHECKING:', which does not run");
  CHECK(namesAt("import typing\nif typing.TYPE_CHECKING:\n    from google.cloud import bigquery\n"
                "c = bigquery.Client()\n") ==
        "4: bigquery is imported only under 'if typing.TYPE_CHECKING:', which does not run");
  // With a run-time import as well, the name is that import.
  CHECK(
      namesAt("if TYPE_CHECKING:\n    from google.cloud import bigquery\nelse:\n    from google.cloud import bigquery\n"
              "c = bigquery.Client()\n") == "5: ok");
}

TEST_CASE("a class-body import is a class attribute: its sites in the body are left, methods do not see it") {
  std::string src = "class Job:\n    from google.cloud import bigquery\n    default = bigquery.Client()\n\n"
                    "    def run(self):\n        a = self.bigquery.Client()\n        b = Job.bigquery.Client()\n"
                    "        return bigquery.Client()\n";
  CHECK(namesAt(src) == "3: bigquery is imported in the class body: a class attribute, whose import must stay");
}

TEST_CASE("an import made through global in another function may not have run") {
  std::string setup = "bigquery = None\n\n\ndef setup():\n    global bigquery\n    from google.cloud import bigquery\n"
                      "    return bigquery.Client().project\n\n\n";
  CHECK(namesAt(setup + "def f():\n    return bigquery.Client().query('q')\n") ==
        "7: ok; 11: bigquery is imported by setup() through 'global bigquery' (line 6), which may not have run before "
        "this use");
  // A module-level import on every path (and no None fallback) is the same module either way.
  CHECK(namesAt("from google.cloud import bigquery\n\n\ndef reload():\n    global bigquery\n"
                "    from google.cloud import bigquery\n\n\ndef f():\n    return bigquery.Client().query('q')\n") ==
        "10: ok");
  // In the function that imports it, after the import on every path: that import.
  Parsed p(setup);
  auto sites = analysis::findSites(p.tree, p.model, shippedRules());
  REQUIRE(sites.size() == 1);
  REQUIRE(sites[0].anchor != nullptr);
  CHECK(p.lines.lineOf(py::start(sites[0].anchor->statement)) == 6);
}

TEST_CASE("a match capture makes the name something else; a nonlocal rebinding may: left, with the reason") {
  CHECK(namesAt("from google.cloud import bigquery\nmatch cmd:\n    case bigquery:\n        bigquery.Client()\n") ==
        "");
  CHECK(namesAt("def outer():\n    from google.cloud import bigquery\n\n    def fake():\n        nonlocal bigquery\n"
                "        bigquery = make_fake()\n    fake()\n    return bigquery.Client().query('q')\n") ==
        "8: bigquery is rebound by fake() through 'nonlocal bigquery' (line 6), which may have run before this use");
  // At module level, a function that rebinds the import through `global` to something else.
  CHECK(namesAt("from google.cloud import bigquery\n\ndef fake():\n    global bigquery\n    bigquery = make_fake()\n\n"
                "c = bigquery.Client()\n") ==
        "7: bigquery is rebound by fake() through 'global bigquery' (line 5), which may have run before this use");
}

TEST_CASE("a del or a None made through global or nonlocal by other code may have run: left, with the reason") {
  std::string fetch = "\n\ndef fetch(url):\n    return requests.get(url)\n";
  CHECK(namesAt("import requests\n\n\ndef shutdown():\n    global requests\n    del requests\n" + fetch) ==
        "10: requests is deleted by shutdown() through 'global requests' (line 6), which may have run before this use");
  CHECK(namesAt("import requests\n\n\ndef shutdown():\n    global requests\n    requests = None\n" + fetch) ==
        "10: requests is rebound to None by shutdown() through 'global requests' (line 6), which may have run before "
        "this use");
  // An alias and a from-import name are names like any other; so is a del in a nested function.
  CHECK(namesAt("import requests as r\n\n\ndef stop():\n    global r\n    del r\n\n\ndef f(u):\n"
                "    return r.get(u)\n") ==
        "10: r is deleted by stop() through 'global r' (line 6), which may have run before this use");
  CHECK(namesAt("from requests import get\n\n\ndef stop():\n    global get\n    del get\n\n\ndef f(u):\n"
                "    return get(u)\n") ==
        "6: get is deleted by stop() through 'global get' (line 6), which may have run before this use; 10: get is "
        "deleted by stop() through 'global get' (line 6), which may have run before this use");
  CHECK(namesAt("import requests\n\n\ndef outer():\n    def inner():\n        global requests\n"
                "        del requests\n    inner()\n" +
                fetch) ==
        "12: requests is deleted by inner() through 'global requests' (line 7), which may have run before this use");
  CHECK(namesAt("def run(u):\n    import requests\n\n    def drop():\n        nonlocal requests\n"
                "        del requests\n\n    drop()\n    return requests.get(u)\n") ==
        "9: requests is deleted by drop() through 'nonlocal requests' (line 6), which may have run before this use");
  // A del that imports the name again before the function ends (a reload), a None beside an
  // import in the same function (its fallback), a del of another name or of a local: the import.
  CHECK(namesAt("import requests\n\n\ndef reload():\n    global requests\n    del requests\n"
                "    import requests\n" +
                fetch) == "11: ok");
  CHECK(namesAt("import requests\n\n\ndef stop(other):\n    global session\n    del session\n"
                "    requests = None\n    del other\n" +
                fetch) == "12: ok");
}

TEST_CASE("the first iterable of a comprehension sees the enclosing scope") {
  CHECK(namesAt(
            "from google.cloud import bigquery\nds = [bigquery for bigquery in bigquery.Client().list_datasets()]\n") ==
        "2: ok");
}

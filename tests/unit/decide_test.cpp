// Deciding a site: rewrite it (callee spelling, import, argument changes, arguments taken from
// scope), remove it as a redundant override, or leave it with exactly the reason the golden
// README lists (fixtures/golden/README.md, "What the BigQuery rule does").
#include "testing.h"

#include <doctest/doctest.h>

using namespace poolify;
using model::Outcome;
using testing::Analyzed;
using testing::shippedRule;
using testing::shippedRules;

namespace {

const char *kBqImport = "from google.cloud import bigquery\n";

// The verdict on the only site of `src` (in a file at `path`).
model::Verdict verdictOf(const std::string &src, const std::string &path = "job.py",
                         const std::vector<rules::Rule> &rules = shippedRules()) {
  Analyzed a(src, rules, path);
  REQUIRE_MESSAGE(a.sites.size() == 1, "expected one site in: " << src);
  REQUIRE(a.verdicts.size() == 1);
  return a.verdicts[0];
}

// Why the only site of `src` is left ("" when it is not left).
std::string leftBecause(const std::string &src, const std::string &path = "job.py") {
  model::Verdict v = verdictOf(src, path);
  if (v.outcome != Outcome::Left && v.outcome != Outcome::LeftMissing)
    return "";
  // A left site says exactly its reason, and nothing else is planned for it.
  CHECK(v.notes == std::vector<std::string>{"left: " + v.reason});
  CHECK(v.callee.empty());
  CHECK(v.importName.empty());
  CHECK(v.changes.empty());
  CHECK(v.inferred.empty());
  return v.reason;
}

// "keyword=text, ..." of a verdict's arguments (explicit or inferred).
std::string args(const std::vector<model::Argument> &as) {
  std::string out;
  for (const auto &[k, v] : as)
    out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

// "index:keyword, ..." of a verdict's argument changes ("index:keyword=value" for one that replaces
// the whole argument).
std::string changes(const model::Verdict &v) {
  std::string out;
  for (const auto &c : v.changes)
    out +=
        (out.empty() ? "" : ", ") + std::to_string(c.index) + ":" + c.keyword + (c.value.empty() ? "" : "=" + c.value);
  return out;
}

// The text inserted for the project id ("" when none).
std::string inferredProject(const std::string &src) {
  model::Verdict v = verdictOf(src);
  return v.outcome == Outcome::Rewritten ? args(v.inferred) : "left: " + v.reason;
}

} // namespace

TEST_CASE("project= is renamed to project_id= in place and the pool is imported") {
  model::Verdict v = verdictOf(std::string(kBqImport) + "c = bigquery.Client(project=\"p\")\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.reason == "");
  CHECK(v.callee == "get_bigquery_client");
  CHECK(v.poolModule == "shared.clients.bigquery_pool");
  CHECK(v.importModule == "shared.clients.bigquery_pool");
  CHECK(v.importName == "get_bigquery_client");
  CHECK(changes(v) == "0:project_id");
  CHECK(args(v.args) == "project_id=\"p\"");
  CHECK(v.inferred.empty());
  CHECK(v.notes.empty());
}

TEST_CASE("a first positional argument becomes project_id= and location= passes through unchanged") {
  model::Verdict v = verdictOf(std::string(kBqImport) + "c = bigquery.Client(\"p\", location=\"EU\")\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(changes(v) == "0:project_id");
  CHECK(args(v.args) == "project_id=\"p\", location=\"EU\"");

  // Comments between arguments are not arguments: indexes count the arguments only.
  v = verdictOf(std::string(kBqImport) + "c = bigquery.Client(  # where\n    location=\"EU\",\n    project=PID,\n)\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(changes(v) == "1:project_id");
  CHECK(args(v.args) == "location=\"EU\", project_id=PID");
}

TEST_CASE("an argument the pool does not take leaves the call, with the reason") {
  std::string head = std::string(kBqImport) + "\n\ndef f(project_id, creds, args, kw):\n    return ";
  CHECK(leftBecause(head + "bigquery.Client(project=project_id, credentials=creds)\n") ==
        "keyword 'credentials' is not supported by the pool");
  CHECK(leftBecause(head + "bigquery.Client(client_options={'api_endpoint': 'x'})\n") ==
        "keyword 'client_options' is not supported by the pool");
  CHECK(leftBecause(head + "bigquery.Client(project_id, creds)\n") ==
        "positional argument 2 is not supported by the pool");
  CHECK(leftBecause(head + "bigquery.Client(*args)\n") == "argument unpacking cannot be mapped to the pool");
  CHECK(leftBecause(head + "bigquery.Client(project=project_id, **kw)\n") ==
        "argument unpacking cannot be mapped to the pool");
  // Positional 1 is the project.
  CHECK(verdictOf(head + "bigquery.Client(creds).query('q')\n").outcome == Outcome::Rewritten);
}

TEST_CASE("no project id in scope leaves the call as asking for nothing") {
  model::Verdict v = verdictOf(std::string(kBqImport) + "\n\ndef f():\n    return bigquery.Client().query('q')\n");
  CHECK(v.outcome == Outcome::LeftMissing);
  CHECK(v.reason == "no project id in scope");
  CHECK(v.notes == std::vector<std::string>{"left: no project id in scope"});
  CHECK(v.inferred.empty());
}

TEST_CASE("a client this code closes is left") {
  std::string head = std::string(kBqImport) + "import contextlib\nfrom contextlib import closing as shut\n"
                                              "PROJECT_ID = 'p'\n\n\ndef f():\n";
  CHECK(leftBecause(head + "    with bigquery.Client() as c:\n        c.query('q')\n") ==
        "client is closed by this code (with statement)");
  CHECK(leftBecause(head + "    with bigquery.Client():\n        pass\n") ==
        "client is closed by this code (with statement)");
  CHECK(leftBecause(head + "    with contextlib.closing(bigquery.Client()) as c:\n        c.query('q')\n") ==
        "client is closed by this code (contextlib.closing)");
  CHECK(leftBecause(head + "    with shut(bigquery.Client()) as c:\n        c.query('q')\n") ==
        "client is closed by this code (contextlib.closing)");
  // head is 7 lines: the call is on line 8, the close on line 10.
  CHECK(leftBecause(head + "    c = bigquery.Client()\n    c.query('q')\n    c.close()\n") ==
        "client is closed by this code (.close() at line 10)");
}

TEST_CASE("a client kept on self and closed in any method of the class is left") {
  std::string src = std::string(kBqImport) + "PROJECT_ID = 'p'\n\n\nclass Job:\n"
                                             "    def __init__(self):\n        self.bq = bigquery.Client()\n\n"
                                             "    def stop(this):\n        this.bq.close()\n";
  CHECK(leftBecause(src) == "client is closed by this code (.close() at line 10)");
}

TEST_CASE("closing another object, or a client of another function, does not leave the call") {
  std::string src = std::string(kBqImport) +
                    "PROJECT_ID = 'p'\n\n\ndef f(other):\n    c = bigquery.Client()\n"
                    "    other.close()\n    return c.query('q')\n\n\ndef g(c):\n    c.close()\n";
  CHECK(verdictOf(src).outcome == Outcome::Rewritten);
}

TEST_CASE("the module that defines the pool is never rewritten") {
  std::string src =
      std::string(kBqImport) +
      "\n\ndef get_bigquery_client(project_id):\n    return bigquery.Client(project=project_id).query('q')\n";
  for (std::string path : {"shared/clients/bigquery_pool.py", "src/shared/clients/bigquery_pool.py",
                           "shared/clients/bigquery_pool/__init__.py"}) {
    CAPTURE(path);
    CHECK(leftBecause(src, path) == "this module defines the pool");
  }
  CHECK(verdictOf(src, "myshared/clients/bigquery_pool.py").outcome == Outcome::Rewritten);
  CHECK(verdictOf(src, "shared/clients/bigquery_pool_test.py").outcome == Outcome::Rewritten);
}

TEST_CASE("isModuleFile matches a module's file or package, on path boundaries") {
  CHECK(analysis::isModuleFile("shared/clients/http_pool.py", "shared.clients.http_pool"));
  CHECK(analysis::isModuleFile("a/shared/clients/http_pool.py", "shared.clients.http_pool"));
  CHECK(analysis::isModuleFile("shared/clients/http_pool/__init__.py", "shared.clients.http_pool"));
  CHECK_FALSE(analysis::isModuleFile("xshared/clients/http_pool.py", "shared.clients.http_pool"));
  CHECK_FALSE(analysis::isModuleFile("shared/clients/http_pool/util.py", "shared.clients.http_pool"));
  CHECK_FALSE(analysis::isModuleFile("clients/http_pool.py", "shared.clients.http_pool"));
}

TEST_CASE("a reference that is not a call is left, naming the callable") {
  CHECK(leftBecause(std::string(kBqImport) + "factory = bigquery.Client\n") ==
        "reference to google.cloud.bigquery.Client is not a call");
  CHECK(leftBecause("import requests\nfetch = requests.get\n") == "reference to requests.get is not a call");
}

TEST_CASE("a string naming a callable is reported, never rewritten") {
  CHECK(leftBecause("from unittest import mock\n\n\n@mock.patch(\"requests.get\")\ndef test_x(m):\n    pass\n") ==
        "string reference to requests.get is not rewritten (a mock target?)");
}

TEST_CASE("a session this code configures is left, naming the first configuring use") {
  CHECK(leftBecause("import requests\n\n\ndef f(token):\n    s = requests.Session()\n"
                    "    s.headers.update({'Authorization': token})\n    return s\n") ==
        "session is configured by this code (.headers at line 6)");
  CHECK(
      leftBecause("import requests\n\n\nclass Api:\n    def __init__(self):\n        self.http = requests.Session()\n\n"
                  "    def login(self, user, pw):\n        self.http.auth = (user, pw)\n") ==
      "session is configured by this code (.auth at line 9)");
  // Using the session is not configuring it.
  CHECK(verdictOf("import requests\n\n\ndef f(u):\n    s = requests.Session()\n    return s.get(u)\n").outcome ==
        Outcome::Rewritten);
}

TEST_CASE("a session this code closes is left, a response it closes is not") {
  CHECK(leftBecause("import requests\n\n\ndef f():\n    with requests.Session() as s:\n        s.get('u')\n") ==
        "client is closed by this code (with statement)");
  model::Verdict v = verdictOf("import requests\n\n\ndef f(u):\n    with requests.get(u, stream=True) as r:\n"
                               "        return r.raw\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.callee == "get");
  CHECK(args(v.args) == "#1=u, stream=True");
  CHECK(v.changes.empty());
}

TEST_CASE("http verbs without a helper go through the shared session, Session takes no argument") {
  model::Verdict v = verdictOf("import requests\nrequests.put('u', json={})\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.callee == "get_http_session().put");
  CHECK(v.importModule == "shared.clients.http_pool");
  CHECK(v.importName == "get_http_session");
  CHECK(leftBecause("import requests\ns = requests.Session(3)\n") ==
        "positional argument 1 is not supported by the pool");
  CHECK(leftBecause("import requests\ns = requests.Session(trust_env=False)\n") ==
        "keyword 'trust_env' is not supported by the pool");
}

TEST_CASE("pubsub and firestore map their own arguments") {
  model::Verdict v =
      verdictOf("from google.cloud import pubsub_v1\nPROJECT_ID = 'p'\npub = pubsub_v1.PublisherClient()\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.callee == "get_pubsub_publisher");
  CHECK(v.inferred.empty()); // the constructor takes no project: nothing is inferred
  CHECK(leftBecause("from google.cloud import pubsub_v1\npub = pubsub_v1.PublisherClient(batch_settings=bs)\n") ==
        "keyword 'batch_settings' is not supported by the pool");
  v = verdictOf("from google.cloud import firestore\ndb = firestore.Client(project='p', database='orders')\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.callee == "get_firestore_client");
  CHECK(changes(v) == "0:project_id");
  CHECK(args(v.args) == "project_id='p', database='orders'");
}

TEST_CASE("the pooled function is imported unless already imported from the pool") {
  model::Verdict v =
      verdictOf("from google.cloud import bigquery\nfrom shared.clients.bigquery_pool import get_bigquery_client\n"
                "c = bigquery.Client('p')\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.callee == "get_bigquery_client");
  CHECK(v.importModule == "");
  CHECK(v.importName == "");
  CHECK(v.poolModule == "shared.clients.bigquery_pool");
}

TEST_CASE("when the function's name is taken, the call goes through the pool module") {
  std::string src = std::string(kBqImport) + "\n\ndef get_bigquery_client():\n    return None\n\n\n"
                                             "c = bigquery.Client('p')\n";
  model::Verdict v = verdictOf(src);
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.callee == "bigquery_pool.get_bigquery_client");
  CHECK(v.importModule == "shared.clients");
  CHECK(v.importName == "bigquery_pool");
  CHECK(v.poolModule == "shared.clients.bigquery_pool");

  // Any use of the name anywhere in the file takes it: a parameter of another function too.
  v = verdictOf("import requests\n\n\ndef a(get):\n    return get\n\n\ndef b(u):\n    return requests.get(u)\n");
  CHECK(v.callee == "http_pool.get");
  CHECK(v.importModule == "shared.clients");
  CHECK(v.importName == "http_pool");

  // The pool module already imported: no import needed.
  v = verdictOf(
      "import requests\nfrom shared.clients import http_pool\n\n\ndef get():\n    pass\n\n\nrequests.get('u')\n");
  CHECK(v.callee == "http_pool.get");
  CHECK(v.importName == "");
}

TEST_CASE("when both spellings are taken the call is left, naming both") {
  std::string src =
      "\"\"\"Legacy feed fetcher.\"\"\"\nimport requests\nimport urllib3\n\n"
      "http_pool = urllib3.PoolManager(num_pools=4)\n\n\ndef get(url):\n    return http_pool.request('GET', url)\n\n\n"
      "def lookup(code):\n    return requests.get(code, timeout=5).json()\n";
  CHECK(leftBecause(src) == "name 'get' is already used in this file, and so is 'http_pool'");
}

TEST_CASE("sites of one file agree on the spelling and on one import") {
  Analyzed a("import requests\n\n\ndef f(u):\n    requests.get(u)\n    requests.get(u, timeout=3)\n", shippedRules());
  REQUIRE(a.verdicts.size() == 2);
  for (const auto &v : a.verdicts) {
    CHECK(v.callee == "get");
    CHECK(v.importModule == "shared.clients.http_pool");
    CHECK(v.importName == "get");
  }
}

TEST_CASE("the project id comes from a parameter first") {
  std::string src = std::string(kBqImport) +
                    "PROJECT_ID = 'p'\n\n\nclass Job:\n"
                    "    def __init__(self, project_id):\n        self.project_id = project_id\n"
                    "        self.client = bigquery.Client()\n";
  model::Verdict v = verdictOf(src);
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(args(v.inferred) == "project_id=project_id");
  CHECK(v.notes == std::vector<std::string>{
                       "project_id from project_id",
                       "unsafe fix applied: project_id=project_id is taken from scope, but bigquery.Client() without "
                       "project= used the library's default, which may differ"});
  CHECK(v.changes.empty());
  CHECK(v.args.empty());
}

TEST_CASE("the first candidate bound at the call wins, in the rule's order: local, then self, then the module's") {
  Analyzed a(std::string(kBqImport) + "PROJECT_ID = 'p'\n\n\nclass Job:\n    def __init__(self, cfg):\n"
                                      "        self.project_id = cfg.project\n\n    def run(self):\n"
                                      "        project_id = 'local'\n        return bigquery.Client().query('q')\n\n"
                                      "    def other(self):\n        return bigquery.Client().query('q')\n\n\n"
                                      "def f():\n    return bigquery.Client().query('q')\n",
             shippedRules());
  REQUIRE(a.verdicts.size() == 3);
  CHECK(args(a.verdicts[0].inferred) == "project_id=project_id");
  CHECK(args(a.verdicts[1].inferred) == "project_id=self.project_id");
  CHECK(args(a.verdicts[2].inferred) == "project_id=PROJECT_ID");
}

TEST_CASE("a local project_id counts when assigned before the call in the same or an enclosing block") {
  std::string head = std::string(kBqImport) + "\n\ndef f(cfg):\n";
  CHECK(inferredProject(head + "    project_id = cfg.project\n    return bigquery.Client().query('q')\n") ==
        "project_id=project_id");
  CHECK(inferredProject(head +
                        "    project_id = cfg.project\n    if cfg:\n        return bigquery.Client().query('q')\n") ==
        "project_id=project_id");
  // Assigned after the client: not bound when it is made (an unsafe fix may move an independent
  // assignment up: reorder_test.cpp; not across a call).
  CHECK(inferredProject(head + "    c = bigquery.Client()\n    c.query('warmup')\n    project_id = cfg.project\n"
                               "    return c.query('q')\n") == "left: no project id in scope");
  CHECK(inferredProject(head +
                        "    if cfg:\n        project_id = cfg.project\n    return bigquery.Client().query('q')\n") ==
        "left: no project id in scope");
  CHECK(inferredProject(head + "    from settings import project_id\n    return bigquery.Client().query('q')\n") ==
        "project_id=project_id");
}

TEST_CASE("self.project_id counts when assigned earlier in the method, or in __init__ for other methods") {
  std::string cls = std::string(kBqImport) + "\n\nclass Job:\n    def __init__(self, cfg):\n";
  CHECK(inferredProject(cls + "        self.project_id = cfg.project\n        self.client = bigquery.Client()\n") ==
        "project_id=self.project_id");
  // Assigned after the client in __init__: not bound yet when the client is made (an unsafe fix may
  // move an independent assignment up: reorder_test.cpp; not one that reads the client).
  CHECK(inferredProject(cls +
                        "        self.client = bigquery.Client()\n        self.project_id = self.client.project\n") ==
        "left: no project id in scope");
  CHECK(inferredProject(cls + "        self.project_id = cfg.project\n\n    def run(self):\n"
                              "        return bigquery.Client().query('q')\n") == "project_id=self.project_id");
  CHECK(inferredProject(
            cls + "        self.cfg = cfg\n\n    def run(self):\n        return bigquery.Client().query('q')\n") ==
        "left: no project id in scope");
}

TEST_CASE("a module-level PROJECT_ID counts, before the call when the call is at module level") {
  CHECK(inferredProject(std::string(kBqImport) +
                        "PROJECT_ID = 'p'\n\n\ndef f():\n    return bigquery.Client().query('q')\n") ==
        "project_id=PROJECT_ID");
  CHECK(inferredProject(std::string(kBqImport) +
                        "\n\ndef f():\n    return bigquery.Client().query('q')\n\n\nPROJECT_ID = 'p'\n") ==
        "project_id=PROJECT_ID");
  CHECK(inferredProject(std::string(kBqImport) + "from settings import PROJECT_ID\nclient = bigquery.Client()\n") ==
        "project_id=PROJECT_ID");
  CHECK(inferredProject(std::string(kBqImport) + "client = bigquery.Client()\nPROJECT_ID = 'p'\n") ==
        "left: no project id in scope");
  // A function's own PROJECT_ID is a local, not the module's.
  CHECK(inferredProject(std::string(kBqImport) + "PROJECT_ID = 'p'\n\n\ndef f():\n    c = bigquery.Client()\n"
                                                 "    PROJECT_ID = 'q'\n    return c.query('q')\n") ==
        "left: no project id in scope");
}

TEST_CASE("a class body runs at import time: a PROJECT_ID assigned after the class is not bound yet") {
  CHECK(inferredProject(std::string(kBqImport) +
                        "\n\nclass Job:\n    client = bigquery.Client()\n\n\nPROJECT_ID = 'p'\n") ==
        "left: no project id in scope");
}

TEST_CASE("the inferred attribute is read through the method's own first parameter") {
  // `self` is a convention: a method whose first parameter is `this` has no `self`.
  CHECK(inferredProject(std::string(kBqImport) +
                        "\n\nclass Job:\n    def __init__(this, cfg):\n"
                        "        this.project_id = cfg.project\n        this.client = bigquery.Client()\n") ==
        "project_id=this.project_id");
}

TEST_CASE("static and class methods have no self to take the project id from") {
  std::string cls = std::string(kBqImport) + "\n\nclass Job:\n    def __init__(self, cfg):\n"
                                             "        self.project_id = cfg.project\n\n";
  CHECK(
      inferredProject(cls + "    @staticmethod\n    def make(name):\n        return bigquery.Client().query('q')\n") ==
      "left: no project id in scope");
  CHECK(inferredProject(cls + "    @classmethod\n    def make(cls):\n        return bigquery.Client().query('q')\n") ==
        "left: no project id in scope");
}

TEST_CASE("a module-level PROJECT_ID used in a function must be bound on every path through the module") {
  auto in = [](const std::string &module) {
    return inferredProject(std::string(kBqImport) + module + "\n\ndef f():\n    return bigquery.Client().query('q')\n");
  };
  CHECK(in("if __name__ == '__main__':\n    PROJECT_ID = 'p'\n") == "left: no project id in scope");
  CHECK(in("if ENV == 'prod':\n    PROJECT_ID = 'p'\n") == "left: no project id in scope");
  CHECK(in("if ENV == 'prod':\n    PROJECT_ID = 'p'\nelse:\n    PROJECT_ID = 'd'\n") == "project_id=PROJECT_ID");
  CHECK(in("try:\n    PROJECT_ID = os.environ['P']\nexcept KeyError:\n    PROJECT_ID = 'd'\n") ==
        "project_id=PROJECT_ID");
  CHECK(in("try:\n    PROJECT_ID = os.environ['P']\nexcept KeyError:\n    raise SystemExit('P is not set')\n") ==
        "project_id=PROJECT_ID");
  CHECK(in("import sys\ntry:\n    PROJECT_ID = os.environ['P']\nexcept KeyError:\n    sys.exit('P is not set')\n") ==
        "project_id=PROJECT_ID");
  CHECK(in("try:\n    PROJECT_ID = os.environ['P']\nexcept KeyError:\n    log.warning('no project')\n") ==
        "left: no project id in scope");
  CHECK(in("for PROJECT_ID in PROJECTS:\n    pass\n") == "left: no project id in scope");
  CHECK(in("while not ready():\n    PROJECT_ID = poll()\n") == "left: no project id in scope");
  CHECK(in("with open('p.txt') as fh:\n    PROJECT_ID = fh.read()\n") == "left: no project id in scope");
  CHECK(in("PROJECT_ID = 'p'\ndel PROJECT_ID\n") == "left: no project id in scope");
  CHECK(in("if TYPE_CHECKING:\n    from settings import PROJECT_ID\n") == "left: no project id in scope");
  // Only a function that declares it global binds it there: not provable for another function.
  CHECK(in("\n\ndef configure():\n    global PROJECT_ID\n    PROJECT_ID = 'p'\n") == "left: no project id in scope");
  CHECK(inferredProject(std::string(kBqImport) + "\n\ndef f():\n    global PROJECT_ID\n    PROJECT_ID = 'p'\n"
                                                 "    return bigquery.Client().query('q')\n") ==
        "project_id=PROJECT_ID");
}

TEST_CASE("a module-level or class-body call needs PROJECT_ID bound before its statement") {
  CHECK(
      inferredProject(std::string(kBqImport) + "PROJECT_ID = 'p'\n\n\nclass Job:\n    client = bigquery.Client()\n") ==
      "project_id=PROJECT_ID");
  CHECK(inferredProject(std::string(kBqImport) + "if DEBUG:\n    PROJECT_ID = 'p'\nclient = bigquery.Client()\n") ==
        "left: no project id in scope");
  CHECK(inferredProject(std::string(kBqImport) + "PROJECT_ID = 'p'\nif DEBUG:\n    client = bigquery.Client()\n") ==
        "project_id=PROJECT_ID");
}

TEST_CASE("a local project_id must be bound on every path from the function's start to the call") {
  auto in = [](const std::string &body) {
    return inferredProject(std::string(kBqImport) + "\n\ndef f(cfg):\n" + body);
  };
  std::string call = "    client = bigquery.Client()\n    return client.query('q')\n";
  CHECK(in("    if cfg.a:\n        project_id = 'a'\n    elif cfg.b:\n        project_id = 'b'\n    else:\n"
           "        project_id = 'c'\n" +
           call) == "project_id=project_id");
  CHECK(in("    if cfg.a:\n        project_id = 'a'\n    elif cfg.b:\n        project_id = 'b'\n" + call) ==
        "left: no project id in scope");
  CHECK(in("    if not cfg:\n        return None\n    project_id = cfg.project\n" + call) == "project_id=project_id");
  CHECK(in("    if cfg:\n        project_id = cfg.project\n    else:\n        raise ValueError('no cfg')\n" + call) ==
        "project_id=project_id");
  CHECK(in("    try:\n        project_id = cfg['p']\n    except KeyError:\n        project_id = 'd'\n" + call) ==
        "project_id=project_id");
  CHECK(in("    try:\n        project_id = cfg['p']\n    except KeyError:\n        pass\n" + call) ==
        "left: no project id in scope");
  CHECK(in("    try:\n        load(cfg)\n    except KeyError:\n        return None\n    else:\n        project_id = "
           "cfg.p\n" +
           call) == "project_id=project_id");
  CHECK(in("    try:\n        load(cfg)\n    finally:\n        project_id = cfg.p\n" + call) ==
        "project_id=project_id");
  CHECK(in("    for project_id in cfg.projects:\n        pass\n" + call) == "left: no project id in scope");
  CHECK(in("    for project_id in cfg.projects:\n        c = bigquery.Client()\n        c.query('q')\n") ==
        "project_id=project_id");
  CHECK(in("    while True:\n        project_id = cfg.next()\n        if project_id:\n            break\n" + call) ==
        "project_id=project_id");
  CHECK(in("    with cfg.lock:\n        project_id = cfg.p\n" + call) == "left: no project id in scope");
  CHECK(in("    with cfg.lock:\n        project_id = cfg.p\n        c = bigquery.Client()\n        c.query('q')\n") ==
        "project_id=project_id");
  CHECK(in("    match cfg:\n        case {'project': project_id}:\n            pass\n        case _:\n"
           "            project_id = 'd'\n" +
           call) == "project_id=project_id");
  CHECK(in("    match cfg:\n        case {'project': project_id}:\n            pass\n" + call) ==
        "left: no project id in scope");
  CHECK(in("    project_id = cfg.p\n    del project_id\n" + call) == "left: no project id in scope");
}

TEST_CASE("self.NAME: read through the method's own instance parameter, never in a static or class method") {
  std::string cls = std::string(kBqImport) + "import builtins\n\n\nclass Job:\n    def __init__(self, cfg):\n"
                                             "        self.project_id = cfg.project\n\n";
  CHECK(inferredProject(
            cls + "    @builtins.staticmethod\n    def make(me):\n        return bigquery.Client().query('q')\n") ==
        "left: no project id in scope");
  CHECK(inferredProject(cls + "    def __new__(cls):\n        return bigquery.Client().query('q')\n") ==
        "left: no project id in scope");
  CHECK(inferredProject(cls + "    @property\n    def rows(me):\n        return bigquery.Client().query('q')\n") ==
        "project_id=me.project_id");
  // A nested function or lambda that closes over the instance unchanged.
  CHECK(inferredProject(cls +
                        "    def run(self):\n        def load():\n            return bigquery.Client().query('q')\n"
                        "        return load()\n") == "project_id=self.project_id");
  CHECK(inferredProject(cls + "    def run(self):\n        return (lambda: bigquery.Client().query('q'))()\n") ==
        "project_id=self.project_id");
  CHECK(inferredProject(cls +
                        "    def run(self):\n        def load(self):\n            return bigquery.Client().query('q')\n"
                        "        return load(other)\n") == "left: no project id in scope");
  CHECK(inferredProject(cls + "    def run(self, jobs):\n        for self in jobs:\n            pass\n"
                              "        return bigquery.Client().query('q')\n") == "left: no project id in scope");
}

TEST_CASE("self.NAME in the same method: assigned on every path before the call") {
  std::string cls = std::string(kBqImport) + "\n\nclass Job:\n    def run(self, cfg):\n";
  std::string call = "        c = bigquery.Client()\n        return c.query('q')\n";
  CHECK(inferredProject(cls + "        if cfg:\n            self.project_id = cfg.p\n" + call) ==
        "left: no project id in scope");
  CHECK(inferredProject(cls +
                        "        if cfg:\n            self.project_id = cfg.p\n        else:\n"
                        "            self.project_id = 'd'\n" +
                        call) == "project_id=self.project_id");
  // A nested function can run whenever it is called: only what is bound where it is defined counts.
  CHECK(inferredProject(cls + "        def load():\n            return bigquery.Client().query('q')\n"
                              "        self.project_id = cfg.p\n        return load()\n") ==
        "left: no project id in scope");
}

TEST_CASE("self.NAME from __init__: on every path, before anything that could run other methods") {
  std::string cls = std::string(kBqImport) + "\n\nclass Job:\n    def __init__(self, cfg):\n";
  std::string run = "\n    def run(self):\n        return bigquery.Client().query('q')\n";
  CHECK(inferredProject(cls + "        if cfg:\n            self.project_id = cfg.p\n" + run) ==
        "left: no project id in scope");
  CHECK(inferredProject(cls + "        self.project_id = cfg.p if cfg else 'd'\n" + run) ==
        "project_id=self.project_id");
  CHECK(inferredProject(cls + "        self.setup()\n        self.project_id = cfg.p\n" + run) ==
        "left: no project id in scope");
  CHECK(inferredProject(cls + "        register(self)\n        self.project_id = cfg.p\n" + run) ==
        "left: no project id in scope");
  CHECK(inferredProject(cls + "        threading.Thread(target=self.run).start()\n        self.project_id = cfg.p\n" +
                        run) == "left: no project id in scope");
  CHECK(inferredProject(cls + "        self.project_id = cfg.p\n        self.setup()\n" + run) ==
        "project_id=self.project_id");
  CHECK(inferredProject(cls + "        self.name = cfg.name\n        self.project_id = cfg.p\n" + run) ==
        "project_id=self.project_id");
  CHECK(inferredProject(cls + "        if not cfg:\n            return\n        self.project_id = cfg.p\n" + run) ==
        "left: no project id in scope");
}

TEST_CASE("the hook names the class when the base __init__ provably runs before the site can") {
  std::string head = std::string(kBqImport) + "\n\nclass Job(Base):\n";
  std::string run = "\n    def run(self):\n        return bigquery.Client().query('q')\n";
  auto hook = [](const model::Verdict &v) { return v.hookClass.empty() ? "" : v.hookClass + "." + v.hookAttr; };
  CHECK(hook(verdictOf(head + "    def __init__(self, cfg):\n        super().__init__(cfg)\n" + run)) ==
        "Job.project_id");
  CHECK(hook(verdictOf(head +
                       "    def __init__(self, cfg):\n        self.cfg = cfg  # plain\n"
                       "        Base.__init__(self, cfg)\n        self.setup()\n" +
                       run)) == "Job.project_id");
  CHECK(hook(verdictOf(head + "    batch = 10\n" + run)) == "Job.project_id"); // an inherited __init__
  // Another method may run first, the base __init__ may not run, or the site is in __init__ itself
  // (decided with the class's overrides): no hook for the class index, only the note.
  for (const char *init : {"    def __init__(self, cfg):\n        self.setup()\n        super().__init__(cfg)\n",
                           "    def __init__(self, cfg):\n        register(self)\n        super().__init__(cfg)\n",
                           "    def __init__(self, cfg):\n        if cfg:\n            super().__init__(cfg)\n",
                           "    def __init__(self, cfg):\n        if not cfg:\n            return\n"
                           "        super().__init__(cfg)\n"}) {
    model::Verdict v = verdictOf(head + init + run);
    CHECK_MESSAGE(hook(v).empty(), init);
    CHECK(v.outcome == Outcome::LeftMissing);
  }
  CHECK(hook(verdictOf(head + "    def __init__(self, cfg):\n        super().__init__(cfg)\n"
                              "        self.client = bigquery.Client()\n")) == "");
  CHECK(hook(verdictOf(std::string(kBqImport) + "\n\ndef make():\n    class Job(Base):\n" +
                       "        def run(self):\n            return bigquery.Client().query('q')\n")) == "");
}

TEST_CASE("self.NAME a base __init__ may assign is left for the class index, with a hook in the verdict") {
  std::string head = std::string(kBqImport) + "\n\nclass Job(Base):\n";
  std::string run = "\n    def run(self):\n        return bigquery.Client().query('q')\n";
  model::Verdict v = verdictOf(head + "    def __init__(self, cfg):\n        super().__init__(cfg)\n" + run);
  CHECK(v.outcome == Outcome::LeftMissing);
  CHECK(v.baseMayProvide == "self.project_id");
  // super().__init__() before the assignment: the base may call run() first.
  v = verdictOf(head +
                "    def __init__(self, cfg):\n        super().__init__(cfg)\n        self.project_id = cfg.p\n" + run);
  CHECK(v.outcome == Outcome::LeftMissing);
  CHECK(v.baseMayProvide == "self.project_id");
  v = verdictOf(head + "    def __init__(self, cfg):\n        Base.__init__(self, cfg)\n" + run);
  CHECK(v.baseMayProvide == "self.project_id");
  v = verdictOf(head + "    batch = 10\n" + run);
  CHECK(v.baseMayProvide == "self.project_id");
  v = verdictOf(head + "    def __init__(self, cfg):\n        super().__init__(cfg)\n"
                       "        self.client = bigquery.Client()\n        self.client.query('q')\n");
  CHECK(v.baseMayProvide == "self.project_id");
  // No base __init__ in reach: no hook.
  v = verdictOf(std::string(kBqImport) + "\n\nclass Job:\n    def __init__(self, cfg):\n        self.cfg = cfg\n" +
                run);
  CHECK(v.baseMayProvide.empty());
  v = verdictOf(head + "    def __init__(self, cfg):\n        self.cfg = cfg\n" + run);
  CHECK(v.baseMayProvide.empty());
}

TEST_CASE("with when_missing: omit a call without a project is rewritten without one") {
  testing::TempDir dir;
  std::string rule = dir.write("bq.yaml", R"(id: bigquery
triggers: [bigquery]
rewrites:
  - match: [google.cloud.bigquery.Client]
    replace: {module: shared.clients.bigquery_pool, function: get_bigquery_client}
    arguments:
      - from: project
        position: 1
        to: project_id
        required: true
        infer: [param project_id]
        when_missing: omit
)");
  auto rules = rules::loadRules({rule});
  REQUIRE(static_cast<bool>(rules));
  model::Verdict v =
      verdictOf(std::string(kBqImport) + "\n\ndef f():\n    return bigquery.Client().query('q')\n", "job.py", *rules);
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.inferred.empty());
  CHECK(v.notes.empty());
  CHECK(v.callee == "get_bigquery_client");
}

TEST_CASE("a site in the removals map becomes a removal with its note") {
  std::string src = std::string(kBqImport) + "\n\nclass Child(Base):\n    def __init__(self):\n"
                                             "        super().__init__()\n        self.bq_client = bigquery.Client()\n"
                                             "        self.other = bigquery.Client\n";
  Analyzed probe(src, shippedRules());
  REQUIRE(probe.sites.size() == 2);
  model::Removal r{"bq_client: pooled client inherited from Base",
                   "removed: redundant with the pooled bq_client inherited from Base", ""};
  std::map<uint32_t, model::Removal> removals{{py::start(probe.sites[0].callee), r},
                                              {py::start(probe.sites[1].callee), r}};
  Analyzed a(src, shippedRules(), "job.py", removals);
  CHECK(a.verdicts[0].outcome == Outcome::Removed);
  CHECK(a.verdicts[0].removal.comment == r.comment);
  CHECK(a.verdicts[0].notes == std::vector<std::string>{r.note});
  // A reference is not a construction: it cannot be a redundant override.
  CHECK(a.verdicts[1].outcome == Outcome::Left);
  CHECK(a.verdicts[1].reason == "reference to google.cloud.bigquery.Client is not a call");
}

TEST_CASE("one verdict per site, in site order") {
  Analyzed a(std::string(kBqImport) + "import requests\nPROJECT_ID = 'p'\nx = bigquery.Client(credentials=c)\n"
                                      "y = requests.get('u')\nz = bigquery.Client()\n",
             shippedRules());
  REQUIRE(a.verdicts.size() == 3);
  CHECK(a.verdicts[0].reason == "keyword 'credentials' is not supported by the pool");
  CHECK(a.verdicts[1].callee == "get");
  CHECK(a.verdicts[2].notes.front() == "project_id from PROJECT_ID");
}

namespace {
model::Verdict verdictIn(const std::string &src, bool unsafeFixes) {
  testing::Parsed p(src);
  auto sites = analysis::findSites(p.tree, p.model, shippedRules());
  analysis::FileContext context;
  context.unsafeFixes = unsafeFixes;
  auto verdicts = analysis::decideSites(p.tree, p.model, sites, "job.py", p.lines, context);
  REQUIRE(verdicts.size() == 1);
  return verdicts.front();
}
} // namespace

TEST_CASE("an argument taken from scope is an unsafe fix: reported by a plain run, applied with --unsafe-fixes") {
  std::string src =
      std::string(kBqImport) + "PROJECT_ID = 'p'\n\n\ndef run():\n    return bigquery.Client().query('q')\n";
  model::Verdict plain = verdictIn(src, false);
  CHECK(plain.outcome == Outcome::Unsafe);
  CHECK(plain.unsafe == "project_id=PROJECT_ID is taken from scope, but bigquery.Client() without project= used the "
                        "library's default, which may differ");
  CHECK(plain.notes.back() == "unsafe fix, applied with --unsafe-fixes: " + plain.unsafe);
  CHECK(plain.callee == "get_bigquery_client"); // what --unsafe-fixes would write
  model::Verdict applied = verdictIn(src, true);
  CHECK(applied.outcome == Outcome::Rewritten);
  CHECK(applied.unsafe == plain.unsafe);
  CHECK(applied.notes.back() == "unsafe fix applied: " + plain.unsafe);
}

TEST_CASE("an explicit project is a safe fix") {
  model::Verdict v =
      verdictIn(std::string(kBqImport) + "\n\ndef run(p):\n    return bigquery.Client(project=p).query('q')\n", false);
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(v.unsafe.empty());
  CHECK(v.notes.empty());
}

TEST_CASE("a rewrite the rule declares unsafe (a POST through a retrying session) is an unsafe fix") {
  std::string src = "import requests\n\n\ndef send(u, p):\n    return requests.post(u, json=p)\n";
  model::Verdict v = verdictIn(src, false);
  CHECK(v.outcome == Outcome::Unsafe);
  CHECK(v.unsafe.find("POST is not idempotent") == 0);
  CHECK(verdictIn(src, true).outcome == Outcome::Rewritten);
  CHECK(verdictIn("import requests\n\n\ndef get(u):\n    return requests.get(u)\n", false).outcome ==
        Outcome::Rewritten);
}

TEST_CASE("project=None is no project: taken from scope as an unsafe fix, or left, and said so") {
  const std::string none = "project=None is taken as no project given (the library's default)";
  model::Verdict v =
      verdictOf(std::string(kBqImport) + "PROJECT_ID = 'p'\nc = bigquery.Client(project=None, location='EU')\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(args(v.inferred) == "project_id=PROJECT_ID");
  CHECK(changes(v) == "0:project_id=PROJECT_ID"); // in place of `project=None`
  CHECK(args(v.args) == "location='EU'");
  CHECK(v.notes ==
        std::vector<std::string>{none, "project_id from PROJECT_ID",
                                 "unsafe fix applied: project_id=PROJECT_ID is taken from scope, but "
                                 "bigquery.Client(project=None) used the library's default, which may differ"});
  v = verdictOf(std::string(kBqImport) + "c = bigquery.Client(None)\n");
  CHECK(v.outcome == Outcome::LeftMissing);
  CHECK(v.reason == "no project id in scope");
  CHECK(v.notes == std::vector<std::string>{none, "left: no project id in scope"});
  // Not silently project_id=None in a plain run either: an unsafe fix.
  Analyzed plain(std::string(kBqImport) + "\n\ndef f(project_id):\n    bigquery.Client(project=None).query('q')\n",
                 shippedRules());
  REQUIRE(plain.verdicts.size() == 1);
  CHECK(plain.verdicts[0].outcome == Outcome::Rewritten);
  CHECK(plain.rewritten() == "from shared.clients.bigquery_pool import get_bigquery_client\n\n\ndef f(project_id):\n"
                             "    get_bigquery_client(project_id=project_id).query('q')\n");
  // An argument the pool does not need may be None: it passes through.
  v = verdictOf(std::string(kBqImport) + "c = bigquery.Client(project='p', location=None)\n");
  CHECK(v.outcome == Outcome::Rewritten);
  CHECK(args(v.args) == "project_id='p', location=None");
  CHECK(v.notes.empty());
}

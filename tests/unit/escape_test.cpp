// A client or session that would become the shared pooled object is left when this code hands it
// out (passes, registers, returns, yields or stores it), closes it or configures it, also through
// simple aliases; using it as the receiver of ordinary method calls is fine.
#include "testing.h"

#include <doctest/doctest.h>

using namespace poolify;
using model::Outcome;
using testing::Analyzed;
using testing::shippedRules;

namespace {

// The verdict on the first site of `src`: "rewritten", or "left: <reason>".
std::string fate(const std::string &src) {
  Analyzed a(src, shippedRules());
  REQUIRE_MESSAGE(!a.verdicts.empty(), "no site in: " << src);
  const model::Verdict &v = a.verdicts.front();
  return v.outcome == Outcome::Rewritten ? "rewritten" : "left: " + v.reason;
}

// A function `f` with a BigQuery client `c` made on line 6, then `body`.
std::string bq(const std::string &body) {
  return "from google.cloud import bigquery\nimport atexit\nimport threading\n\n\ndef f(project_id, helper, d, "
         "other):\n"
         "    c = bigquery.Client(project=project_id)\n" +
         body;
}

const char *kTail = ", and a shared client must not be handed out";

} // namespace

TEST_CASE("escape: method calls on the client are ordinary uses") {
  CHECK(fate(bq("    rows = c.query('q').result()\n    c.load_table_from_json([], 't')\n    log(c.project)\n")) ==
        "rewritten");
  CHECK(fate(bq("    if isinstance(c, bigquery.Client) and c is not None:\n        print(repr(c), f'{c}')\n")) ==
        "rewritten");
  CHECK(fate(bq("    for row in c.list_rows('t'):\n        helper(row)\n")) == "rewritten");
}

TEST_CASE("escape: passed to a call, registered, returned, yielded") {
  CHECK(fate(bq("    helper(c)\n")) == "left: client is passed to helper() at line 8" + std::string(kTail));
  CHECK(fate(bq("    threading.Thread(target=work, args=(c,)).start()\n")) ==
        "left: client is passed to threading.Thread() at line 8" + std::string(kTail));
  CHECK(fate(bq("    other.use(client=c)\n")) ==
        "left: client is passed to other.use() at line 8" + std::string(kTail));
  CHECK(fate(bq("    atexit.register(c.close)\n")) ==
        "left: client.close is passed to atexit.register() at line 8" + std::string(kTail));
  CHECK(fate(bq("    return c\n")) == "left: client is returned at line 8" + std::string(kTail));
  CHECK(fate(bq("    return c if c else None\n")) == "left: client is returned at line 8" + std::string(kTail));
  CHECK(fate(bq("    yield c\n")) == "left: client is yielded at line 8" + std::string(kTail));
  CHECK(fate(bq("    return lambda: c\n")) == "left: client is returned at line 8" + std::string(kTail));
  CHECK(fate("from google.cloud import bigquery\n\n\ndef f(p):\n    return bigquery.Client(project=p)\n") ==
        "left: client is returned at line 5" + std::string(kTail));
  CHECK(fate("from google.cloud import bigquery\n\n\ndef f(p, helper):\n    helper(bigquery.Client(project=p))\n") ==
        "left: client is passed to helper() at line 5" + std::string(kTail));
}

TEST_CASE("escape: stored in a container or in another object") {
  CHECK(fate(bq("    d['bq'] = c\n")) == "left: client is stored in d['bq'] at line 8" + std::string(kTail));
  CHECK(fate(bq("    other.client = c\n")) == "left: client is stored in other.client at line 8" + std::string(kTail));
  CHECK(fate(bq("    clients = [c]\n")) == "left: client is stored in a container at line 8" + std::string(kTail));
  CHECK(fate(bq("    pair = (c, 1)\n")) == "left: client is stored in a container at line 8" + std::string(kTail));
  CHECK(fate(bq("    d.clients += [c]\n")) == "left: client is stored in a container at line 8" + std::string(kTail));
  std::string cls = "from google.cloud import bigquery\n\n\nclass Pool:\n    def __init__(self, project_id):\n"
                    "        self.clients = []\n        c = bigquery.Client(project=project_id)\n";
  CHECK(fate(cls + "        self.clients.append(c)\n") ==
        "left: client is passed to self.clients.append() at line 8" + std::string(kTail));
  CHECK(fate("from google.cloud import bigquery\n\n\nclass Job:\n    def __init__(self, p, registry):\n"
             "        registry.clients['job'] = bigquery.Client(project=p)\n") ==
        "left: client is stored in registry.clients['job'] at line 6" + std::string(kTail));
}

TEST_CASE("escape: simple aliases are followed, to the instance too") {
  CHECK(fate(bq("    a = c\n    b = a\n    helper(b)\n")) ==
        "left: client is passed to helper() at line 10" + std::string(kTail));
  CHECK(fate(bq("    a = c or None\n    return a\n")) == "left: client is returned at line 9" + std::string(kTail));
  CHECK(fate(bq("    if (a := c):\n        a.close()\n")) ==
        "left: client is closed by this code (.close() at line 9)");
  CHECK(fate(bq("    a = c\n    with a:\n        a.query('q')\n")) ==
        "left: client is closed by this code (with statement at line 9)");
  CHECK(fate(bq("    a = c\n    a.query('q')\n")) == "rewritten");
  std::string cls = "from google.cloud import bigquery\n\n\nclass Job:\n    def __init__(self, p):\n"
                    "        c = bigquery.Client(project=p)\n        self.bq = c\n\n";
  CHECK(fate(cls + "    def run(me):\n        return me.bq.query('q')\n") == "rewritten");
  CHECK(fate(cls + "    def client(me):\n        return me.bq\n") ==
        "left: client is returned at line 10" + std::string(kTail));
  CHECK(fate(cls + "    def stop(me):\n        me.bq.close()\n") ==
        "left: client is closed by this code (.close() at line 10)");
  // A module-level client used in a function.
  CHECK(fate("from google.cloud import bigquery\nCLIENT = bigquery.Client(project='p')\n\n\ndef client():\n"
             "    return CLIENT\n") == "left: client is returned at line 6" + std::string(kTail));
}

TEST_CASE("escape: a client this code configures is left, through an alias too") {
  CHECK(fate(bq("    c.default_query_job_config = cfg\n")) ==
        "left: client is configured by this code (.default_query_job_config at line 8)");
  CHECK(fate(bq("    a = c\n    del a.project\n")) == "left: client is configured by this code (.project at line 9)");
  std::string http = "import requests\n\n\ndef f(token):\n    session = requests.Session()\n";
  CHECK(fate(http + "    s = session\n    s.headers['Authorization'] = token\n    return s.get('u')\n") ==
        "left: session is configured by this code (.headers at line 7)");
  CHECK(fate(http + "    session.verify = False\n    session.get('u')\n") ==
        "left: session is configured by this code (.verify at line 6)");
  CHECK(fate(http + "    session.max_retries_seen = 0\n    session.get('u')\n") ==
        "left: session is configured by this code (.max_retries_seen at line 6)");
  CHECK(fate(http + "    return session.get('u').json()\n") == "rewritten");
}

TEST_CASE("escape: a response is not the pooled object: what happens to it is its own business") {
  CHECK(fate("import requests\n\n\ndef f(u, helper):\n    r = requests.get(u)\n    r.encoding = 'utf-8'\n"
             "    helper(r)\n    return r\n") == "rewritten");
}

TEST_CASE("escape: a handed-out client is left even when no project is in scope (it asks for more than a pool)") {
  Analyzed a("from google.cloud import bigquery\n\n\ndef make():\n    return bigquery.Client()\n", shippedRules());
  REQUIRE(a.verdicts.size() == 1);
  CHECK(a.verdicts[0].outcome == Outcome::Left);
  CHECK(a.verdicts[0].reason == "client is returned at line 5" + std::string(kTail));
  // Arguments the pool cannot take are said first.
  CHECK(
      fate(
          "from google.cloud import bigquery\n\n\ndef make(creds):\n    return bigquery.Client(credentials=creds)\n") ==
      "left: keyword 'credentials' is not supported by the pool");
}

// The rewriter carries out verdicts as minimal edits: the call becomes the pooled call, the pool
// import goes where Python needs it, the old import goes when nothing uses it any more, and a
// redundant override leaves one comment line. Everything else stays byte for byte.
#include "testing.h"

#include "rewrite/imports.h"

#include <doctest/doctest.h>

using namespace poolify;
using testing::Analyzed;
using testing::shippedRules;

namespace {

// The text after the rewrite; a second rewrite of it must change nothing.
std::string migrate(const std::string &src) {
  std::string once = testing::migrated(src);
  CHECK_MESSAGE(testing::migrated(once) == once, "a second run changes the result of:\n" << src);
  Analyzed after(once, shippedRules());
  CHECK_MESSAGE(!after.tree.firstError(), "the result does not parse:\n" << once);
  return once;
}

} // namespace

TEST_CASE("the callee becomes the pooled function and the project id goes first") {
  CHECK(migrate("from google.cloud import bigquery\n\nPROJECT_ID = 'p'\n\n\ndef f():\n    return "
                "bigquery.Client().query('q')\n") ==
        "from shared.clients.bigquery_pool import get_bigquery_client\n\nPROJECT_ID = 'p'\n\n\n"
        "def f():\n    return get_bigquery_client(project_id=PROJECT_ID).query('q')\n");
  CHECK(migrate("from google.cloud import bigquery\n\n\ndef f(project_id):\n    return "
                "bigquery.Client(location=\"US\").query('q')\n") ==
        "from shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
        "def f(project_id):\n    return get_bigquery_client(project_id=project_id, location=\"US\").query('q')\n");
}

TEST_CASE("keywords are renamed and positional arguments named in place, comments and line breaks kept") {
  CHECK(migrate("from google.cloud import bigquery\nc = bigquery.Client('p')\nd = bigquery.Client(project='q')\n") ==
        "from shared.clients.bigquery_pool import get_bigquery_client\nc = get_bigquery_client(project_id='p')\n"
        "d = get_bigquery_client(project_id='q')\n");
  CHECK(migrate("from google.cloud import bigquery\nc = bigquery.Client(  # main project\n"
                "    project=\"p\",  # keep\n    location=\"EU\",\n)\n") ==
        "from shared.clients.bigquery_pool import get_bigquery_client\nc = get_bigquery_client(  # main project\n"
        "    project_id=\"p\",  # keep\n    location=\"EU\",\n)\n");
}

TEST_CASE("an inferred argument before a first argument on its own line gets its own line") {
  CHECK(
      migrate("from google.cloud import bigquery\nPROJECT_ID = 'p'\nc = bigquery.Client(\n    location=\"EU\",\n)\n") ==
      "from shared.clients.bigquery_pool import get_bigquery_client\nPROJECT_ID = 'p'\n"
      "c = get_bigquery_client(\n    project_id=PROJECT_ID,\n    location=\"EU\",\n)\n");
}

TEST_CASE("inserted lines use the file's line ending") {
  CHECK(migrate("import os\r\nfrom google.cloud import bigquery\r\nimport requests\r\n\r\nPROJECT_ID = 'p'\r\n"
                "c = bigquery.Client()\r\nrequests.get('u')\r\n") ==
        "import os\r\nfrom shared.clients.bigquery_pool import get_bigquery_client\r\n"
        "from shared.clients.http_pool import get\r\n\r\nPROJECT_ID = 'p'\r\n"
        "c = get_bigquery_client(project_id=PROJECT_ID)\r\nget('u')\r\n");
}

TEST_CASE("at module level the import goes after the top import block") {
  CHECK(
      migrate(
          "\"\"\"Loader.\"\"\"\nfrom __future__ import annotations\n\nimport os\n\nfrom google.cloud import bigquery\n"
          "# project helpers\nfrom common.config import PROJECT_ID\n\nTABLE = os.environ['T']\n\n\n"
          "def f():\n    return bigquery.Client().query('q')\n") ==
      "\"\"\"Loader.\"\"\"\nfrom __future__ import annotations\n\nimport os\n\n"
      "# project helpers\nfrom common.config import PROJECT_ID\nfrom shared.clients.bigquery_pool import "
      "get_bigquery_client\n"
      "\nTABLE = os.environ['T']\n\n\ndef f():\n    return get_bigquery_client(project_id=PROJECT_ID).query('q')\n");
}

TEST_CASE("the pool import goes after the last module-level import before the use, below a sys.path change") {
  CHECK(migrate(
            "import os\nimport sys\n\nsys.path.insert(0, 'vendor')\n\nfrom google.cloud import bigquery  # noqa: E402\n"
            "from common.config import PROJECT_ID  # noqa: E402\n\n\ndef f():\n    return "
            "bigquery.Client().query('q')\n") ==
        "import os\nimport sys\n\nsys.path.insert(0, 'vendor')\n\n"
        "from common.config import PROJECT_ID  # noqa: E402\n"
        "from shared.clients.bigquery_pool import get_bigquery_client\n\n\ndef f():\n"
        "    return get_bigquery_client(project_id=PROJECT_ID).query('q')\n");
  // Imports first, the path change after them: the pool import follows the change.
  CHECK(migrate("import sys\nfrom google.cloud import bigquery\nsys.path.append('lib')\n\n\ndef f(p):\n"
                "    return bigquery.Client(project=p).query('q')\n") ==
        "import sys\nsys.path.append('lib')\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\n\n"
        "def f(p):\n    return get_bigquery_client(project_id=p).query('q')\n");
}

TEST_CASE("two names from the pool module at one place come in one import, sorted as isort sorts them") {
  CHECK(migrate("import requests\n\n\ndef f(u):\n    requests.put(u)\n    return requests.get(u)\n") ==
        "from shared.clients.http_pool import get, get_http_session\n\n\n"
        "def f(u):\n    get_http_session().put(u)\n    return get(u)\n");
}

TEST_CASE("a lazy import joined to its use with ';' is replaced in place, so it runs first") {
  CHECK(migrate("def f(p):\n    from google.cloud import bigquery; return bigquery.Client(project=p).query('q')\n") ==
        "def f(p):\n    from shared.clients.bigquery_pool import get_bigquery_client; "
        "return get_bigquery_client(project_id=p).query('q')\n");
  // The old import still used: the pool import follows it on the line.
  CHECK(migrate("def f(p):\n    from google.cloud import bigquery; c = bigquery.Client(project=p); "
                "return c.query('q'), bigquery.Table\n") ==
        "def f(p):\n    from google.cloud import bigquery; from shared.clients.bigquery_pool import "
        "get_bigquery_client; c = get_bigquery_client(project_id=p); return c.query('q'), bigquery.Table\n");
}

TEST_CASE("a lazy import gets the pool import beside it, at its indentation") {
  CHECK(
      migrate("def f(rows, project_id):\n    if rows:\n        from google.cloud import bigquery\n\n"
              "        client = bigquery.Client()\n        return client.query('q')\n") ==
      "def f(rows, project_id):\n    if rows:\n        from shared.clients.bigquery_pool import get_bigquery_client\n\n"
      "        client = get_bigquery_client(project_id=project_id)\n        return client.query('q')\n");
  CHECK(migrate("import os\n\ntry:\n    from google.cloud import bigquery\nexcept ImportError:\n    bigquery = None\n\n"
                "PROJECT_ID = 'p'\n\n\ndef f():\n    return bigquery.Client().query('q')\n") ==
        "import os\n\ntry:\n    from shared.clients.bigquery_pool import get_bigquery_client\nexcept ImportError:\n"
        "    bigquery = None\n\nPROJECT_ID = 'p'\n\n\ndef f():\n    return "
        "get_bigquery_client(project_id=PROJECT_ID).query('q')\n");
}

TEST_CASE("two lazy imports in two functions each get their own pool import") {
  CHECK(
      migrate("def a(project_id):\n    from google.cloud import bigquery\n    return bigquery.Client().query('q')\n\n\n"
              "def b(project_id):\n    from google.cloud import bigquery\n    return bigquery.Client().query('q')\n") ==
      "def a(project_id):\n    from shared.clients.bigquery_pool import get_bigquery_client\n"
      "    return get_bigquery_client(project_id=project_id).query('q')\n\n\n"
      "def b(project_id):\n    from shared.clients.bigquery_pool import get_bigquery_client\n"
      "    return get_bigquery_client(project_id=project_id).query('q')\n");
}

TEST_CASE("an import after a compound header's colon gets the pool import on the same line") {
  CHECK(migrate("def f(project_id, lazy):\n    if lazy: from google.cloud import bigquery\n    return "
                "bigquery.Client().query('q')\n") ==
        "def f(project_id, lazy):\n    if lazy: from shared.clients.bigquery_pool import get_bigquery_client\n"
        "    return get_bigquery_client(project_id=project_id).query('q')\n");
}

TEST_CASE("an existing module-level import of the pool module takes the name") {
  CHECK(migrate("import os\n\nfrom google.cloud import bigquery\nfrom shared.clients.bigquery_pool import "
                "close_all_clients\n\n"
                "PROJECT_ID = 'p'\n\n\ndef main():\n    c = bigquery.Client()\n    close_all_clients()\n") ==
        "import os\n\nfrom shared.clients.bigquery_pool import close_all_clients, get_bigquery_client\n\n"
        "PROJECT_ID = 'p'\n\n\ndef main():\n    c = get_bigquery_client(project_id=PROJECT_ID)\n    "
        "close_all_clients()\n");
}

TEST_CASE("a name already imported from the pool gets no second import") {
  CHECK(migrate("from google.cloud import bigquery\nfrom shared.clients.bigquery_pool import get_bigquery_client\n"
                "a = get_bigquery_client(project_id='p')\nb = bigquery.Client('q')\n") ==
        "from shared.clients.bigquery_pool import get_bigquery_client\n"
        "a = get_bigquery_client(project_id='p')\nb = get_bigquery_client(project_id='q')\n");
}

TEST_CASE("a taken name is reached through the pool module, imported from its package") {
  CHECK(
      migrate("import requests\n\n\ndef get(key):\n    return key\n\n\ndef fetch(u):\n    return requests.get(u)\n") ==
      "from shared.clients import http_pool\n\n\ndef get(key):\n    return key\n\n\n"
      "def fetch(u):\n    return http_pool.get(u)\n");
}

TEST_CASE("several pool imports at one place come in isort's order, not the order of the sites that needed them") {
  CHECK(
      migrate("import requests\nfrom google.cloud import bigquery, storage\n\nPROJECT_ID = 'p'\n"
              "s = storage.Client()\nr = requests.get('u')\nb = bigquery.Client()\n") ==
      "from shared.clients.bigquery_pool import get_bigquery_client\nfrom shared.clients.http_pool import get\n"
      "from shared.clients.storage_pool import get_storage_client\n\nPROJECT_ID = 'p'\n"
      "s = get_storage_client(project_id=PROJECT_ID)\nr = get('u')\nb = get_bigquery_client(project_id=PROJECT_ID)\n");
}

TEST_CASE("of a multi-name import only the unused name goes, with its comma") {
  CHECK(
      migrate(
          "from google.cloud import bigquery, storage\nPROJECT_ID = 'p'\nb = bigquery.Client()\ns = storage.Blob\n") ==
      "from google.cloud import storage\nfrom shared.clients.bigquery_pool import get_bigquery_client\nPROJECT_ID = "
      "'p'\n"
      "b = get_bigquery_client(project_id=PROJECT_ID)\ns = storage.Blob\n");
  CHECK(
      migrate(
          "from google.cloud import storage, bigquery\nPROJECT_ID = 'p'\nb = bigquery.Client()\ns = storage.Blob\n") ==
      "from google.cloud import storage\nfrom shared.clients.bigquery_pool import get_bigquery_client\nPROJECT_ID = "
      "'p'\n"
      "b = get_bigquery_client(project_id=PROJECT_ID)\ns = storage.Blob\n");
  CHECK(migrate("from google.cloud import (\n    bigquery,\n    storage,\n)\nPROJECT_ID = 'p'\nb = "
                "bigquery.Client()\ns = storage.Blob\n") ==
        "from google.cloud import (\n    storage,\n)\nfrom shared.clients.bigquery_pool import get_bigquery_client\n"
        "PROJECT_ID = 'p'\nb = get_bigquery_client(project_id=PROJECT_ID)\ns = storage.Blob\n");
}

TEST_CASE("an import group emptied by the rewrite takes one blank line with it") {
  CHECK(
      migrate(
          "import json\nimport os\n\nfrom google.cloud import bigquery\n\nfrom pipeline.transform import normalize\n\n"
          "PROJECT_ID = os.environ.get('GCP_PROJECT')\n\n\ndef ingest(e):\n    bigquery.Client().insert_rows_json('t', "
          "[normalize(e)])\n") ==
      "import json\nimport os\n\nfrom pipeline.transform import normalize\n"
      "from shared.clients.bigquery_pool import get_bigquery_client\n\n"
      "PROJECT_ID = os.environ.get('GCP_PROJECT')\n\n\ndef ingest(e):\n"
      "    get_bigquery_client(project_id=PROJECT_ID).insert_rows_json('t', [normalize(e)])\n");
}

TEST_CASE("a block left empty by a removed import gets pass") {
  CHECK(migrate("import os\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\ntry:\n"
                "    from google.cloud import bigquery\nexcept ImportError:\n    bigquery = None\n\nPROJECT_ID = 'p'\n"
                "c = bigquery.Client(project=PROJECT_ID)\n") ==
        "import os\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\ntry:\n"
        "    pass\nexcept ImportError:\n    bigquery = None\n\nPROJECT_ID = 'p'\n"
        "c = get_bigquery_client(project_id=PROJECT_ID)\n");
}

TEST_CASE("the old import stays while anything still uses it") {
  std::string tail = "\nPROJECT_ID = 'p'\n\n\ndef f():\n    return bigquery.Client().query('q')\n";
  std::string rewrittenTail =
      "\nPROJECT_ID = 'p'\n\n\ndef f():\n    return get_bigquery_client(project_id=PROJECT_ID).query('q')\n";
  std::string kept =
      "from google.cloud import bigquery\nfrom shared.clients.bigquery_pool import get_bigquery_client\n";
  for (std::string use :
       {"def g(c: bigquery.Client):\n    pass\n", "def g(c):\n    return isinstance(c, bigquery.Client)\n",
        "CFG = bigquery.QueryJobConfig(use_legacy_sql=False)\n", "def g(c: \"bigquery.Client\"):\n    pass\n",
        "__all__ = [\"bigquery\"]\n", "def g(creds):\n    return bigquery.Client(credentials=creds)\n"}) {
    CAPTURE(use);
    std::string src = "from google.cloud import bigquery\n" + use + tail;
    CHECK(migrate(src) == kept + use + rewrittenTail);
  }
}

TEST_CASE("a local import left unused goes, and its function keeps a pool import") {
  CHECK(migrate("def f(project_id):\n    import google.cloud.bigquery as bq\n    c = bq.Client()\n    return "
                "c.query('q')\n") ==
        "def f(project_id):\n    from shared.clients.bigquery_pool import get_bigquery_client\n"
        "    c = get_bigquery_client(project_id=project_id)\n    return c.query('q')\n");
}

TEST_CASE("a left site changes nothing") {
  std::string src =
      "from google.cloud import bigquery\n\n\ndef f(creds):\n    return bigquery.Client(credentials=creds)\n";
  CHECK(migrate(src) == src);
  Analyzed a(src, shippedRules());
  CHECK(rewrite::rewriteFile(a.tree, a.model, a.sites, a.verdicts).empty());
}

TEST_CASE("a removed override leaves one comment line, the comment lines above it go") {
  std::string src = "from google.cloud import bigquery\n\nfrom base import Base\n\n\nclass Child(Base):\n"
                    "    def __init__(self):\n        super().__init__()\n\n"
                    "        # Our own client for the revenue tables.\n        # TODO: check the base client.\n"
                    "        self.bq_client = bigquery.Client(\n            project=self.project_id\n        )\n"
                    "        self.table = 't'\n";
  Analyzed probe(src, shippedRules());
  REQUIRE(probe.sites.size() == 1);
  model::Removal r{"bq_client: pooled client inherited from Base",
                   "removed: redundant with the pooled bq_client inherited from Base", ""};
  Analyzed a(src, shippedRules(), "job.py", {{py::start(probe.sites[0].callee), r}});
  CHECK(a.rewritten() ==
        "from base import Base\n\n\nclass Child(Base):\n    def __init__(self):\n        super().__init__()\n\n"
        "        # bq_client: pooled client inherited from Base\n        self.table = 't'\n");
}

TEST_CASE("the import editor adds one import per place and merges into a pool import") {
  std::string src = "from google.cloud import bigquery\nfrom shared.clients.storage_pool import get_storage_client\n"
                    "a = bigquery.Client('p')\nb = bigquery.Client('q')\n";
  Analyzed a(src, shippedRules());
  REQUIRE(a.sites.size() == 2);
  rewrite::ImportEditor editor(a.tree, a.model, "\n");
  editor.add(a.sites[0], "shared.clients.bigquery_pool", "get_bigquery_client");
  editor.add(a.sites[1], "shared.clients.bigquery_pool", "get_bigquery_client");
  editor.add(a.sites[1], "shared.clients.storage_pool", "get_gcs");
  rewrite::EditSet edits;
  // No site rewritten: the old import stays, the planned ones come.
  editor.finish({}, {}, edits);
  auto out = edits.apply(src, "job.py");
  REQUIRE(static_cast<bool>(out));
  // With the file's imports of `shared` (sorted: the new module at its place), merged at its sorted place.
  CHECK(*out == "from google.cloud import bigquery\nfrom shared.clients.bigquery_pool import get_bigquery_client\n"
                "from shared.clients.storage_pool import get_gcs, get_storage_client\n"
                "a = bigquery.Client('p')\nb = bigquery.Client('q')\n");
}

TEST_CASE("the import editor removes an anchor only when every use of it vanishes") {
  std::string src = "from google.cloud import bigquery\na = bigquery.Client('p')\nb = bigquery.Client('q')\n";
  Analyzed a(src, shippedRules());
  REQUIRE(a.sites.size() == 2);
  {
    rewrite::ImportEditor editor(a.tree, a.model, "\n");
    rewrite::EditSet edits;
    editor.finish({&a.sites[0]}, {a.sites[0].callee}, edits);
    CHECK(edits.empty()); // `b` still uses the import
  }
  rewrite::ImportEditor editor(a.tree, a.model, "\n");
  rewrite::EditSet edits;
  editor.finish({&a.sites[0], &a.sites[1]}, {a.sites[0].callee, a.sites[1].callee}, edits);
  auto out = edits.apply(src, "job.py");
  REQUIRE(static_cast<bool>(out));
  CHECK(*out == "a = bigquery.Client('p')\nb = bigquery.Client('q')\n");
}

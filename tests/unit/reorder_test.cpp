// Reordering as an unsafe fix (analysis/reorder.h): an independent assignment right after the
// client's statement moves above it, so the project it binds can be passed; anything that could
// make the order observable leaves the site as it was.
#include "testing.h"

#include <doctest/doctest.h>

using namespace poolify;
using model::Outcome;
using testing::Analyzed;
using testing::shippedRules;

namespace {

std::string processor(const std::string &body) {
  return "import os\nfrom google.cloud import bigquery\n\n\nclass P:\n    def __init__(self, loc):\n" + body +
         "\n    def load(self):\n        pass\n";
}

// The verdict on the first site of `src`, with or without --unsafe-fixes.
model::Verdict firstVerdict(const std::string &src, bool unsafeFixes = true) {
  Analyzed a(src, shippedRules());
  REQUIRE(!a.sites.empty());
  analysis::FileContext context;
  context.unsafeFixes = unsafeFixes;
  return analysis::decideSites(a.tree, a.model, a.sites, "job.py", a.lines, context)[0];
}

} // namespace

TEST_CASE("an independent assignment right after the client moves above it: an unsafe fix") {
  std::string src = processor("        self.bq_client = bigquery.Client(location=loc)\n"
                              "        self.project_id = os.environ.get(\"GCP_PROJECT\")  # set by deploy\n");
  model::Verdict plain = firstVerdict(src, false);
  CHECK(plain.outcome == Outcome::Unsafe);
  REQUIRE(plain.move);
  CHECK(plain.move->fromLine == 8);
  CHECK(plain.move->toLine == 7);
  CHECK(plain.unsafe.rfind("moves 'self.project_id = ...' from line 8 above line 7; project_id=self.project_id is "
                           "taken from scope",
                           0) == 0);
  CHECK(firstVerdict(src).outcome == Outcome::Rewritten);
  CHECK(Analyzed(src, shippedRules()).rewritten() ==
        "import os\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass P:\n"
        "    def __init__(self, loc):\n"
        "        self.project_id = os.environ.get(\"GCP_PROJECT\")  # set by deploy\n"
        "        self.bq_client = get_bigquery_client(project_id=self.project_id, location=loc)\n"
        "\n    def load(self):\n        pass\n");
}

TEST_CASE("own-line comments right above either statement, indented as it is, go with it; others stay") {
  std::string src = processor("        # the client, from the pool once migrated\n"
                              "        # pylint: disable-next=invalid-name\n"
                              "        self.bq_client = bigquery.Client()  # trailing, stays with the client\n"
                              "        # about the retries: stays (a blank line below it)\n"
                              "\n"
                              "        self.retries = 3\n"
                              "        # the deploy sets it: moves\n"
                              "        self.project_id = os.environ[\"GCP_PROJECT\"]\n");
  model::Verdict v = firstVerdict(src);
  REQUIRE(v.move);
  CHECK(v.move->fromLine == 14); // the statement's own line, as the reason says
  CHECK(v.move->toLine == 9);
  CHECK(Analyzed(src, shippedRules()).rewritten() ==
        "import os\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\n\nclass P:\n"
        "    def __init__(self, loc):\n"
        "        # the deploy sets it: moves\n"
        "        self.project_id = os.environ[\"GCP_PROJECT\"]\n"
        "        # the client, from the pool once migrated\n"
        "        # pylint: disable-next=invalid-name\n"
        "        self.bq_client = get_bigquery_client(project_id=self.project_id)  # trailing, stays with the client\n"
        "        # about the retries: stays (a blank line below it)\n"
        "\n"
        "        self.retries = 3\n"
        "\n    def load(self):\n        pass\n");
  // A comment of another block (deeper, after an `if`) stays with that block.
  std::string nested = processor("        if loc:\n            loc = loc.upper()\n            # about the if: stays\n"
                                 "        self.bq_client = bigquery.Client()\n"
                                 "        self.project_id = os.environ[\"GCP_PROJECT\"]\n");
  CHECK(Analyzed(nested, shippedRules())
            .rewritten()
            .find("            # about the if: stays\n"
                  "        self.project_id = ") != std::string::npos);
}

TEST_CASE("statements without calls in between do not stop the move; a local moves too") {
  CHECK(firstVerdict(processor("        self.bq_client = bigquery.Client()\n        self.retries = 3\n"
                               "        self.project_id = os.environ[\"GCP_PROJECT\"]\n"))
            .move);
  model::Verdict local = firstVerdict("import os\nfrom google.cloud import bigquery\n\ndef run():\n"
                                      "    client = bigquery.Client()\n    project_id = os.environ[\"P\"]\n"
                                      "    return client.query('x')\n");
  REQUIRE(local.move);
  CHECK(local.move->target == "project_id");
  CHECK(local.inferred == std::vector<model::Argument>{{"project_id", "project_id"}});
}

TEST_CASE("the move is not offered where the order could be observed") {
  auto left = [](const std::string &body) {
    model::Verdict v = firstVerdict(processor(body));
    CHECK(!v.move);
    return v.reason;
  };
  // The value reads the client, or something assigned in between, or calls through the instance.
  CHECK(left("        self.bq_client = bigquery.Client()\n"
             "        self.project_id = self.bq_client.project\n") == "no project id in scope");
  CHECK(left("        self.bq_client = bigquery.Client()\n        self.env = 'prod'\n"
             "        self.project_id = self.env + '-project'\n") == "no project id in scope");
  CHECK(left("        self.bq_client = bigquery.Client()\n        self.project_id = self.load()\n") ==
        "no project id in scope");
  CHECK(left("        self.bq_client = bigquery.Client()\n        self.project_id = resolve(self)\n") ==
        "no project id in scope");
  // A call in between, or the assignment in another block.
  CHECK(left("        self.bq_client = bigquery.Client()\n        self.load()\n"
             "        self.project_id = os.environ['P']\n") == "no project id in scope");
  CHECK(left("        self.bq_client = bigquery.Client()\n        if loc:\n"
             "            self.project_id = os.environ['P']\n") == "no project id in scope");
  CHECK(left("        try:\n            self.bq_client = bigquery.Client()\n        finally:\n            pass\n"
             "        self.project_id = os.environ['P']\n") == "no project id in scope");
  // The client's statement reads the name, or shares its line.
  CHECK(left("        self.bq_client = bigquery.Client(location=self.project_id)\n"
             "        self.project_id = os.environ['P']\n") == "no project id in scope");
  CHECK(left("        self.bq_client = bigquery.Client(); self.project_id = os.environ['P']\n") ==
        "no project id in scope");
}

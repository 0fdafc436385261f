/*
 * Unit tests for sim/schema.c: the simulator's strict reading of a v1 scheduler Call.
 *
 *   - every Call example of MESOS-API.md passes both the structural check and the stateless
 *     validation (copied here as literals; also re-read from the document when it is present);
 *   - tables of rejections with the expected error text, of missing required fields with the exact
 *     "Missing required fields: ..." text protobuf would produce, of validation failures, and
 *     of the leniencies the master allows;
 *   - the tables' own consistency (unique names and numbers, no dangling references, everything
 *     reachable from Call);
 *   - a 10,000-operation ACCEPT, timed.
 *
 * Test JSON is written with single quotes for readability; quoted() turns them into double quotes
 * (no test value needs a literal single quote).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "schema_internal.h"
#include "util.h"

/* ---------------------------------------------------------------------------------------------- */
/* Helpers. */

static json_t *load_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!v)
        fail_msg("test JSON does not parse (%s at %d:%d): %s", jerr.text, jerr.line, jerr.column,
                 text);
    return v;
}

/* Single quotes to double quotes, then parse. */
static json_t *quoted(const char *text)
{
    cleanup_free char *copy = mk_xstrdup(text);
    for (char *p = copy; *p; p++)
        if (*p == '\'')
            *p = '"';
    return load_json(copy);
}

static void expect_valid(const char *name, json_t *call)
{
    mk_err err = {{0}};
    if (schema_check_call(call, &err) != 0)
        fail_msg("%s: schema_check_call rejected it: %s", name, err.msg);
    if (schema_validate_call(call, &err) != 0)
        fail_msg("%s: schema_validate_call rejected it: %s", name, err.msg);
}

static void expect_check_error(const char *name, json_t *call, const char *want, bool exact)
{
    mk_err err = {{0}};
    if (schema_check_call(call, &err) == 0)
        fail_msg("%s: schema_check_call accepted it", name);
    if (exact ? strcmp(err.msg, want) != 0 : strstr(err.msg, want) == NULL)
        fail_msg("%s: got error [%s], wanted %s [%s]", name, err.msg,
                 exact ? "exactly" : "it to contain", want);
}

/* ---------------------------------------------------------------------------------------------- */
/* Every Call example of MESOS-API.md (the blocks marked "check: Call"), verbatim; lines longer
 * than 100 columns are split. The data tables below are laid out by hand (clang-format off). */

/* clang-format off */
static const struct {
    const char *name;
    const char *json;
} doc_examples[] = {
    {"SUBSCRIBE (first)",
     "{\"type\": \"SUBSCRIBE\","
     " \"subscribe\": {\"framework_info\": {\"user\": \"root\", \"name\": \"mesos-kafka\","
     "    \"roles\": [\"kafka\"], \"capabilities\": [{\"type\": \"MULTI_ROLE\"}, "
     "{\"type\": \"PARTITION_AWARE\"}],"
     "    \"failover_timeout\": 604800.0, \"checkpoint\": true, \"principal\": \"kafka\","
     "    \"hostname\": \"sched1.example\", \"webui_url\": \"http://sched1.example:7000/\"},"
     "   \"suppressed_roles\": []}}"},
    {"SUBSCRIBE (re-subscribe)",
     "{\"type\": \"SUBSCRIBE\", "
     "\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"},"
     " \"subscribe\": {\"framework_info\": {\"user\": \"root\", \"name\": \"mesos-kafka\","
     "   \"id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"roles\": [\"kafka\"],"
     "   \"capabilities\": [{\"type\": \"MULTI_ROLE\"}], \"failover_timeout\": 604800.0, "
     "\"checkpoint\": true}}}"},
    {"TEARDOWN",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"TEARDOWN\"}"},
    {"ACCEPT (Docker launch)",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"ACCEPT\","
     " \"accept\": {\"offer_ids\": [{\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O7\"}],"
     "  \"operations\": [{\"type\": \"LAUNCH\", \"launch\": {\"task_infos\": [{"
     "    \"name\": \"broker-0\", \"task_id\": {\"value\": \"broker-0.7f3a\"},"
     "    \"agent_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0\"},"
     "    \"resources\": ["
     "      {\"name\": \"cpus\", \"type\": \"SCALAR\", \"scalar\": {\"value\": 1.0}, "
     "\"allocation_info\": {\"role\": \"kafka\"}},"
     "      {\"name\": \"mem\", \"type\": \"SCALAR\", \"scalar\": {\"value\": 2048.0}, "
     "\"allocation_info\": {\"role\": \"kafka\"}},"
     "      {\"name\": \"ports\", \"type\": \"RANGES\", \"allocation_info\": {\"role\": \"kafka\"},"
     "       \"ranges\": {\"range\": [{\"begin\": 31000, \"end\": 31001}]}}],"
     "    \"command\": {\"shell\": false,"
     "      \"environment\": {\"variables\": [{\"name\": \"KAFKA_BROKER_ID\", \"value\": \"0\"}]},"
     "      \"uris\": [{\"value\": \"http://repo.example/jmx_exporter.jar\", \"extract\": false}]},"
     "    \"container\": {\"type\": \"DOCKER\","
     "      \"docker\": {\"image\": \"apache/kafka:3.9.0\", \"network\": \"BRIDGE\", "
     "\"force_pull_image\": false,"
     "        \"port_mappings\": [{\"host_port\": 31000, \"container_port\": 9092, "
     "\"protocol\": \"tcp\"},"
     "                          {\"host_port\": 31001, \"container_port\": 9999, "
     "\"protocol\": \"tcp\"}],"
     "        \"parameters\": [{\"key\": \"ulimit\", \"value\": \"nofile=65536\"}]},"
     "      \"volumes\": [{\"container_path\": \"/var/lib/kafka\", "
     "\"host_path\": \"/srv/kafka/broker-0\", \"mode\": \"RW\"}]},"
     "    \"health_check\": {\"type\": \"TCP\", \"tcp\": {\"port\": 9092}, \"delay_seconds\": 15.0,"
     "      \"interval_seconds\": 10.0, \"timeout_seconds\": 20.0, \"consecutive_failures\": 3,"
     "      \"grace_period_seconds\": 120.0},"
     "    \"kill_policy\": {\"grace_period\": {\"nanoseconds\": 30000000000}},"
     "    \"discovery\": {\"visibility\": \"FRAMEWORK\", \"name\": \"broker-0\","
     "      \"ports\": {\"ports\": [{\"number\": 31000, \"name\": \"kafka\", "
     "\"protocol\": \"tcp\"}]}},"
     "    \"labels\": {\"labels\": [{\"key\": \"broker\", \"value\": \"0\"}]}}]}}],"
     "  \"filters\": {\"refuse_seconds\": 5.0}}}"},
    {"DECLINE",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"DECLINE\","
     " \"decline\": {\"offer_ids\": [{\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O8\"}],"
     "             \"filters\": {\"refuse_seconds\": 120.0}}}"},
    {"ACKNOWLEDGE",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"ACKNOWLEDGE\","
     " \"acknowledge\": {\"agent_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0\"},"
     "                 \"task_id\": {\"value\": \"broker-0.7f3a\"}, "
     "\"uuid\": \"fB16sW1VSg6b1mz24qOo+Q==\"}}"},
    {"KILL",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"KILL\","
     " \"kill\": {\"task_id\": {\"value\": \"broker-0.7f3a\"}, "
     "\"agent_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0\"},"
     "          \"kill_policy\": {\"grace_period\": {\"nanoseconds\": 10000000000}}}}"},
    {"RECONCILE (explicit)",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"RECONCILE\","
     " \"reconcile\": {\"tasks\": [{\"task_id\": {\"value\": \"broker-0.7f3a\"},"
     "                          \"agent_id\": {\"value\": "
     "\"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0\"}}]}}"},
    {"RECONCILE (implicit)",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"RECONCILE\", \"reconcile\": {}}"},
    {"REVIVE",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"REVIVE\", \"revive\": {\"roles\": [\"kafka\"]}}"},
    {"SUPPRESS",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"SUPPRESS\", \"suppress\": {\"roles\": [\"kafka\"]}}"},
    {"MESSAGE",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"MESSAGE\","
     " \"message\": {\"agent_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0\"},"
     "             \"executor_id\": {\"value\": \"my-executor\"}, \"data\": \"aGVsbG8=\"}}"},
    {"REQUEST",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"REQUEST\","
     " \"request\": {\"requests\": [{\"agent_id\": {\"value\": "
     "\"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-S0\"},"
     "   \"resources\": [{\"name\": \"cpus\", \"type\": \"SCALAR\", "
     "\"scalar\": {\"value\": 1.0}}]}]}}"},
    {"ACCEPT (reserve + create)",
     "{\"framework_id\": {\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-0000\"}, "
     "\"type\": \"ACCEPT\","
     " \"accept\": {\"offer_ids\": [{\"value\": \"5f0c2b6e-0d1a-4f3b-9a51-3f2e8a1c7d44-O12\"}], "
     "\"operations\": ["
     "  {\"type\": \"RESERVE\", \"id\": {\"value\": \"reserve-broker-0\"}, "
     "\"reserve\": {\"resources\": ["
     "    {\"name\": \"disk\", \"type\": \"SCALAR\", \"scalar\": {\"value\": 20480.0}, "
     "\"allocation_info\": {\"role\": \"kafka\"},"
     "     \"reservations\": [{\"type\": \"DYNAMIC\", \"role\": \"kafka\", "
     "\"principal\": \"kafka\"}]}]}},"
     "  {\"type\": \"CREATE\", \"create\": {\"volumes\": ["
     "    {\"name\": \"disk\", \"type\": \"SCALAR\", \"scalar\": {\"value\": 20480.0}, "
     "\"allocation_info\": {\"role\": \"kafka\"},"
     "     \"reservations\": [{\"type\": \"DYNAMIC\", \"role\": \"kafka\", "
     "\"principal\": \"kafka\"}],"
     "     \"disk\": {\"persistence\": {\"id\": \"broker-0-data\", \"principal\": \"kafka\"},"
     "              \"volume\": {\"container_path\": \"data\", \"mode\": \"RW\"}}}]}}]}}"},
};
/* clang-format on */

static void test_doc_examples(void **state)
{
    (void)state;
    assert_int_equal(MK_ARRAY_LEN(doc_examples), 14);
    for (size_t i = 0; i < MK_ARRAY_LEN(doc_examples); i++) {
        cleanup_json json_t *call = load_json(doc_examples[i].json);
        expect_valid(doc_examples[i].name, call);
    }
}

/* The same blocks read from the document itself, so a later edit of the document that breaks an
 * example (or an example added there) is caught. Skipped where the document is not around. */
static void test_doc_examples_from_document(void **state)
{
    (void)state;
    const char *path = getenv("MESOS_API_DOC");
    FILE *f = fopen(path ? path : "../shared/MESOS-API.md", "r");
    if (!f)
        f = fopen("/work/shared/MESOS-API.md", "r");
    if (!f) {
        skip();
        return;
    }
    size_t cap = 1 << 16, len = 0;
    cleanup_free char *doc = mk_xmalloc(cap);
    size_t got;
    while ((got = fread(doc + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap)
            doc = mk_xrealloc(doc, cap *= 2);
    }
    fclose(f);
    doc[len] = '\0';

    int found = 0;
    for (const char *p = strstr(doc, "<!-- check: Call -->"); p;
         p = strstr(p + 1, "<!-- check: Call -->")) {
        const char *start = strstr(p, "```json\n");
        assert_non_null(start);
        start += strlen("```json\n");
        const char *end = strstr(start, "```");
        assert_non_null(end);
        cleanup_free char *text = mk_xstrndup(start, (size_t)(end - start));
        char name[48];
        snprintf(name, sizeof(name), "document example %d", ++found);
        cleanup_json json_t *call = load_json(text);
        expect_valid(name, call);
    }
    assert_true(found >= 14);
}

/* ---------------------------------------------------------------------------------------------- */
/* Rejections by the structural check. */

/* clang-format off */
#define FID "'framework_id':{'value':'F'}"
/* An ACCEPT launching one task; TASK is spliced into the task's JSON object. */
#define LAUNCH(TASK)                                                                               \
    "{" FID ",'type':'ACCEPT','accept':{'offer_ids':[{'value':'O'}],'operations':[{"              \
    "'type':'LAUNCH','launch':{'task_infos':[{'name':'t','task_id':{'value':'t'},"                \
    "'agent_id':{'value':'A'}" TASK "}]}}]}}"
#define TASK_PATH "accept.operations[0].launch.task_infos[0]"
#define DOCKER(FIELDS) ",'container':{'type':'DOCKER','docker':{'image':'i'" FIELDS "}}"

static const struct {
    const char *name;
    const char *json;
    const char *want;
    bool exact;
} rejections[] = {
    {"not an object", "['SUBSCRIBE']", "Expecting a JSON object", true},
    {"unknown top-level key", "{" FID ",'type':'TEARDOWN','bogus':1}",
     "Unknown field 'bogus' in mesos.v1.scheduler.Call", true},
    {"lowerCamel frameworkId", "{'frameworkId':{'value':'F'},'type':'TEARDOWN'}",
     "Unknown field 'frameworkId' in mesos.v1.scheduler.Call (did you mean 'framework_id'?)", true},
    {"lowerCamel frameworkInfo",
     "{'type':'SUBSCRIBE','subscribe':{'frameworkInfo':{'user':'u','name':'n'}}}",
     "Unknown field 'frameworkInfo' in mesos.v1.scheduler.Call.Subscribe at subscribe "
     "(did you mean 'framework_info'?)",
     true},
    {"lowerCamel failoverTimeout",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n',"
     "'failoverTimeout':1}}}",
     "Unknown field 'failoverTimeout' in mesos.v1.FrameworkInfo at subscribe.framework_info "
     "(did you mean 'failover_timeout'?)",
     true},
    {"misspelled key in a TaskInfo", LAUNCH(",'comand':{'value':'true'}"),
     "Unknown field 'comand' in mesos.v1.TaskInfo at " TASK_PATH, true},
    {"misspelled key deep in a Resource",
     LAUNCH(",'resources':[{'name':'cpus','type':'SCALAR','scalar':{'value':1}},"
            "{'name':'mem','type':'SCALAR','scalar':{'valeu':1}}]"),
     "Unknown field 'valeu' in mesos.v1.Value.Scalar at " TASK_PATH ".resources[1].scalar", true},
    {"unknown key in a map value", LAUNCH(",'limits':{'cpus':{'value':1,'vlaue':2}}"),
     "Unknown field 'vlaue' in mesos.v1.Value.Scalar at " TASK_PATH ".limits[\"cpus\"]", true},
    {"Event field in a Call", "{" FID ",'type':'TEARDOWN','subscribed':{}}",
     "Unknown field 'subscribed'", false},
    {"doc mistake: top-level requests", "{" FID ",'type':'REQUEST','requests':[]}",
     "Unknown field 'requests' in mesos.v1.scheduler.Call", true},
    {"doc mistake: revive.role", "{" FID ",'type':'REVIVE','revive':{'role':'kafka'}}",
     "Unknown field 'role' in mesos.v1.scheduler.Call.Revive at revive", true},

    /* Enums. */
    {"enum as a number", "{" FID ",'type':2}",
     "Not expecting a JSON number for field 'type' at type", true},
    {"unknown Call type", "{" FID ",'type':'TEARDOWNN'}",
     "Failed to find enum for 'TEARDOWNN' in field 'type' (mesos.v1.scheduler.Call.Type) at type",
     false},
    {"lower-case enum name", "{" FID ",'type':'teardown'}", "Failed to find enum for 'teardown'",
     false},
    {"unknown optional enum: docker network HOSTT", LAUNCH(DOCKER(",'network':'HOSTT'")),
     "Failed to find enum for 'HOSTT' in field 'network' "
     "(mesos.v1.ContainerInfo.DockerInfo.Network) "
     "at " TASK_PATH ".container.docker.network; expected one of: HOST, BRIDGE, NONE, USER",
     true},
    {"unknown framework capability",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n',"
     "'capabilities':[{'type':'MULTI_ROLE'},{'type':'MULTI_ROLES'}]}}}",
     "Failed to find enum for 'MULTI_ROLES' in field 'type' "
     "(mesos.v1.FrameworkInfo.Capability.Type) "
     "at subscribe.framework_info.capabilities[1].type",
     false},
    {"unknown name in a repeated enum",
     LAUNCH(",'container':{'type':'MESOS','linux_info':{'effective_capabilities':{'capabilities':"
            "['NET_ADMIN','CAP_NET_RAW']}}}"),
     "Failed to find enum for 'CAP_NET_RAW' in field 'capabilities'", false},
    {"enum as an object", LAUNCH(",'container':{'type':{'name':'DOCKER'}}"),
     "Not expecting a JSON object for field 'type' at " TASK_PATH ".container.type", true},

    /* Wrong JSON kinds. */
    {"string for a message", "{'framework_id':'F','type':'TEARDOWN'}",
     "Not expecting a JSON string for field 'framework_id' at framework_id", true},
    {"object for a string",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':{'value':'n'}}}}",
     "Not expecting a JSON object for field 'name' at subscribe.framework_info.name", true},
    {"array for a scalar",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':['root'],'name':'n'}}}",
     "Not expecting a JSON array for field 'user' at subscribe.framework_info.user", true},
    {"array for a message", "{'framework_id':[{'value':'F'}],'type':'TEARDOWN'}",
     "Not expecting a JSON array for field 'framework_id' at framework_id", true},
    {"number for a string",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':7}}}",
     "Not expecting a JSON number for field 'name' at subscribe.framework_info.name", true},
    {"boolean for a number", LAUNCH(",'health_check':{'type':'TCP','tcp':{'port':true}}"),
     "Not expecting a JSON boolean for field 'port' at " TASK_PATH ".health_check.tcp.port", true},
    {"number for a bool",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n','checkpoint':1}}}",
     "Not expecting a JSON number for field 'checkpoint'", false},
    {"bad string bool",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n',"
     "'checkpoint':'yes'}}}",
     "Failed to parse 'yes' as a JSON boolean for field 'checkpoint' at "
     "subscribe.framework_info.checkpoint",
     true},
    {"bare string for a repeated message", "{" FID ",'type':'DECLINE','decline':{'offer_ids':'O'}}",
     "Not expecting a JSON string for field 'offer_ids' at decline.offer_ids[0]", true},
    {"nested array in a repeated field", "{" FID ",'type':'REVIVE','revive':{'roles':[['kafka']]}}",
     "Not expecting a JSON array inside the array of field 'roles' at revive.roles[0]", true},
    {"number for bytes", "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},"
     "'executor_id':{'value':'E'},'data':12}}",
     "Not expecting a JSON number for field 'data'", false},

    /* Bytes. */
    {"URL-safe base64 ('-')",
     "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
     "'task_id':{'value':'T'},'uuid':'fB16sW1VSg6b1mz24qOo-Q=='}}",
     "Failed to base64 decode bytes field 'uuid' at acknowledge.uuid: Invalid character '-' "
     "(URL-safe base64 is not accepted)",
     true},
    {"URL-safe base64 ('_')",
     "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},'executor_id':{'value':'E'},"
     "'data':'a_8='}}",
     "Invalid character '_' (URL-safe base64 is not accepted)", false},
    {"base64 with junk after the padding",
     "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},'executor_id':{'value':'E'},"
     "'data':'aGVsbG8=x'}}",
     "Failed to base64 decode bytes field 'data' at message.data: Data after padding", true},
    {"base64 with a dangling character",
     "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},'executor_id':{'value':'E'},"
     "'data':'aGVsb'}}",
     "Invalid length", false},
    {"base64 with too much padding", LAUNCH(",'data':'aGVsbG8==='"), "Invalid padding", false},
    {"base64 with a non-alphabet character", LAUNCH(",'data':'aGV*bG8='"), "Invalid character '*'",
     false},

    /* Numbers. */
    {"fractional integer",
     LAUNCH(DOCKER(",'network':'BRIDGE',"
                   "'port_mappings':[{'host_port':31000.5,'container_port':80}]")),
     "Value 31000.5 for uint32 field 'host_port' at " TASK_PATH
     ".container.docker.port_mappings[0].host_port is not an integer",
     true},
    {"fractional integer as a string",
     LAUNCH(",'health_check':{'type':'TCP','tcp':{'port':'1.5'}}"),
     "Value 1.5 for uint32 field 'port'", false},
    {"negative uint32",
     LAUNCH(DOCKER(",'network':'BRIDGE','port_mappings':[{'host_port':1,'container_port':-1}]")),
     "Value -1 is out of range for uint32 field 'container_port' at " TASK_PATH
     ".container.docker.port_mappings[0].container_port",
     true},
    {"uint32 overflow", LAUNCH(",'health_check':{'type':'TCP','tcp':{'port':4294967296}}"),
     "Value 4294967296 is out of range for uint32 field 'port'", false},
    {"negative uint64",
     LAUNCH(",'resources':[{'name':'ports','type':'RANGES','ranges':{'range':[{'begin':-5,"
            "'end':9}]}}]"),
     "Value -5 is out of range for uint64 field 'begin'", false},
    {"negative uint64 as a string",
     LAUNCH(",'resources':[{'name':'ports','type':'RANGES','ranges':{'range':{'begin':'-5',"
            "'end':9}}}]"),
     "Value -5 is out of range for uint64 field 'begin'", false},
    {"uint64 beyond 2^64 as a string",
     LAUNCH(",'resources':[{'name':'ports','type':'RANGES','ranges':{'range':{'begin':1,"
            "'end':'18446744073709551616'}}}]"),
     "is out of range for uint64 field 'end'", false},
    {"int64 as a word", LAUNCH(",'kill_policy':{'grace_period':{'nanoseconds':'ten'}}"),
     "Failed to parse 'ten' as a JSON number for field 'nanoseconds' at " TASK_PATH
     ".kill_policy.grace_period.nanoseconds",
     true},
    {"int64 in hex", LAUNCH(",'kill_policy':{'grace_period':{'nanoseconds':'0x10'}}"),
     "Failed to parse '0x10' as a JSON number", false},
    {"NaN for a double",
     "{" FID ",'type':'DECLINE','decline':{'filters':{'refuse_seconds':'NaN'}}}",
     "Failed to parse 'NaN' as a JSON number for field 'refuse_seconds' at "
     "decline.filters.refuse_seconds",
     true},
    {"lower-case infinity",
     "{" FID ",'type':'DECLINE','decline':{'filters':{'refuse_seconds':'inf'}}}",
     "Failed to parse 'inf' as a JSON number", false},
    {"padded Infinity (stout compares it exactly)",
     "{" FID ",'type':'DECLINE','decline':{'filters':{'refuse_seconds':' Infinity'}}}",
     "Failed to parse ' Infinity' as a JSON number", false},
    {"double overflow as a string",
     "{" FID ",'type':'DECLINE','decline':{'filters':{'refuse_seconds':'1e999'}}}",
     "Value out of range", false},
    {"empty string for a number",
     "{" FID ",'type':'DECLINE','decline':{'filters':{'refuse_seconds':''}}}",
     "Failed to parse '' as a JSON number", false},

    /* Maps and oneofs. */
    {"map written as an array", LAUNCH(",'limits':[{'cpus':{'value':1}}]"),
     "Not expecting a JSON array for map field 'limits' at " TASK_PATH
     ".limits (write the map as a JSON object)",
     true},
    {"null map value", LAUNCH(",'limits':{'cpus':null}"),
     "Not expecting a JSON null for the value of map field 'limits' at " TASK_PATH
     ".limits[\"cpus\"]",
     true},
    {"number for a map value message (doc mistake)", LAUNCH(",'limits':{'mem':512.0}"),
     "Not expecting a JSON number for field 'limits' at " TASK_PATH ".limits[\"mem\"]", true},
    {"string for a map", LAUNCH(",'limits':'cpus=1'"),
     "Not expecting a JSON string for field 'limits'", false},
    {"two members of a oneof",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n','roles':['r']},"
     "'offer_constraints':{'role_constraints':{'r':{'groups':[{'attribute_constraints':[{"
     "'selector':{'attribute_name':'rack','pseudoattribute_type':'HOSTNAME'},"
     "'predicate':{'exists':{}}}]}]}}}}}",
     "Fields 'attribute_name' and 'pseudoattribute_type' of oneof 'selector' in "
     "mesos.v1.scheduler.AttributeConstraint.Selector at "
     "subscribe.offer_constraints.role_constraints[\"r\"].groups[0].attribute_constraints[0]"
     ".selector are both set",
     true},

    /* The first error in key order wins, as in the master ("accept" sorts before "type"). */
    {"first error in key order", "{" FID ",'type':7,'accept':'x'}",
     "Not expecting a JSON string for field 'accept' at accept", true},
    /* A structural error is reported before missing required fields. */
    {"kind error before missing fields",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'checkpoint':'maybe'}}}",
     "Failed to parse 'maybe' as a JSON boolean", false},
};
/* clang-format on */

static void test_rejections(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(rejections); i++) {
        cleanup_json json_t *call = quoted(rejections[i].json);
        expect_check_error(rejections[i].name, call, rejections[i].want, rejections[i].exact);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Missing required fields, with the whole text the master would answer. */

/* clang-format off */
#define SUBSCRIBE_INFO(FIELDS) "{'type':'SUBSCRIBE','subscribe':{'framework_info':{" FIELDS "}}}"
#define MISSING "Missing required fields: "

static const struct {
    const char *name;
    const char *json;
    const char *want;
} missing[] = {
    {"FrameworkInfo.user", SUBSCRIBE_INFO("'name':'n'"), MISSING "subscribe.framework_info.user"},
    {"FrameworkInfo.name", SUBSCRIBE_INFO("'user':'u'"), MISSING "subscribe.framework_info.name"},
    {"FrameworkInfo.user and name", SUBSCRIBE_INFO(""),
     MISSING "subscribe.framework_info.user, subscribe.framework_info.name"},
    {"null counts as missing", SUBSCRIBE_INFO("'user':null,'name':'n'"),
     MISSING "subscribe.framework_info.user"},
    {"Subscribe.framework_info", "{'type':'SUBSCRIBE','subscribe':{}}",
     MISSING "subscribe.framework_info"},
    {"FrameworkID.value", SUBSCRIBE_INFO("'user':'u','name':'n','id':{}"),
     MISSING "subscribe.framework_info.id.value"},
    {"TaskInfo.name", "{" FID ",'type':'ACCEPT','accept':{'operations':[{'type':'LAUNCH','launch':"
     "{'task_infos':[{'task_id':{'value':'t'},'agent_id':{'value':'A'}}]}}]}}",
     MISSING TASK_PATH ".name"},
    {"TaskInfo.task_id",
     "{" FID ",'type':'ACCEPT','accept':{'operations':[{'type':'LAUNCH','launch':"
     "{'task_infos':[{'name':'t','agent_id':{'value':'A'}}]}}]}}",
     MISSING TASK_PATH ".task_id"},
    {"ContainerInfo.type", LAUNCH(",'container':{'docker':{'image':'i'}}"),
     MISSING TASK_PATH ".container.type"},
    {"DockerInfo.image", LAUNCH(",'container':{'type':'DOCKER','docker':{'network':'HOST'}}"),
     MISSING TASK_PATH ".container.docker.image"},
    {"Volume.mode", LAUNCH(",'container':{'type':'MESOS','volumes':[{'container_path':'/d'}]}"),
     MISSING TASK_PATH ".container.volumes[0].mode"},
    {"Volume.mode and container_path, in declaration order",
     LAUNCH(",'container':{'type':'MESOS','volumes':[{'mode':'RW','container_path':'/a'},{}]}"),
     MISSING TASK_PATH ".container.volumes[1].mode, "
     TASK_PATH ".container.volumes[1].container_path"},
    {"Resource.name", LAUNCH(",'resources':[{'name':'cpus','type':'SCALAR','scalar':{'value':1}},"
                             "{'type':'SCALAR','scalar':{'value':1}}]"),
     MISSING TASK_PATH ".resources[1].name"},
    {"Resource.type and Value.Scalar.value",
     LAUNCH(",'resources':[{'name':'cpus','scalar':{}}]"),
     MISSING TASK_PATH ".resources[0].type, " TASK_PATH ".resources[0].scalar.value"},
    {"Value.Range.end", LAUNCH(",'resources':{'name':'ports','type':'RANGES',"
                               "'ranges':{'range':{'begin':1}}}"),
     MISSING TASK_PATH ".resources[0].ranges.range[0].end"},
    {"null array elements take no index",
     LAUNCH(",'resources':[null,{'name':'cpus','type':'SCALAR','scalar':{'value':1}},{}]"),
     MISSING TASK_PATH ".resources[1].name, " TASK_PATH ".resources[1].type"},
    {"map value (limits[i].value.value)", LAUNCH(",'limits':{'cpus':{'value':1},'mem':{}}"),
     MISSING TASK_PATH ".limits[1].value.value"},
    {"DiscoveryInfo.visibility", LAUNCH(",'discovery':{'name':'x'}"),
     MISSING TASK_PATH ".discovery.visibility"},
    {"Label.key", LAUNCH(",'labels':{'labels':[{'value':'v'}]}"),
     MISSING TASK_PATH ".labels.labels[0].key"},
    {"Parameter.value", LAUNCH(DOCKER(",'parameters':[{'key':'ulimit'}]")),
     MISSING TASK_PATH ".container.docker.parameters[0].value"},
    {"HTTPCheckInfo.port", LAUNCH(",'health_check':{'type':'HTTP','http':{'path':'/'}}"),
     MISSING TASK_PATH ".health_check.http.port"},
    {"Image.type and Image.Docker.name",
     LAUNCH(",'container':{'type':'MESOS','mesos':{'image':{'docker':{}}}}"),
     MISSING TASK_PATH ".container.mesos.image.type, "
     TASK_PATH ".container.mesos.image.docker.name"},
    /* Own fields first (declaration order), then sub-messages by field number: http is field 1
     * although HealthCheck declares it after command (7). */
    {"protobuf's ordering",
     "{" FID ",'type':'ACCEPT','accept':{'operations':[{'type':'LAUNCH','launch':{'task_infos':[{"
     "'agent_id':{},'task_id':{},'health_check':{'command':{'environment':{'variables':[{}]}},"
     "'http':{}}}]}}]}}",
     MISSING TASK_PATH ".name, " TASK_PATH ".task_id.value, " TASK_PATH ".agent_id.value, "
     TASK_PATH ".health_check.http.port, "
     TASK_PATH ".health_check.command.environment.variables[0].name"},
    {"LaunchGroup.executor and task_group",
     "{" FID ",'type':'ACCEPT','accept':{'operations':[{'type':'LAUNCH_GROUP',"
     "'launch_group':{}}]}}",
     MISSING "accept.operations[0].launch_group.executor, "
             "accept.operations[0].launch_group.task_group"},
    {"ExecutorInfo.executor_id",
     "{" FID ",'type':'ACCEPT','accept':{'operations':{'type':'LAUNCH_GROUP','launch_group':{"
     "'executor':{'type':'DEFAULT'},'task_group':{'tasks':[]}}}}}",
     MISSING "accept.operations[0].launch_group.executor.executor_id"},
    {"Kill.task_id", "{" FID ",'type':'KILL','kill':{'agent_id':{'value':'A'}}}",
     MISSING "kill.task_id"},
    {"Shutdown.executor_id and agent_id", "{" FID ",'type':'SHUTDOWN','shutdown':{}}",
     MISSING "shutdown.executor_id, shutdown.agent_id"},
    {"Acknowledge.uuid", "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
     "'task_id':{'value':'T'}}}",
     MISSING "acknowledge.uuid"},
    {"Message.data", "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},"
     "'executor_id':{'value':'E'}}}",
     MISSING "message.data"},
    {"Reconcile.Task.task_id",
     "{" FID ",'type':'RECONCILE','reconcile':{'tasks':[{'agent_id':{'value':'A'}}]}}",
     MISSING "reconcile.tasks[0].task_id"},
    {"AcknowledgeOperationStatus.uuid and operation_id",
     "{" FID ",'type':'ACKNOWLEDGE_OPERATION_STATUS','acknowledge_operation_status':{}}",
     MISSING "acknowledge_operation_status.uuid, acknowledge_operation_status.operation_id"},
    {"Persistence.id",
     "{" FID ",'type':'ACCEPT','accept':{'operations':[{'type':'CREATE','create':{"
     "'volumes':[{'name':'disk','type':'SCALAR','scalar':{'value':1},'disk':{'persistence':{},"
     "'volume':{'container_path':'data','mode':'RW'}}}]}}]}}",
     MISSING "accept.operations[0].create.volumes[0].disk.persistence.id"},
    {"AttributeConstraint.selector and predicate",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n'},"
     "'offer_constraints':{'role_constraints':{'r':{'groups':{'attribute_constraints':{}}}}}}}",
     MISSING "subscribe.offer_constraints.role_constraints[0].value.groups[0]"
             ".attribute_constraints[0].selector, "
             "subscribe.offer_constraints.role_constraints[0].value.groups[0]"
             ".attribute_constraints[0].predicate"},
};
/* clang-format on */

static void test_missing_required(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(missing); i++) {
        cleanup_json json_t *call = quoted(missing[i].json);
        expect_check_error(missing[i].name, call, missing[i].want, true);
    }
}

/* Very many missing fields: the message is cut short, never overflows, and says so. */
static void test_missing_required_truncated(void **state)
{
    (void)state;
    cleanup_json json_t *call = quoted("{" FID ",'type':'RECONCILE','reconcile':{'tasks':[]}}");
    json_t *tasks = json_object_get(json_object_get(call, "reconcile"), "tasks");
    for (int i = 0; i < 200; i++)
        json_array_append_new(tasks, json_object());
    mk_err err = {{0}};
    assert_int_equal(schema_check_call(call, &err), -1);
    assert_non_null(
        strstr(err.msg, MISSING "reconcile.tasks[0].task_id, reconcile.tasks[1].task_id"));
    assert_non_null(strstr(err.msg, ", ..."));
}

/* ---------------------------------------------------------------------------------------------- */
/* What the master accepts must pass too. */

/* clang-format off */
static const struct {
    const char *name;
    const char *json;
} acceptances[] = {
    {"numbers as strings",
     LAUNCH(",'resources':[{'name':'cpus','type':'SCALAR','scalar':{'value':'1.5'}},"
            "{'name':'ports','type':'RANGES','ranges':{'range':[{'begin':'31000',"
            "'end':' 31001 '}]}}]"
            DOCKER(",'network':'BRIDGE','port_mappings':[{'host_port':'31000',"
                   "'container_port':'9092'}]")
            ",'kill_policy':{'grace_period':{'nanoseconds':'30000000000'}}"
            ",'health_check':{'type':'TCP','tcp':{'port':'9092'},'consecutive_failures':'3',"
            "'delay_seconds':'15'}")},
    {"integral reals and exponents for integers",
     LAUNCH(DOCKER(",'network':'BRIDGE','port_mappings':[{'host_port':31000.0,"
                   "'container_port':'1e3'}]"))},
    {"int64 and uint64 extremes",
     LAUNCH(",'kill_policy':{'grace_period':{'nanoseconds':'-9223372036854775808'}},"
            "'max_completion_time':{'nanoseconds':9223372036854775807},"
            "'resources':{'name':'ports','type':'RANGES','ranges':{'range':{'begin':0,"
            "'end':'18446744073709551615'}}}")},
    {"Infinity and -Infinity for doubles",
     LAUNCH(",'limits':{'cpus':{'value':'Infinity'},'mem':{'value':512.0}},"
            "'check':{'type':'TCP','tcp':{'port':1},'delay_seconds':'-Infinity'}")},
    {"string bools",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n','checkpoint':'true',"
     "'capabilities':{'type':'MULTI_ROLE'},'roles':'kafka'}}}"},
    {"string bools in a task",
     LAUNCH(",'command':{'shell':'false','uris':[{'value':'http://x/y','extract':' false ',"
            "'cache':'true'}]}")},
    {"null fields",
     "{" FID ",'type':'KILL','kill':{'task_id':{'value':'t'},'agent_id':null,"
     "'kill_policy':null},'subscribe':null,'accept':null}"},
    {"nulls inside arrays",
     "{" FID ",'type':'DECLINE','decline':{'offer_ids':[null,{'value':'O'},null],'filters':null}}"},
    {"bare value for a repeated message",
     "{" FID ",'type':'DECLINE','decline':{'offer_ids':{'value':'O'}}}"},
    {"bare value for a repeated string",
     "{" FID ",'type':'SUPPRESS','suppress':{'roles':'kafka'}}"},
    {"empty arrays and objects",
     "{" FID ",'type':'ACCEPT','accept':{'offer_ids':[],'operations':[],'filters':{}}}"},
    {"base64 without padding and with whitespace",
     "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},'executor_id':{'value':'E'},"
     "'data':' aGVs\\nbG8 '}}"},
    {"empty bytes",
     "{" FID ",'type':'MESSAGE','message':{'agent_id':{'value':'A'},"
     "'executor_id':{'value':'E'},'data':''}}"},
    {"maps as JSON objects",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n','roles':['a','b'],"
     "'offer_filters':{'a':{'min_allocatable_resources':{'quantities':[{'quantities':{'cpus':"
     "{'value':0.1},'mem':{'value':'32'}}}]}},'b':{}}},'offer_constraints':{'role_constraints':{"
     "'a':{'groups':[{'attribute_constraints':[{'selector':{'attribute_name':'rack'},"
     "'predicate':{'text_equals':{'value':'r1'}}},{'selector':{'pseudoattribute_type':'HOSTNAME'},"
     "'predicate':{'not_exists':{}}}]}]}}}}}"},
    {"UPDATE_FRAMEWORK",
     "{" FID ",'type':'UPDATE_FRAMEWORK','update_framework':{'framework_info':{'user':'u',"
     "'name':'n','id':{'value':'F'},'roles':['kafka']},'suppressed_roles':['kafka']}}"},
    {"legacy reservation format and every operation type",
     "{" FID ",'type':'ACCEPT','accept':{'offer_ids':[{'value':'O'}],'operations':["
     "{'type':'RESERVE','reserve':{'resources':[{'name':'disk','type':'SCALAR',"
     "'scalar':{'value':10},"
     "'role':'kafka','reservation':{'principal':'kafka','labels':{'labels':[{'key':'k'}]}}}]}},"
     "{'type':'UNRESERVE','id':{'value':'u1'},'unreserve':{'resources':[]}},"
     "{'type':'DESTROY','destroy':{'volumes':[]}},"
     "{'type':'GROW_VOLUME','grow_volume':{'volume':{'name':'disk','type':'SCALAR',"
     "'scalar':{'value':1}},"
     "'addition':{'name':'disk','type':'SCALAR','scalar':{'value':1}}}},"
     "{'type':'SHRINK_VOLUME','shrink_volume':{'volume':{'name':'disk','type':'SCALAR',"
     "'scalar':{'value':2}},'subtract':{'value':1}}},"
     "{'type':'CREATE_DISK','create_disk':{'source':{'name':'disk','type':'SCALAR',"
     "'scalar':{'value':1},"
     "'disk':{'source':{'type':'RAW','vendor':'v','id':'x'}}},'target_type':'MOUNT'}},"
     "{'type':'DESTROY_DISK','destroy_disk':{'source':{'name':'disk','type':'SCALAR',"
     "'scalar':{'value':1},'disk':{'source':{'type':'MOUNT','mount':{'root':'/m'}}}}}},"
     "{'type':'LAUNCH_GROUP','launch_group':{'executor':{'type':'DEFAULT',"
     "'executor_id':{'value':'e'},'resources':[{'name':'cpus','type':'SCALAR',"
     "'scalar':{'value':0.1},"
     "'revocable':{},'shared':{}}]},'task_group':{'tasks':[{'name':'a','task_id':{'value':'a'},"
     "'agent_id':{'value':'A'}}]}}}]}}"},
    {"a Mesos container with every volume source",
     LAUNCH(",'container':{'type':'MESOS','hostname':'h','mesos':{'image':{'type':'DOCKER',"
            "'docker':{'name':'alpine','config':{'type':'REFERENCE','reference':{'name':'s'}}},"
            "'cached':false}},'volumes':["
            "{'mode':'RO','container_path':'/a','source':{'type':'DOCKER_VOLUME','docker_volume':{"
            "'driver':'rexray','name':'v','driver_options':{'parameter':[{'key':'k',"
            "'value':'v'}]}}}},"
            "{'mode':'RW','container_path':'/b','source':{'type':'HOST_PATH',"
            "'host_path':{'path':'/p',"
            "'mount_propagation':{'mode':'BIDIRECTIONAL'}}}},"
            "{'mode':'RW','container_path':'/c','source':{'type':'SANDBOX_PATH','sandbox_path':{"
            "'type':'PARENT','path':'x'}}},"
            "{'mode':'RO','container_path':'/d','source':{'type':'SECRET','secret':{'type':'VALUE',"
            "'value':{'data':'c2VjcmV0'}}}},"
            "{'mode':'RW','container_path':'/e','source':{'type':'CSI_VOLUME','csi_volume':{"
            "'plugin_name':'p','static_provisioning':{'volume_id':'v','volume_capability':{"
            "'mount':{'fs_type':'xfs','mount_flags':['noatime']},'access_mode':{'mode':"
            "'SINGLE_NODE_WRITER'}},'node_stage_secrets':{'a':{'type':'REFERENCE','reference':"
            "{'name':'n','key':'k'}}},'volume_context':{'k':'v'}}}}},"
            "{'mode':'RO','container_path':'/f','image':{'type':'APPC','appc':{'name':'a'}}}],"
            "'network_infos':[{'name':'weave','ip_addresses':[{'protocol':'IPv6'}],'groups':'g',"
            "'port_mappings':[{'host_port':1,'container_port':2,'protocol':'udp'}]}],"
            "'linux_info':{'bounding_capabilities':{'capabilities':['NET_ADMIN','SYS_TIME']},"
            "'seccomp':{'unconfined':true},'ipc_mode':'PRIVATE','shm_size':64,"
            "'share_cgroups':true},"
            "'rlimit_info':{'rlimits':[{'type':'RLMT_NOFILE','hard':65536,'soft':'65536'}]},"
            "'tty_info':{'window_size':{'rows':24,'columns':80}}},"
            "'command':{'value':'run','environment':{'variables':[{'name':'S','type':'SECRET',"
            "'secret':{'type':'REFERENCE','reference':{'name':'n'}}}]},'arguments':['a','b'],"
            "'user':'u'}")},
    {"checks, discovery, executor-less task extras",
     LAUNCH(",'check':{'type':'COMMAND','command':{'command':{'value':'true'}}},"
            "'health_check':{'type':'HTTP','http':{'port':8080,'path':'/health','scheme':'https',"
            "'protocol':'IPv6','statuses':[200,'204']}},"
            "'discovery':{'visibility':'CLUSTER','ports':{'ports':{'number':9092,'visibility':"
            "'EXTERNAL','labels':{'labels':[]}}},'labels':{}},'data':'AAEC'")},
    {"reconcile operations and inverse offers",
     "{" FID ",'type':'RECONCILE_OPERATIONS','reconcile_operations':{'operations':[{'operation_id':"
     "{'value':'o'},'agent_id':{'value':'A'},'resource_provider_id':{'value':'R'}}]}}"},
    {"accept inverse offers",
     "{" FID ",'type':'ACCEPT_INVERSE_OFFERS',"
             "'accept_inverse_offers':{'inverse_offer_ids':[{'value':'I'}],"
     "'filters':{'refuse_seconds':1}}}"},
    {"decline inverse offers",
     "{" FID ",'type':'DECLINE_INVERSE_OFFERS',"
             "'decline_inverse_offers':{'inverse_offer_ids':{'value':'I'}}}"},
    {"acknowledge operation status",
     "{" FID ",'type':'ACKNOWLEDGE_OPERATION_STATUS','acknowledge_operation_status':{'agent_id':"
     "{'value':'A'},'uuid':'fB16sW1VSg6b1mz24qOo+Q==','operation_id':{'value':'o'}}}"},
    {"acknowledge with an unpadded uuid",
     "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
             "'task_id':{'value':'T'},"
     "'uuid':'fB16sW1VSg6b1mz24qOo+Q'}}"},
    {"teardown, revive and suppress need no sub-message", "{" FID ",'type':'REVIVE'}"},
    {"suppress without roles", "{" FID ",'type':'SUPPRESS','suppress':{}}"},
    {"type UNKNOWN passes validation (the HTTP layer answers 501)", "{" FID ",'type':'UNKNOWN'}"},
    {"SUBSCRIBE with equal framework ids",
     "{'framework_id':{'value':'F'},'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u',"
     "'name':'n','id':{'value':'F'}}}}"},
};
/* clang-format on */

static void test_acceptances(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(acceptances); i++) {
        cleanup_json json_t *call = quoted(acceptances[i].json);
        expect_valid(acceptances[i].name, call);
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Stateless validation (passes the structural check, fails validation.cpp's rules). */

/* clang-format off */
static const struct {
    const char *name;
    const char *json;
    const char *want;
} invalid_calls[] = {
    {"no type", "{" FID "}", "Expecting 'type' to be present"},
    {"null type", "{" FID ",'type':null}", "Expecting 'type' to be present"},
    {"SUBSCRIBE without subscribe", "{'type':'SUBSCRIBE'}", "Expecting 'subscribe' to be present"},
    {"SUBSCRIBE with null subscribe", "{'type':'SUBSCRIBE','subscribe':null}",
     "Expecting 'subscribe' to be present"},
    {"SUBSCRIBE: framework_id without framework_info.id",
     "{" FID ",'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n'}}}",
     "'framework_id' differs from 'subscribe.framework_info.id'"},
    {"SUBSCRIBE: framework_info.id without framework_id",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n',"
     "'id':{'value':'F'}}}}",
     "'framework_id' differs from 'subscribe.framework_info.id'"},
    {"SUBSCRIBE: different ids",
     "{" FID ",'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n',"
     "'id':{'value':'G'}}}}",
     "'framework_id' differs from 'subscribe.framework_info.id'"},
    {"DECLINE without framework_id", "{'type':'DECLINE','decline':{'offer_ids':[{'value':'O'}]}}",
     "Expecting 'framework_id' to be present"},
    {"TEARDOWN without framework_id", "{'type':'TEARDOWN'}",
     "Expecting 'framework_id' to be present"},
    {"UNKNOWN without framework_id", "{'type':'UNKNOWN'}",
     "Expecting 'framework_id' to be present"},
    {"ACKNOWLEDGE: 18-byte uuid (the doc's example)",
     "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
             "'task_id':{'value':'T'},"
     "'uuid':'adfadfadbhgvjayd23r2uahj'}}",
     "Not a valid UUID"},
    {"ACKNOWLEDGE: 15-byte uuid",
     "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
             "'task_id':{'value':'T'},"
     "'uuid':'fB16sW1VSg6b1mz24qOo'}}",
     "Not a valid UUID"},
    {"ACKNOWLEDGE: empty uuid",
     "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
             "'task_id':{'value':'T'},"
     "'uuid':''}}",
     "Not a valid UUID"},
    {"ACKNOWLEDGE: 16 bytes without a UUID version",
     "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'agent_id':{'value':'A'},"
             "'task_id':{'value':'T'},"
     "'uuid':'AAAAAAAAAAAAAAAAAAAAAA=='}}",
     "Not a valid UUID"},
    {"ACKNOWLEDGE_OPERATION_STATUS: bad uuid",
     "{" FID ",'type':'ACKNOWLEDGE_OPERATION_STATUS','acknowledge_operation_status':{"
     "'uuid':'aGVsbG8=','operation_id':{'value':'o'}}}",
     "Not a valid UUID"},
    {"ACKNOWLEDGE_OPERATION_STATUS: no agent_id",
     "{" FID ",'type':'ACKNOWLEDGE_OPERATION_STATUS','acknowledge_operation_status':{"
     "'uuid':'fB16sW1VSg6b1mz24qOo+Q==','operation_id':{'value':'o'}}}",
     "Expecting 'agent_id' to be present"},
    {"UPDATE_FRAMEWORK: different ids",
     "{" FID ",'type':'UPDATE_FRAMEWORK','update_framework':{'framework_info':{'user':'u',"
     "'name':'n','id':{'value':'G'}}}}",
     "'framework_id' differs from 'update_framework.framework_info.id'"},
    {"UPDATE_FRAMEWORK: no framework_info.id",
     "{" FID ",'type':'UPDATE_FRAMEWORK','update_framework':{'framework_info':{'user':'u',"
     "'name':'n'}}}",
     "'framework_id' differs from 'update_framework.framework_info.id'"},
    {"sub-message of another type", "{" FID ",'type':'ACCEPT','decline':{}}",
     "Expecting 'accept' to be present"},
};
/* clang-format on */

static void test_validate_rejections(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(invalid_calls); i++) {
        cleanup_json json_t *call = quoted(invalid_calls[i].json);
        mk_err err = {{0}};
        if (schema_check_call(call, &err) != 0)
            fail_msg("%s: the structural check already rejected it: %s", invalid_calls[i].name,
                     err.msg);
        if (schema_validate_call(call, &err) == 0)
            fail_msg("%s: schema_validate_call accepted it", invalid_calls[i].name);
        if (strcmp(err.msg, invalid_calls[i].want) != 0)
            fail_msg("%s: got '%s', wanted '%s'", invalid_calls[i].name, err.msg,
                     invalid_calls[i].want);
    }
}

/* Each type whose sub-message validation.cpp requires, without it. */
static void test_validate_each_type_needs_its_part(void **state)
{
    (void)state;
    static const char *const needs[][2] = {
        {"ACCEPT", "accept"},
        {"DECLINE", "decline"},
        {"ACCEPT_INVERSE_OFFERS", "accept_inverse_offers"},
        {"DECLINE_INVERSE_OFFERS", "decline_inverse_offers"},
        {"KILL", "kill"},
        {"SHUTDOWN", "shutdown"},
        {"ACKNOWLEDGE", "acknowledge"},
        {"ACKNOWLEDGE_OPERATION_STATUS", "acknowledge_operation_status"},
        {"RECONCILE", "reconcile"},
        {"RECONCILE_OPERATIONS", "reconcile_operations"},
        {"MESSAGE", "message"},
        {"REQUEST", "request"},
        {"UPDATE_FRAMEWORK", "update_framework"},
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(needs); i++) {
        cleanup_json json_t *call =
            json_pack("{s:{s:s},s:s}", "framework_id", "value", "F", "type", needs[i][0]);
        mk_err err = {{0}};
        assert_int_equal(schema_check_call(call, &err), 0);
        assert_int_equal(schema_validate_call(call, &err), -1);
        char want[96];
        snprintf(want, sizeof(want), "Expecting '%s' to be present", needs[i][1]);
        assert_string_equal(err.msg, want);
    }
    static const char *const free_types[] = {"TEARDOWN", "REVIVE", "SUPPRESS", "UNKNOWN"};
    for (size_t i = 0; i < MK_ARRAY_LEN(free_types); i++) {
        cleanup_json json_t *call =
            json_pack("{s:{s:s},s:s}", "framework_id", "value", "F", "type", free_types[i]);
        expect_valid(free_types[i], call);
    }
}

/* Validation must not crash on JSON that never went through the check. */
static void test_validate_is_safe_on_unchecked_json(void **state)
{
    (void)state;
    static const char *const odd[] = {
        "[]",
        "5",
        "{'type':5}",
        "{'type':'SUBSCRIBE','subscribe':5}",
        "{'type':'SUBSCRIBE','subscribe':{'framework_info':[]},'framework_id':'x'}",
        "{" FID ",'type':'ACKNOWLEDGE','acknowledge':{'uuid':5}}",
        "{" FID ",'type':'ACKNOWLEDGE','acknowledge':[]}",
        "{" FID ",'type':'UPDATE_FRAMEWORK','update_framework':'x'}",
    };
    for (size_t i = 0; i < MK_ARRAY_LEN(odd); i++) {
        cleanup_json json_t *v = quoted(odd[i]);
        mk_err err = {{0}};
        (void)schema_validate_call(v, &err);
        (void)schema_check_call(v, &err);
    }
    assert_int_equal(schema_validate_call(NULL, NULL), -1);
    assert_int_equal(schema_check_call(NULL, NULL), -1);
}

/* ---------------------------------------------------------------------------------------------- */
/* The tables themselves. */

static bool registered_message(const schema_message *m)
{
    for (size_t i = 0; i < schema_n_all_messages; i++)
        if (schema_all_messages[i] == m)
            return true;
    return false;
}

static bool registered_enum(const schema_enum *e)
{
    for (size_t i = 0; i < schema_n_all_enums; i++)
        if (schema_all_enums[i] == e)
            return true;
    return false;
}

static void mark_reachable(const schema_message *m, bool *seen)
{
    for (size_t i = 0; i < schema_n_all_messages; i++) {
        if (schema_all_messages[i] != m)
            continue;
        if (seen[i])
            return;
        seen[i] = true;
    }
    for (size_t f = 0; f < m->n_fields; f++)
        if (m->fields[f].kind == SCHEMA_MESSAGE)
            mark_reachable(m->fields[f].message, seen);
}

static void test_tables_consistent(void **state)
{
    (void)state;
    for (size_t i = 0; i < schema_n_all_messages; i++) {
        const schema_message *m = schema_all_messages[i];
        assert_non_null(m->full_name);
        assert_true(m->n_fields <= SCHEMA_MAX_FIELDS);
        for (size_t j = 0; j < i; j++)
            if (strcmp(schema_all_messages[j]->full_name, m->full_name) == 0)
                fail_msg("message %s is listed twice", m->full_name);
        for (size_t a = 0; a < m->n_fields; a++) {
            const schema_field *f = &m->fields[a];
            if (f->number == 0 || !f->name[0])
                fail_msg("%s: field %zu has no name or number", m->full_name, a);
            for (size_t b = 0; b < a; b++)
                if (strcmp(m->fields[b].name, f->name) == 0 || m->fields[b].number == f->number)
                    fail_msg("%s: fields %s and %s clash", m->full_name, m->fields[b].name,
                             f->name);
            if ((f->kind == SCHEMA_MESSAGE) != (f->message != NULL))
                fail_msg("%s.%s: message reference does not match its kind", m->full_name, f->name);
            if ((f->kind == SCHEMA_ENUM) != (f->enumeration != NULL))
                fail_msg("%s.%s: enum reference does not match its kind", m->full_name, f->name);
            if (f->message && !registered_message(f->message))
                fail_msg("%s.%s: %s is not in schema_all_messages", m->full_name, f->name,
                         f->message->full_name);
            if (f->enumeration && !registered_enum(f->enumeration))
                fail_msg("%s.%s: %s is not in schema_all_enums", m->full_name, f->name,
                         f->enumeration->full_name);
            if (f->oneof && f->label != SCHEMA_OPTIONAL)
                fail_msg("%s.%s: a oneof member must be optional", m->full_name, f->name);
            if (f->label == SCHEMA_MAP && f->kind != SCHEMA_MESSAGE && f->kind != SCHEMA_STRING)
                fail_msg("%s.%s: map values are messages or strings here", m->full_name, f->name);
        }
    }
    for (size_t i = 0; i < schema_n_all_enums; i++) {
        const schema_enum *e = schema_all_enums[i];
        assert_true(e->n_names > 0);
        for (size_t a = 0; a < e->n_names; a++)
            for (size_t b = 0; b < a; b++)
                if (strcmp(e->names[a], e->names[b]) == 0)
                    fail_msg("%s: %s twice", e->full_name, e->names[a]);
    }
    /* Nothing in the tables that a Call cannot reach. */
    bool *seen = mk_xcalloc(schema_n_all_messages, sizeof(bool));
    mark_reachable(&schema_call, seen);
    for (size_t i = 0; i < schema_n_all_messages; i++)
        if (!seen[i])
            fail_msg("%s is not reachable from Call", schema_all_messages[i]->full_name);
    free(seen);
    assert_true(schema_n_all_messages >= 120);
}

/* ---------------------------------------------------------------------------------------------- */
/* A 10,000-operation ACCEPT (each a full Docker task) checks in milliseconds. */

static void test_large_accept_is_fast(void **state)
{
    (void)state;
    cleanup_json json_t *ops = json_array();
    for (int i = 0; i < 10000; i++) {
        char id[32];
        snprintf(id, sizeof(id), "broker-%d", i);
        json_t *task = json_pack(
            "{s:s, s:{s:s}, s:{s:s}, s:[{s:s,s:s,s:{s:f},s:{s:s}},{s:s,s:s,s:{s:f}},"
            "{s:s,s:s,s:{s:[{s:i,s:i}]}}], s:{s:b,s:{s:[{s:s,s:s}]}}, "
            "s:{s:s,s:{s:s,s:s,s:[{s:i,s:i,s:s}]},"
            "s:[{s:s,s:s,s:s}]}, s:{s:s,s:{s:i}}, s:{s:{s:i}}}",
            "name", id, "task_id", "value", id, "agent_id", "value", "S0", "resources", "name",
            "cpus", "type", "SCALAR", "scalar", "value", 1.0, "allocation_info", "role", "kafka",
            "name", "mem", "type", "SCALAR", "scalar", "value", 2048.0, "name", "ports", "type",
            "RANGES", "ranges", "range", "begin", 31000, "end", 31001, "command", "shell", 0,
            "environment", "variables", "name", "ID", "value", "0", "container", "type", "DOCKER",
            "docker", "image", "apache/kafka", "network", "BRIDGE", "port_mappings", "host_port",
            31000, "container_port", 9092, "protocol", "tcp", "volumes", "container_path", "/d",
            "host_path", "/srv", "mode", "RW", "health_check", "type", "TCP", "tcp", "port", 9092,
            "kill_policy", "grace_period", "nanoseconds", 30000000000);
        assert_non_null(task);
        json_array_append_new(
            ops, json_pack("{s:s,s:{s:[o]}}", "type", "LAUNCH", "launch", "task_infos", task));
    }
    cleanup_json json_t *call =
        json_pack("{s:{s:s},s:s,s:{s:[{s:s}],s:O}}", "framework_id", "value", "F", "type", "ACCEPT",
                  "accept", "offer_ids", "value", "O", "operations", ops);
    assert_non_null(call);

    double start = mk_now_monotonic();
    mk_err err = {{0}};
    int rc = schema_check_call(call, &err);
    if (rc == 0)
        rc = schema_validate_call(call, &err);
    double elapsed = mk_now_monotonic() - start;
    if (rc != 0)
        fail_msg("large ACCEPT rejected: %s", err.msg);
    print_message("10,000-operation ACCEPT checked and validated in %.1f ms\n", elapsed * 1000.0);
    /* Generous: well under a second even with sanitizers on a slow machine. */
    assert_true(elapsed < 2.0);

    /* An error in the last operation is still found, with its index. */
    json_t *last = json_array_get(ops, 9999);
    json_object_set_new(last, "lauch", json_object());
    assert_int_equal(schema_check_call(call, &err), -1);
    assert_string_equal(
        err.msg, "Unknown field 'lauch' in mesos.v1.Offer.Operation at accept.operations[9999]");
}

/* Deep paths are cut short in messages, never overflowing. */
static void test_long_keys_and_paths(void **state)
{
    (void)state;
    char key[2048];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    cleanup_json json_t *call =
        json_pack("{s:{s:s},s:s,s:i}", "framework_id", "value", "F", "type", "TEARDOWN", key, 1);
    mk_err err = {{0}};
    assert_int_equal(schema_check_call(call, &err), -1);
    assert_true(strncmp(err.msg, "Unknown field 'kkkk", 19) == 0);
    assert_true(strlen(err.msg) < sizeof(err.msg));

    /* Many unknown keys in one object (more than fit the walker's stack buffer). */
    cleanup_json json_t *wide =
        json_pack("{s:{s:s},s:s}", "framework_id", "value", "F", "type", "TEARDOWN");
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof(k), "z%03d", 99 - i);
        json_object_set_new(wide, k, json_true());
    }
    assert_int_equal(schema_check_call(wide, &err), -1);
    assert_string_equal(err.msg, "Unknown field 'z000' in mesos.v1.scheduler.Call");
}

/* ---------------------------------------------------------------------------------------------- */
/* The canonical form: what the master's parser makes of strings, nulls and bare values. */

static const struct {
    const char *name, *call, *want;
} canonical_cases[] = {
    {"uint64 range bounds as strings",
     "{'type':'ACCEPT','framework_id':{'value':'f'},'accept':{'offer_ids':[{'value':'o'}],"
     "'operations':[{'type':'LAUNCH','launch':{'task_infos':[{'name':'t','task_id':{'value':'t'},"
     "'agent_id':{'value':'a'},'resources':[{'name':'ports','type':'RANGES','ranges':{'range':"
     "[{'begin':'31211','end':' 31212 '}]}}],'command':{'value':'x','shell':'false'},"
     "'kill_policy':{'grace_period':{'nanoseconds':'3e9'}}}]}}],"
     "'filters':{'refuse_seconds':'2'}}}",
     "{'type':'ACCEPT','framework_id':{'value':'f'},'accept':{'offer_ids':[{'value':'o'}],"
     "'operations':[{'type':'LAUNCH','launch':{'task_infos':[{'name':'t','task_id':{'value':'t'},"
     "'agent_id':{'value':'a'},'resources':[{'name':'ports','type':'RANGES','ranges':{'range':"
     "[{'begin':31211,'end':31212}]}}],'command':{'value':'x','shell':false},"
     "'kill_policy':{'grace_period':{'nanoseconds':3000000000}}}]}}],"
     "'filters':{'refuse_seconds':2.0}}}"},
    {"doubles as strings, Infinity kept, integral reals in integer fields",
     "{'type':'ACCEPT','framework_id':{'value':'f'},'accept':{'offer_ids':{'value':'o'},"
     "'operations':[null,{'type':'LAUNCH','launch':{'task_infos':[{'name':'t','task_id':{'value':"
     "'t'},'agent_id':{'value':'a'},'resources':[{'name':'cpus','type':'SCALAR','scalar':{'value':"
     "'0.5'}},{'name':'mem','type':'SCALAR','scalar':{'value':512}}],'command':{'value':'x'},"
     "'limits':{'cpus':{'value':'Infinity'}},'container':{'type':'DOCKER','docker':{'image':'i',"
     "'network':'BRIDGE','port_mappings':[{'host_port':31000.0,'container_port':'9092'}]}},"
     "'health_check':{'type':'TCP','tcp':{'port':'9092'},'delay_seconds':'1','grace_period_seconds'"
     ":"
     "null}}]}}]}}",
     "{'type':'ACCEPT','framework_id':{'value':'f'},'accept':{'offer_ids':[{'value':'o'}],"
     "'operations':[{'type':'LAUNCH','launch':{'task_infos':[{'name':'t','task_id':{'value':"
     "'t'},'agent_id':{'value':'a'},'resources':[{'name':'cpus','type':'SCALAR','scalar':{'value':"
     "0.5}},{'name':'mem','type':'SCALAR','scalar':{'value':512.0}}],'command':{'value':'x'},"
     "'limits':{'cpus':{'value':'Infinity'}},'container':{'type':'DOCKER','docker':{'image':'i',"
     "'network':'BRIDGE','port_mappings':[{'host_port':31000,'container_port':9092}]}},"
     "'health_check':{'type':'TCP','tcp':{'port':9092},'delay_seconds':1.0}}]}}]}}"},
    {"subscribe with string double and bool",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n','failover_timeout':"
     "'604800','checkpoint':'true','capabilities':{'type':'MULTI_ROLE'}}}}",
     "{'type':'SUBSCRIBE','subscribe':{'framework_info':{'user':'u','name':'n','failover_timeout':"
     "604800.0,'checkpoint':true,'capabilities':[{'type':'MULTI_ROLE'}]}}}"},
};

static void test_canonical_form(void **state)
{
    (void)state;
    for (size_t i = 0; i < MK_ARRAY_LEN(canonical_cases); i++) {
        cleanup_json json_t *call = quoted(canonical_cases[i].call);
        cleanup_json json_t *want = quoted(canonical_cases[i].want);
        expect_valid(canonical_cases[i].name, call);
        cleanup_json json_t *got = schema_canonical_call(call);
        if (!json_equal(got, want)) {
            cleanup_free char *text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
            fail_msg("%s: canonical form is %s", canonical_cases[i].name, text);
        }
    }
    assert_null(schema_canonical_call(NULL));
}

static void test_schema_number(void **state)
{
    (void)state;
    cleanup_json json_t *inf = json_string("Infinity"), *minf = json_string("-Infinity");
    cleanup_json json_t *two = json_real(2.5), *three = json_integer(3);
    assert_true(isinf(schema_number(inf, 0)) && schema_number(inf, 0) > 0);
    assert_true(isinf(schema_number(minf, 0)) && schema_number(minf, 0) < 0);
    assert_true(schema_number(two, 0) == 2.5);
    assert_true(schema_number(three, 0) == 3.0);
    assert_true(schema_number(NULL, 7.0) == 7.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doc_examples),
        cmocka_unit_test(test_doc_examples_from_document),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_missing_required_truncated),
        cmocka_unit_test(test_acceptances),
        cmocka_unit_test(test_validate_rejections),
        cmocka_unit_test(test_validate_each_type_needs_its_part),
        cmocka_unit_test(test_validate_is_safe_on_unchecked_json),
        cmocka_unit_test(test_tables_consistent),
        cmocka_unit_test(test_large_accept_is_fast),
        cmocka_unit_test(test_long_keys_and_paths),
        cmocka_unit_test(test_canonical_form),
        cmocka_unit_test(test_schema_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

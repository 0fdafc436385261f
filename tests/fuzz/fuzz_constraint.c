/*
 * Fuzz the placement-constraint parser (src/constraint.c). The input is constraint text as an
 * operator would give it to the API or the CLI, cut at its first NUL; inputs over 4160 bytes are
 * skipped (libFuzzer's default -max_len of 4096 stays under the parser's length limit, which the
 * unit tests cover). Checks:
 *
 * 1. A refusal says why in one line (no control character in the message).
 * 2. An accepted set's canonical text parses again to the same text and the same count, and
 *    judges every fixed agent the same way with the same reason (the round trip keeps meaning).
 * 3. Judging an agent (with and without the attributes named, with 0 to 3 others placed) ends
 *    with a reason exactly when the agent is refused, the reason starting with a constraint's
 *    canonical text and fitting the buffer; judging twice gives the same answer.
 *
 * Regexes stay cheap to compile because the parser refuses those over 256 bytes and those
 * regex_screen refuses; a slow unit (-report_slow_units) means the screen lets one through.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "constraint.h"
#include "mesos_event.h"

#include "fuzz_check.h"

static mesos_attribute attrs_a[] = {{"rack", "r1"}, {"zone", "z 1"}, {"hostname", "shadow"}};
static mesos_attribute attrs_b[] = {{"rack", "r22"}, {"x", ""}};
static mesos_attribute attrs_c[] = {{"zone", "z 1"}};
static const mesos_offer agents[] = {
    {.hostname = "node-1", .attributes = attrs_a, .n_attributes = 3},
    {.hostname = "slave-2.example.com", .attributes = attrs_b, .n_attributes = 2},
    {.hostname = "node-1", .attributes = attrs_c, .n_attributes = 1},
    {.hostname = "", .attributes = NULL, .n_attributes = 0},
};
#define N_AGENTS (sizeof(agents) / sizeof(agents[0]))

static bool judge(const constraint_set *cs, size_t agent, size_t n_others, char *why, size_t len)
{
    constraint_agent others[N_AGENTS];
    for (size_t i = 0; i < n_others; i++)
        others[i] = (constraint_agent){constraint_offer_attr, &agents[(agent + 1 + i) % N_AGENTS]};
    constraint_agent a = {constraint_offer_attr, &agents[agent]};
    return constraint_set_accepts(cs, a, others, n_others, why, len);
}

/* Whether `why` starts with "<item>: " for one of the items of the canonical text `canon`. */
static bool names_an_item(const char *why, const char *canon)
{
    for (const char *sep = strstr(why, ": "); sep; sep = strstr(sep + 1, ": ")) {
        size_t k = (size_t)(sep - why);
        for (const char *at = strstr(canon, "="); at; at = strstr(at + 1, "=")) {
            const char *item = canon;
            for (const char *q = canon; q < at; q++)
                if (*q == ',')
                    item = q + 1;
            if (strncmp(item, why, k) == 0 && (item[k] == ',' || item[k] == '\0'))
                return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > CONSTRAINT_MAX_TEXT + 64)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';

    constraint_set *cs = (constraint_set *)1;
    mk_err err = {{0}};
    if (constraint_set_parse(text, &cs, &err) != 0) {
        CHECK(cs == NULL);
        CHECK(err.msg[0] != '\0');
        for (const char *m = err.msg; *m; m++)
            CHECK((unsigned char)*m >= 0x20 && *m != 0x7f);
        free(text);
        return 0;
    }
    CHECK(cs != NULL);
    char *canon = constraint_set_text(cs);
    constraint_set *again = NULL;
    CHECK(constraint_set_parse(canon, &again, &err) == 0);
    char *canon2 = constraint_set_text(again);
    CHECK(strcmp(canon, canon2) == 0);
    CHECK(constraint_set_count(again) == constraint_set_count(cs));

    for (size_t agent = 0; agent < N_AGENTS; agent++)
        for (size_t n_others = 0; n_others < N_AGENTS; n_others++) {
            char why[200], why2[200], why3[200];
            memset(why, 'x', sizeof(why));
            bool ok = judge(cs, agent, n_others, why, sizeof(why));
            CHECK(memchr(why, '\0', sizeof(why)) != NULL);
            CHECK(ok == (why[0] == '\0'));
            CHECK(ok || constraint_set_count(cs) > 0);
            CHECK(ok || strlen(why) == sizeof(why) - 1 || names_an_item(why, canon));
            CHECK(judge(cs, agent, n_others, why2, sizeof(why2)) == ok);
            CHECK(strcmp(why, why2) == 0);
            CHECK(judge(again, agent, n_others, why3, sizeof(why3)) == ok);
            CHECK(strcmp(why, why3) == 0);
            CHECK(judge(cs, agent, n_others, NULL, 0) == ok);
        }

    free(canon2);
    free(canon);
    constraint_set_free(again);
    constraint_set_free(cs);
    free(text);
    return 0;
}

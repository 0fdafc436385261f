/*
 * constraint: a broker's placement constraints, in the text form Kafka-on-Mesos operators know
 * ("hostname=unique,rack=like:r2"), and whether an agent may take the broker given where the
 * other brokers are.
 *
 * Text: a comma-separated list of <attribute>=<operator>[:<value>]; spaces around an item are
 * dropped, "" is the empty set. The attribute is `hostname` (the offer's hostname, also when the
 * agent has an attribute of that name) or an agent attribute name: [A-Za-z0-9._-], 1 to 128
 * characters. Operator names are matched case-insensitively and written back as below. A comma
 * separates constraints, except inside a repetition count ("like:r[0-9]{1,3}"); a regex cannot
 * hold any other comma.
 *
 *   like:<regex>    the value matches <regex> as a whole (Marathon's rule: "like:r2" refuses r22);
 *                   an agent without the attribute is refused
 *   unlike:<regex>  the value does not match <regex> as a whole; an agent without it is accepted
 *   unique          no other broker has the agent's value
 *   cluster         every other broker that has the attribute has the agent's value (so the first
 *                   broker placed chooses it; with none placed any value goes)
 *   cluster:<value> the value equals <value>
 *   groupBy         spread evenly over the values seen (Marathon's GROUP_BY): accepted when no
 *                   other broker has the agent's value, or when its count is the smallest count
 *                   among the values the other brokers have
 *   groupBy:<n>     spread evenly over exactly n values (1..1000): the groups are the values the
 *                   other brokers have, padded with values not seen yet (count 0) up to n; the
 *                   agent's value must be one of the groups with the smallest count. So while
 *                   fewer than n values are in use only a new value is accepted, and once n are
 *                   in use only one of those with the fewest brokers. Four brokers with
 *                   rack=groupBy:2 on racks r1, r2 end 2/2 whatever order the offers come in; an
 *                   offer from r3 is then refused.
 *
 * Every operator but unlike refuses an agent without the attribute. A broker without the
 * attribute (placed before the constraint was set) is left out of unique, cluster and groupBy.
 * Note: Kafka-on-Mesos documents a plain `groupBy` as "all values are the same" (its default
 * group count is 1); here it is Marathon's even spread, and `groupBy:1` or `cluster` give the
 * former.
 *
 * Regexes are POSIX extended (regcomp REG_EXTENDED|REG_NOSUB), anchored as ^(<regex>)$, at most
 * 256 bytes. glibc takes seconds on some short patterns and the core judges offers as they
 * arrive, so a regex must also pass regex_screen (src/regex_screen.h): no repetition count above
 * 32, no more than 128 atoms or 24 repetitions once counts are multiplied out, no a**, no
 * back-reference, no ')' without its '(' (write \) for a literal one).
 *
 * Pure: no globals, no I/O. A parsed set is immutable and may be shared between threads.
 */
#ifndef MK_CONSTRAINT_H
#define MK_CONSTRAINT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define CONSTRAINT_MAX_TEXT  4096 /* bytes of the whole text */
#define CONSTRAINT_MAX_ATTR  128  /* bytes of an attribute name */
#define CONSTRAINT_MAX_VALUE 256  /* bytes of a value (regex or cluster value) */
#define CONSTRAINT_MAX_GROUP 1000 /* largest n of groupBy:<n> */

typedef struct constraint_set constraint_set;

/* Parses `text`; "" gives an empty set. Refused, with one sentence naming the constraint and the
 * reason in `err`: an empty item, no '=', a bad attribute name, an unknown operator, like/unlike
 * without a regex, a value on unique, an empty cluster value, groupBy:<n> with n not 1..1000 in
 * digits, the same attribute and operator twice, a control byte, a value over 256 bytes, a regex
 * regex_screen refuses or regcomp does not compile (with regcomp's message). On failure *out is
 * NULL. */
int constraint_set_parse(const char *text, constraint_set **out, mk_err *err);
void constraint_set_free(constraint_set *cs);
/* Number of constraints (0 for an empty set or NULL). */
size_t constraint_set_count(const constraint_set *cs);
/* The canonical text (items in the order given, operator names as above, groupBy:<n> without
 * leading zeros); parsing it gives the same set and the same text. The caller frees. */
char *constraint_set_text(const constraint_set *cs);

/* One agent's attribute values: `attr(ud, name)` returns the value of attribute `name` (the
 * hostname for "hostname") or NULL when the agent has none. The agent may be an offer
 * (constraint_offer_attr) or where a broker was placed, as the caller remembers it. */
typedef const char *(*constraint_attr_fn)(const void *ud, const char *name);
typedef struct {
    constraint_attr_fn attr;
    const void *ud;
} constraint_agent;

/* Whether `agent` may take the broker, given the agents of the other brokers (`others`: one per
 * other placed or running broker, never the broker being placed). A NULL or empty set accepts
 * every agent. On refusal writes one short reason to `why` (may be NULL), naming the constraint,
 * the agent by its hostname and the value, e.g. "rack=like:r2: node-3 has rack=r1",
 * "hostname=unique: another broker is on hostname=node-1", "rack=cluster: node-3 has no rack
 * attribute"; control bytes in an agent's value are written as '?'. The constraints are checked
 * in order; the first refusal is reported. Cost: one lookup per other broker and constraint, and
 * n_others squared lookups for a groupBy. */
bool constraint_set_accepts(const constraint_set *cs, constraint_agent agent,
                            const constraint_agent *others, size_t n_others, char *why,
                            size_t why_len);

/* A constraint_attr_fn over a `const mesos_offer *`: its hostname for "hostname", else the value
 * of its first attribute of that name. */
const char *constraint_offer_attr(const void *offer, const char *name);

/* Why a broker stays pending: the scheduler notes every refusal of an offer for the broker and
 * clears the record (= {0}) when the broker is placed or its constraints change. */
typedef struct {
    unsigned long refused; /* offers refused by the constraints since the record was cleared */
    char last[256];        /* the reason of the last refusal */
} constraint_refusals;

void constraint_refusals_note(constraint_refusals *r, const char *why);
/* Writes e.g. "the constraints refused 12 offers, the last because rack=like:r2: node-3 has
 * rack=r1" (or "" when nothing was refused) to `out`, for "broker 2 stays pending: ...". */
void constraint_refusals_text(const constraint_refusals *r, char *out, size_t len);

#endif

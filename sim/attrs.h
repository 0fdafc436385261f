/*
 * attrs: agent attributes as a mesos-agent's --attributes flag gives them, in the v1 JSON of the
 * Attribute message (mesos/v1/mesos.proto) that offers carry.
 *
 * Parsing follows Attributes::parse and values::parse (src/common/attributes.cpp, values.cpp):
 * pairs split on ';' or newline (empty ones skipped), the name before the first ':', the value
 * after it with every space removed. A value starting with '[' is RANGES ("[1-5,10-20]", sorted
 * and coalesced), a decimal number is SCALAR, anything else TEXT. A SET ("{a,b}") is refused, as
 * the agent refuses it ("Bad type for attribute", MESOS-1215). Where the agent would die on a bad
 * pair the simulator refuses to start; it also refuses what no test means: an empty "[]", a range
 * whose end comes before its begin, a bound past INT64_MAX, a non-finite number.
 */
#ifndef SIM_ATTRS_H
#define SIM_ATTRS_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* Appends SPEC's attributes to `out` (a JSON array), in order. -1 with err naming the pair at
 * fault ("'ports:[1-x]': Expecting non-negative integers in 'x'"); `out` then holds the pairs
 * before it. */
int sim_attrs_parse(const char *spec, json_t *out, mk_err *err);

/* Every attribute of `over` drops all of `base` that have its name; `over`'s are then appended. */
void sim_attrs_override(json_t *base, const json_t *over);

/* The attributes of each of n_agents agents into out[0..n_agents-1] (new arrays, never NULL):
 * `common` (NULL: none) for every agent, then each of `per_agent` ("N=SPEC", N the number in
 * agentN, 1-based) overriding for its agent, in order. -1 with err naming the option, the agent and
 * the part; out[] then holds nothing. */
int sim_attrs_for_agents(const char *common, const char *const *per_agent, size_t n_per_agent,
                         int n_agents, json_t **out, mk_err *err);

#endif

/*
 * schema: the simulator's strict reading of a v1 scheduler Call, against a hand-written table of
 * the proto messages reachable from mesos.v1.scheduler.Call
 * (include/mesos/v1/scheduler/scheduler.proto, include/mesos/v1/mesos.proto).
 *
 * Where the real master silently drops something (an unknown key, a lowerCamel key, an unknown name
 * in an optional enum), the simulator rejects it, so a mistake fails a test instead of a production
 * launch. Everything the master accepts in JSON (numbers as strings, "Infinity", string bools, null
 * as unset, a bare value for a repeated field, padded or unpadded standard base64) is accepted.
 */
#ifndef SIM_SCHEMA_H
#define SIM_SCHEMA_H

#include <jansson.h>

#include "util.h"

/* Structure: keys, types, enums, bytes, required fields. On failure returns -1 and sets err to the
 * text after "Failed to convert JSON into Call protobuf: " (e.g. "Missing required fields:
 * subscribe.framework_info.user", or "Unknown field 'frameworkInfo' in
 * mesos.v1.scheduler.Call.Subscribe at subscribe"). */
int schema_check_call(const json_t *call, mk_err *err);

/* Stateless semantic rules of src/master/validation.cpp (scheduler::call::validate): type present,
 * the sub-message named after the type present, framework_id present for non-SUBSCRIBE calls,
 * framework_id equal to subscribe.framework_info.id, ACKNOWLEDGE uuid decoding to 16 bytes, and the
 * rest. On failure sets err to the text after "Failed to validate scheduler::Call: ". */
int schema_validate_call(const json_t *call, mk_err *err);

/* The call as the master holds it once parsed, for a call that passed schema_check_call: a new
 * JSON value in which every number, double and bool the master accepts as a string is a JSON
 * number or bool (int32/uint32/int64/uint64 fields are JSON integers, doubles are JSON reals),
 * nulls are gone and a bare value of a repeated field is an array of one. Only "Infinity" and
 * "-Infinity" stay strings (JSON cannot hold them); schema_number reads them. Returns NULL for a
 * call that is not a JSON object. */
json_t *schema_canonical_call(const json_t *call);

/* A double field of a canonical call: its value, +-INFINITY for "Infinity"/"-Infinity", `dflt`
 * when unset. */
double schema_number(const json_t *v, double dflt);

#endif

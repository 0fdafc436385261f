/*
 * Fuzz the JSON scanner behind large OFFERS events. For any bytes: spans stay inside the text and
 * in order; and whenever jansson accepts the text and it has an array at offers.offers, the scanner
 * finds that array with the same number of elements, each element on its own a JSON value equal to
 * jansson's. A disagreement would let the offer-by-offer parse see different offers than a whole
 * parse. Inputs are also tried as the offers of an OFFERS event parsed offer by offer (the path
 * events past 64 KiB take), which must agree with the whole parse of the same event.
 *
 * Text with a NUL byte is not JSON, but jansson skips a NUL between tokens; the event parser
 * refuses such text outright, so the comparisons with jansson leave it out.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "mesos_event.h"

#include "fuzz_check.h"

typedef struct {
    const json_t *expected; /* the array jansson read, or NULL */
    size_t len, n;
} walk;

static int check_element(const char *text, json_span sp, void *ud)
{
    walk *w = ud;
    CHECK(sp.begin < sp.end && sp.end <= w->len);
    if (w->expected) {
        json_t *one = json_loadb(text + sp.begin, sp.end - sp.begin, JSON_DECODE_ANY, NULL);
        CHECK(one && json_equal(one, json_array_get(w->expected, w->n)));
        json_decref(one);
    }
    w->n++;
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *text = (const char *)data;
    bool has_nul = memchr(text, '\0', size) != NULL;
    json_t *doc = has_nul ? NULL : json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
    const json_t *array = json_object_get(json_object_get(doc, "offers"), "offers");
    json_span sp;
    int found = json_scan_nested_array(text, size, "offers", "offers", &sp);
    if (found == 0) {
        CHECK(sp.begin < sp.end && sp.end <= size && text[sp.begin] == '[');
        walk w = {.expected = json_is_array(array) ? array : NULL, .len = size};
        long n = json_scan_elements(text, sp, check_element, &w);
        if (w.expected)
            CHECK(n >= 0 && (size_t)n == json_array_size(array));
    } else if (json_is_array(array) && !memchr(text, '\\', size)) {
        /* jansson found it with plain keys: so must the scanner (escaped keys may differ). */
        CHECK(false);
    }
    json_decref(doc);

    /* The same bytes as the offers of an event: parsing offer by offer never crashes, honours the
     * event's promises, and agrees with the whole parse. */
    size_t cap = size + 64, len = 0;
    char *event = malloc(cap);
    memcpy(event, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[", 38);
    len = 38;
    memcpy(event + len, text, size);
    len += size;
    memcpy(event + len, "]}}", 3);
    len += 3;
    mesos_event ev, whole;
    mk_err err = {{0}}, whole_err = {{0}};
    int rc = mesos_event_parse_streamed(event, len, &ev, &err);
    int whole_rc = mesos_event_parse(event, len, &whole, &whole_err);
    CHECK(rc == whole_rc);
    if (rc == 0) {
        CHECK(ev.type == MESOS_EVENT_OFFERS && whole.type == MESOS_EVENT_OFFERS);
        CHECK(ev.u.offers.n_offers == whole.u.offers.n_offers);
        for (size_t i = 0; i < ev.u.offers.n_offers; i++) {
            CHECK(ev.u.offers.offers[i].id && ev.u.offers.offers[i].hostname);
            CHECK(strcmp(ev.u.offers.offers[i].id, whole.u.offers.offers[i].id) == 0);
        }
        mesos_event_clear(&ev);
        mesos_event_clear(&whole);
    } else {
        CHECK(err.msg[0] != '\0');
    }
    free(event);
    return 0;
}

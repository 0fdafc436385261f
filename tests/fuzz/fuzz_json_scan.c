/*
 * Fuzz the JSON scanner behind large OFFERS events. For any bytes: spans stay inside the text and
 * in order; and whenever jansson accepts the text and it has an array at offers.offers, the scanner
 * finds that array with the same number of elements, each element on its own a JSON value equal to
 * jansson's. A disagreement would let the offer-by-offer parse see different offers than a whole
 * parse. Inputs are also tried inside an OFFERS event padded past the streaming threshold.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "mesos_event.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

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
    json_t *doc = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
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

    /* The same bytes as one offer of a large event: parsing never crashes, and what it returns
     * honours the event's promises. */
    size_t pad = 70000, cap = size + pad + 128;
    char *big = malloc(cap);
    size_t len = 0;
    memcpy(big, "{\"type\":\"OFFERS\",\"offers\":{\"offers\":[", 38);
    len = 38;
    memcpy(big + len, text, size);
    len += size;
    big[len++] = ']';
    big[len++] = '}';
    big[len++] = ',';
    memcpy(big + len, "\"x\":\"", 5);
    len += 5;
    memset(big + len, 'a', pad);
    len += pad;
    memcpy(big + len, "\"}", 2);
    len += 2;
    mesos_event ev;
    mk_err err = {{0}};
    if (mesos_event_parse(big, len, &ev, &err) == 0) {
        CHECK(ev.type == MESOS_EVENT_OFFERS);
        for (size_t i = 0; i < ev.u.offers.n_offers; i++)
            CHECK(ev.u.offers.offers[i].id && ev.u.offers.offers[i].hostname);
        mesos_event_clear(&ev);
    } else {
        CHECK(err.msg[0] != '\0');
    }
    free(big);
    return 0;
}

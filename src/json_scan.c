/*
 * json_scan: a forward walk over JSON text that knows strings (with escapes), nesting and commas,
 * and nothing else. Values are skipped, not checked: jansson checks them later.
 */
#include "json_scan.h"

#include <stdbool.h>
#include <string.h>

static size_t skip_ws(const char *t, size_t i, size_t end)
{
    while (i < end && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* Past the string that starts at t[i] == '"'; 0 if unterminated. */
static size_t skip_string(const char *t, size_t i, size_t end)
{
    for (i++; i < end; i++) {
        if (t[i] == '\\')
            i++;
        else if (t[i] == '"')
            return i + 1;
    }
    return 0;
}

/* Past the value that starts at t[i]; 0 if it cannot be skipped. */
static size_t skip_value(const char *t, size_t i, size_t end)
{
    if (i >= end)
        return 0;
    if (t[i] == '"')
        return skip_string(t, i, end);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        while (i < end) {
            char c = t[i];
            if (c == '"') {
                i = skip_string(t, i, end);
                if (!i)
                    return 0;
                continue;
            }
            if (c == '{' || c == '[')
                depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            i++;
        }
        return 0;
    }
    /* number, true, false, null */
    size_t start = i;
    while (i < end && !strchr(",}] \t\r\n", t[i]))
        i++;
    return i > start ? i : 0;
}

/* Inside the object starting at t[i] == '{', the value of `key`: its start, or 0. */
static size_t find_member(const char *t, size_t i, size_t end, const char *key)
{
    size_t klen = strlen(key);
    if (i >= end || t[i] != '{')
        return 0;
    i = skip_ws(t, i + 1, end);
    while (i < end && t[i] == '"') {
        size_t kend = skip_string(t, i, end);
        if (!kend)
            return 0;
        bool match = kend - i - 2 == klen && memcmp(t + i + 1, key, klen) == 0;
        i = skip_ws(t, kend, end);
        if (i >= end || t[i] != ':')
            return 0;
        i = skip_ws(t, i + 1, end);
        if (match)
            return i < end ? i : 0; /* a key with nothing after it has no value */
        i = skip_value(t, i, end);
        if (!i)
            return 0;
        i = skip_ws(t, i, end);
        if (i < end && t[i] == ',')
            i = skip_ws(t, i + 1, end);
        else
            return 0;
    }
    return 0;
}

int json_scan_nested_array(const char *text, size_t len, const char *outer_key,
                           const char *inner_key, json_span *out)
{
    size_t i = skip_ws(text, 0, len);
    size_t outer = find_member(text, i, len, outer_key);
    size_t inner = outer ? find_member(text, outer, len, inner_key) : 0;
    if (!inner || inner >= len || text[inner] != '[')
        return -1;
    size_t end = skip_value(text, inner, len);
    if (!end)
        return -1;
    out->begin = inner;
    out->end = end;
    return 0;
}

long json_scan_elements(const char *text, json_span array,
                        int (*each)(const char *text, json_span element, void *ud), void *ud)
{
    size_t i = array.begin, end = array.end;
    if (i >= end || text[i] != '[' || text[end - 1] != ']')
        return -1;
    end--; /* the closing bracket */
    i = skip_ws(text, i + 1, end);
    long n = 0;
    while (i < end) {
        size_t v = skip_value(text, i, end);
        if (!v)
            return -1;
        if (each((text), (json_span){i, v}, ud) != 0)
            return -1;
        n++;
        i = skip_ws(text, v, end);
        if (i < end) {
            if (text[i] != ',')
                return -1;
            i = skip_ws(text, i + 1, end);
            if (i >= end)
                return -1; /* trailing comma */
        }
    }
    return n;
}

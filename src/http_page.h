/*
 * http_page: the HTML status page at `/`, rendered from the core's status document (see
 * http_api.h). One self-contained page (no scripts, no external assets, no style attributes, one
 * fixed <style> element) that reloads itself every five seconds with <meta http-equiv="refresh">;
 * every value is HTML-escaped, and a null shows as "-".
 *
 * The server sends the page with the three headers below (names as in microhttpd.h:
 * MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY, _X_CONTENT_TYPE_OPTIONS, _X_FRAME_OPTIONS). The policy
 * allows nothing but that one <style> element, by its hash: no script, image, font, frame, form
 * target or connection of any kind, and no framing by another page. A meta refresh is a
 * navigation, which CSP does not govern, so the page still reloads. The browser's favicon request
 * is blocked (the server has no favicon anyway). Changing the style changes its hash:
 * tests/unit/test_http_request.c checks that HTTP_PAGE_CSP names the hash of what is rendered.
 */
#ifndef MK_HTTP_PAGE_H
#define MK_HTTP_PAGE_H

#include <jansson.h>

/* SHA-256 of the <style> element's text, base64, as CSP writes a hash source. */
#define HTTP_PAGE_STYLE_HASH "'sha256-sCI4rvQV8qIkhkBebRMGAw/OiAl+3aYSU2Tl1tlaRwc='"
#define HTTP_PAGE_CSP                                                                              \
    "default-src 'none'; style-src " HTTP_PAGE_STYLE_HASH "; frame-ancestors 'none'; "             \
    "base-uri 'none'; form-action 'none'"
#define HTTP_PAGE_X_CONTENT_TYPE_OPTIONS "nosniff" /* the HTML is only ever HTML */
#define HTTP_PAGE_X_FRAME_OPTIONS        "DENY"    /* for browsers without frame-ancestors */

/* The page for `status`; the caller frees it. */
char *http_page_render(const json_t *status);

#endif

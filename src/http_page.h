/*
 * http_page: the HTML status page at `/`, rendered from the core's status document (see
 * http_api.h). One self-contained page (no scripts, no external assets) that reloads itself every
 * five seconds; every value is HTML-escaped, and a null shows as "-".
 */
#ifndef MK_HTTP_PAGE_H
#define MK_HTTP_PAGE_H

#include <jansson.h>

/* The page for `status`; the caller frees it. */
char *http_page_render(const json_t *status);

#endif

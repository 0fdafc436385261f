/*
 * portfwd: a TCP port forwarder, standing in for Docker's BRIDGE port mappings (agent host_port ->
 * container address and container_port) on a simulator without network namespaces.
 *
 * One thread per forwarder polls the listener and every connection pair; bytes are relayed both
 * ways with back-pressure and half-close, as docker-proxy does.
 */
#ifndef SIM_PORTFWD_H
#define SIM_PORTFWD_H

#include <stddef.h>

typedef struct portfwd portfwd;

/* Listens on listen_ip:listen_port and forwards every connection to target_ip:target_port. Returns
 * NULL with a message in err (e.g. "cannot listen on 127.0.1.2:31000: Address already in use"). */
portfwd *portfwd_start(const char *listen_ip, int listen_port, const char *target_ip,
                       int target_port, char *err, size_t errlen);
/* Closes the listener and every connection, joins the thread, frees everything. Never calls back
 * into the caller, so it may be called with the caller's locks held. NULL is a no-op. */
void portfwd_stop(portfwd *p);
/* Connections accepted so far. */
unsigned long portfwd_connections(const portfwd *p);

#endif

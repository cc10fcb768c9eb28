#ifndef COST_TRACKER_CRABBITMQ_SHIM_H
#define COST_TRACKER_CRABBITMQ_SHIM_H
// rabbitmq-c 0.11 (Debian 12) has flat headers; 0.12+ moved them under rabbitmq-c/.
#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#include <rabbitmq-c/ssl_socket.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>
#endif
#include <amqp_framing.h>

// amqp_login is C-variadic, which Swift cannot call: a fixed-arity shim for PLAIN login.
static inline amqp_rpc_reply_t cost_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                      int channel_max, int frame_max, int heartbeat,
                                                      const char *user, const char *password) {
    return amqp_login(state, vhost, channel_max, frame_max, heartbeat, AMQP_SASL_METHOD_PLAIN, user, password);
}
#endif

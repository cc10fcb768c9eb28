import CRabbitMQ

/// AMQP method ids (amqp_framing.h defines them as cast macros Swift does not import).
enum AMQPMethod {
    static let connectionClose: amqp_method_number_t = 0x000A_0032
    static let connectionCloseOK: amqp_method_number_t = 0x000A_0033
    static let channelClose: amqp_method_number_t = 0x0014_0028
    static let channelCloseOK: amqp_method_number_t = 0x0014_0029
    static let basicReturn: amqp_method_number_t = 0x003C_0032
    static let basicDeliver: amqp_method_number_t = 0x003C_003C
    static let basicGetEmpty: amqp_method_number_t = 0x003C_0048
    static let basicAck: amqp_method_number_t = 0x003C_0050
    static let basicNack: amqp_method_number_t = 0x003C_0078
}

extension AMQPConnection {
    static func statusText(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }

    /// Throws unless the connection and channel are usable.
    func requireOpen() throws(AMQPError) -> amqp_connection_state_t {
        guard let state, connectionAlive, channelOpen else {
            throw AMQPError(
                kind: .connectionClosed,
                message: "the AMQP connection to \(endpoint) is closed; open a new one")
        }
        return state
    }

    /// Checks an `amqp_rpc_reply_t` (from an RPC or `amqp_get_rpc_reply`).
    func check(_ reply: amqp_rpc_reply_t, _ context: @autoclosure () -> String) throws(AMQPError) {
        if reply.reply_type == AMQP_RESPONSE_NORMAL { return }
        throw replyError(reply, context())
    }

    /// Maps a failed reply to an error and, for a server close, answers it with close-ok
    /// and marks the channel or connection unusable.
    func replyError(_ reply: amqp_rpc_reply_t, _ context: String) -> AMQPError {
        switch reply.reply_type {
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            return libraryError(reply.library_error, context)
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            return serverClose(reply.reply, context)
        default:
            return AMQPError(kind: .protocolError, message: "\(context): rabbitmq-c returned no reply")
        }
    }

    /// Maps a rabbitmq-c status code; socket-level failures mark the connection dead.
    func libraryError(_ status: Int32, _ context: String) -> AMQPError {
        let text = "\(context): \(Self.statusText(status))"
        switch status {
        case AMQP_STATUS_TIMEOUT.rawValue:
            return AMQPError(kind: .timeout, message: text)
        case AMQP_STATUS_INVALID_PARAMETER.rawValue, AMQP_STATUS_TABLE_TOO_BIG.rawValue:
            return AMQPError(kind: .invalidArgument, message: text)
        case AMQP_STATUS_BAD_AMQP_DATA.rawValue, AMQP_STATUS_UNKNOWN_CLASS.rawValue,
            AMQP_STATUS_UNKNOWN_METHOD.rawValue, AMQP_STATUS_WRONG_METHOD.rawValue,
            AMQP_STATUS_UNEXPECTED_STATE.rawValue, AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION.rawValue:
            markDead()
            return AMQPError(kind: .protocolError, message: text)
        case AMQP_STATUS_HOSTNAME_RESOLUTION_FAILED.rawValue, AMQP_STATUS_SSL_ERROR.rawValue,
            AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue,
            AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue, AMQP_STATUS_BROKER_UNSUPPORTED_SASL_METHOD.rawValue:
            markDead()
            return AMQPError(kind: .connection, message: text)
        default:
            // Socket errors, connection closed, heartbeat timeout, out of memory…
            markDead()
            return AMQPError(kind: .connectionClosed, message: text)
        }
    }

    /// A `channel.close` or `connection.close` from the broker: reply close-ok, mark unusable.
    func serverClose(_ method: amqp_method_t, _ context: String) -> AMQPError {
        switch method.id {
        case AMQPMethod.channelClose:
            let close = method.decoded!.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            let code = Int(close.reply_code)
            let text = String(copying: close.reply_text)
            channelOpen = false
            if let state, connectionAlive {
                var closeOK = amqp_channel_close_ok_t(dummy: 0)
                _ = amqp_send_method(state, Self.channel, AMQPMethod.channelCloseOK, &closeOK)
            }
            let kind: AMQPError.Kind =
                switch code {
                case 403: .accessRefused
                case 404: .notFound
                case 406: .preconditionFailed
                default: .channelClosed
                }
            return AMQPError(kind: kind, message: "\(context): the broker closed the channel: \(text)", replyCode: code)
        case AMQPMethod.connectionClose:
            let close = method.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            let code = Int(close.reply_code)
            let text = String(copying: close.reply_text)
            if let state, connectionAlive {
                var closeOK = amqp_connection_close_ok_t(dummy: 0)
                _ = amqp_send_method(state, 0, AMQPMethod.connectionCloseOK, &closeOK)
            }
            markDead()
            let kind: AMQPError.Kind =
                switch code {
                case 403, 530: .accessRefused
                case 404: .notFound
                case 406: .preconditionFailed
                case 501, 502, 503, 504, 505: .protocolError
                default: .connectionClosed
                }
            return AMQPError(kind: kind, message: "\(context): the broker closed the connection: \(text)", replyCode: code)
        default:
            markDead()
            return AMQPError(
                kind: .protocolError,
                message: "\(context): unexpected AMQP method 0x\(String(method.id, radix: 16))")
        }
    }

    func markDead() {
        connectionAlive = false
        channelOpen = false
    }

    /// Handles a frame that is not a delivery: confirms, returns, and closes (which throw).
    func handle(_ frame: amqp_frame_t, _ context: @autoclosure () -> String) throws(AMQPError) {
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }  // stray content frames
        let method = frame.payload.method
        switch method.id {
        case AMQPMethod.basicAck:
            let ack = method.decoded!.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            confirms.acked(ack.delivery_tag, multiple: ack.multiple != 0)
        case AMQPMethod.basicNack:
            let nack = method.decoded!.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            confirms.nacked(nack.delivery_tag, multiple: nack.multiple != 0)
        case AMQPMethod.basicReturn:
            // The returned message's header and body follow; read and drop them.
            guard let state else { return }
            var message = amqp_message_t()
            let reply = amqp_read_message(state, frame.channel, &message, 0)
            try check(reply, context())
            amqp_destroy_message(&message)
            returnedCount += 1
        case AMQPMethod.channelClose, AMQPMethod.connectionClose:
            throw serverClose(method, context())
        default:
            return  // connection.blocked/unblocked, a stray delivery on a publishing connection…
        }
    }
}

/// A value in an AMQP field table (message headers, queue arguments).
///
/// Encoding: `.string` as a long string (`S`), `.int` as a signed 64-bit integer (`l`),
/// `.bool` (`t`), `.bytes` as a byte array (`x`), `.timestamp` (`T`), `.table` (`F`),
/// `.array` (`A`), `.void` (`V`). Decoding maps every integer width to `.int`
/// (unsigned 64-bit values above `Int64.max` are clamped), and kinds without a case here
/// (floats, decimals) to `.void`.
public indirect enum AMQPFieldValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case bytes([UInt8])
    case timestamp(UInt64)
    case table([String: AMQPFieldValue])
    case array([AMQPFieldValue])
    case void
}

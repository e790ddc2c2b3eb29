import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Limits shared by every connection: how many may be open, and how long a request's head may
/// take to arrive once it has begun.
///
/// A client that opens connections and sends nothing, or sends a header a byte at a time, must
/// not hold the service's file descriptors: without these limits one client without a key could
/// hold the open-file limit. Idle connections (nothing sent since the last answer) are closed by
/// Hummingbird's idle timeout (``ServerConfiguration/idleTimeout``).
final class ConnectionLimits: Sendable {
    let maximum: Int
    let headerTimeout: TimeAmount
    private let open = Atomic<Int>(0)
    private let refused = Counter(label: "matchwork_connections_refused")
    private let timedOut = Counter(label: "matchwork_connections_header_timeouts")

    init(maximum: Int, headerTimeout: Double) {
        self.maximum = maximum
        self.headerTimeout = .nanoseconds(Int64(headerTimeout * 1e9))
    }

    /// Counts a new connection in; `false` (and not counted) when `maximum` are open.
    func admit() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now > maximum else { return true }
        open.subtract(1, ordering: .relaxed)
        refused.increment()
        return false
    }

    func release() { open.subtract(1, ordering: .relaxed) }

    func noteTimeout() { timedOut.increment() }
}

/// One connection's request state, shared by its two guard handlers. Used on the connection's
/// event loop only (the handlers run there).
final class ConnectionState: @unchecked Sendable {
    /// True between an answer's end (or the connection's start) and the next request's head.
    var awaitingHead = true
    var timer: Scheduled<Void>?

    func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}

/// Sits next to the socket: refuses connections over the limit with a 503 and closes a
/// connection whose request head has begun but is not complete within the header timeout.
final class RawConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let limits: ConnectionLimits
    let state: ConnectionState
    private var admitted = false
    private var released = false

    init(limits: ConnectionLimits, state: ConnectionState) {
        self.limits = limits
        self.state = state
    }

    func handlerAdded(context: ChannelHandlerContext) {
        admitted = limits.admit()
        guard !admitted else { return }
        let body = #"{"code":"too_many_connections","message":"The service has its maximum of \#(limits.maximum) connections open; retry shortly, or reuse a connection.","field":null}"#
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        var buffer = context.channel.allocator.buffer(capacity: head.utf8.count + body.utf8.count)
        buffer.writeString(head + body)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted else { return }
        if state.awaitingHead, state.timer == nil {
            let limits = limits, state = state
            state.timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: limits.headerTimeout) {
                state.timer = nil
                guard state.awaitingHead else { return }
                limits.noteTimeout()
                context.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { finish() }

    private func finish() {
        state.cancelTimer()
        if admitted, !released {
            released = true
            limits.release()
        }
    }
}

/// Sits after HTTP decoding: tells the raw guard when a request's head has arrived (the header
/// timeout stops) and when its answer has ended (the next head is awaited).
final class HeadGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let state: ConnectionState

    init(state: ConnectionState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            state.awaitingHead = false
            state.cancelTimer()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { state.awaitingHead = true }
        context.write(data, promise: promise)
    }
}

/// HTTP/1.1 with the connection guards and the idle timeout.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let responder: HTTPChannelHandler.Responder
    let limits: ConnectionLimits
    let idleTimeout: TimeAmount?
    private let template: HTTP1Channel

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, idleTimeout: TimeAmount?) {
        self.responder = responder
        self.limits = limits
        self.idleTimeout = idleTimeout
        template = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let state = ConnectionState()
        let inner = HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: [HeadGuard(state: state)], idleTimeout: idleTimeout))
        let limits = limits
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RawConnectionGuard(limits: limits, state: state))
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await template.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with at most `maximumConnections` open, a request head given `headerTimeout`
    /// seconds once it has begun, and an idle connection closed after `idleTimeout` seconds.
    static func guardedHTTP1(maximumConnections: Int, headerTimeout: Double, idleTimeout: Double) -> HTTPServerBuilder {
        let limits = ConnectionLimits(maximum: maximumConnections, headerTimeout: headerTimeout)
        let idle: TimeAmount? = idleTimeout > 0 ? .nanoseconds(Int64(idleTimeout * 1e9)) : nil
        return HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: limits, idleTimeout: idle) }
    }
}
